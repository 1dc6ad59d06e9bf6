import { Supervisor, type WorkerFailure } from "../../src/coordinator/supervisor";
import { FakeTime } from "../support/fake-time";

const BTC = "BTCUSDT-PERP";
const ETH = "ETHUSDT-PERP";

function supervise(options = { silenceMs: 3000, workerStartGraceMs: 60_000 }) {
  const time = new FakeTime();
  const failures: Array<{ symbol: string; failure: WorkerFailure }> = [];
  const supervisor = new Supervisor(options, time, time, (symbol, failure) => failures.push({ symbol, failure }));
  supervisor.start();
  return { time, failures, supervisor };
}

/** Heartbeats every 250 ms for `ms`. */
function heartbeats(time: FakeTime, supervisor: Supervisor, symbol: string, ms: number): void {
  for (let elapsed = 0; elapsed < ms; elapsed += 250) {
    time.advance(250);
    supervisor.heard(symbol);
  }
}

describe("supervisor", () => {
  test("a started worker silent for longer than silenceMs is declared failed (SILENT), once", () => {
    const { time, failures, supervisor } = supervise();
    supervisor.watch(BTC);
    supervisor.started(BTC);
    heartbeats(time, supervisor, BTC, 5000);
    expect(failures).toEqual([]);

    time.advance(3000);
    expect(failures).toEqual([]);
    time.advance(500);
    expect(failures).toEqual([{ symbol: BTC, failure: { kind: "WORKER_FAILED", cause: "SILENT", silentForMs: 3500 } }]);
    expect(supervisor.isWatching(BTC)).toBe(false);
    time.advance(10_000);
    expect(failures).toHaveLength(1);
  });

  test("the silence limit follows the configured silenceMs", () => {
    const { time, failures, supervisor } = supervise({ silenceMs: 10_000, workerStartGraceMs: 60_000 });
    supervisor.watch(BTC);
    supervisor.started(BTC);
    time.advance(9500);
    expect(failures).toEqual([]);
    time.advance(1000);
    expect(failures.map((entry) => entry.failure.cause)).toEqual(["SILENT"]);
  });

  test("a worker that has not started yet is judged only after the start grace", () => {
    const { time, failures, supervisor } = supervise();
    supervisor.watch(BTC);
    time.advance(59_500);
    expect(failures).toEqual([]);
    time.advance(1000);
    expect(failures).toEqual([{ symbol: BTC, failure: { kind: "WORKER_FAILED", cause: "SILENT", silentForMs: 60_500 } }]);
  });

  test("once started, the short silence limit applies from the STARTED message", () => {
    const { time, failures, supervisor } = supervise();
    supervisor.watch(BTC);
    time.advance(20_000);
    supervisor.started(BTC);
    time.advance(3000);
    expect(failures).toEqual([]);
    time.advance(500);
    expect(failures.map((entry) => entry.symbol)).toEqual([BTC]);
  });

  test("one silent worker fails alone; a worker that keeps talking is left alone", () => {
    const { time, failures, supervisor } = supervise();
    for (const symbol of [BTC, ETH]) {
      supervisor.watch(symbol);
      supervisor.started(symbol);
    }
    heartbeats(time, supervisor, ETH, 5000);
    expect(failures.map((entry) => entry.symbol)).toEqual([BTC]);
    expect(supervisor.isWatching(ETH)).toBe(true);
  });

  test("a worker whose progress counter keeps moving is alive though it sends nothing (busy on a flood)", () => {
    const { time, failures, supervisor } = supervise();
    let steps = 0;
    supervisor.watch(BTC, () => steps);
    supervisor.started(BTC);
    for (let elapsed = 0; elapsed < 20_000; elapsed += 100) {
      time.advance(100);
      steps += 1;
    }
    expect(failures).toEqual([]);
    expect(supervisor.isWatching(BTC)).toBe(true);
  });

  test("a worker whose counter stops is declared SILENT after silenceMs, even if it had been busy (stuck in a loop)", () => {
    const { time, failures, supervisor } = supervise();
    let steps = 0;
    supervisor.watch(BTC, () => steps);
    supervisor.started(BTC);
    for (let elapsed = 0; elapsed < 5000; elapsed += 100) {
      time.advance(100);
      steps += 1000;
    }
    expect(failures).toEqual([]);
    // The counter freezes: judged from the last check that saw it move (checks come every 500 ms).
    time.advance(3000);
    expect(failures).toEqual([]);
    time.advance(1000);
    expect(failures).toEqual([{ symbol: BTC, failure: { kind: "WORKER_FAILED", cause: "SILENT", silentForMs: 3500 } }]);
  });

  test("progress before STARTED does not shorten the start grace", () => {
    const { time, failures, supervisor } = supervise();
    let steps = 0;
    supervisor.watch(BTC, () => steps);
    steps += 1;
    time.advance(1000);
    time.advance(10_000);
    expect(failures).toEqual([]);
    time.advance(50_000);
    expect(failures.map((entry) => entry.failure.cause)).toEqual(["SILENT"]);
  });

  test("a counter that wraps around still counts as progress", () => {
    const { time, failures, supervisor } = supervise();
    const cells = new Int32Array(1);
    cells[0] = 2 ** 31 - 2;
    supervisor.watch(BTC, () => Atomics.load(cells, 0));
    supervisor.started(BTC);
    for (let elapsed = 0; elapsed < 10_000; elapsed += 500) {
      time.advance(500);
      Atomics.add(cells, 0, 1);
    }
    expect(cells[0]).toBeLessThan(0);
    expect(failures).toEqual([]);
  });

  test("an exit is a failure at once (EXITED, with the exit code and the error before it)", () => {
    const { failures, supervisor } = supervise();
    supervisor.watch(BTC);
    supervisor.errored(BTC, "boom");
    supervisor.exited(BTC, 1);
    supervisor.watch(ETH);
    supervisor.exited(ETH, 0);
    expect(failures).toEqual([
      { symbol: BTC, failure: { kind: "WORKER_FAILED", cause: "EXITED", exitCode: 1, error: "boom" } },
      { symbol: ETH, failure: { kind: "WORKER_FAILED", cause: "EXITED", exitCode: 0 } },
    ]);
  });

  test("after stop nothing is judged or reported, and its timer is gone", () => {
    const { time, failures, supervisor } = supervise();
    supervisor.watch(BTC);
    supervisor.started(BTC);
    supervisor.stop();
    expect(time.scheduledCount).toBe(0);
    supervisor.exited(BTC, 1);
    time.advance(10_000);
    expect(failures).toEqual([]);
  });

  test("a worker watched again (a restart after reset) gets a fresh start grace", () => {
    const { time, failures, supervisor } = supervise();
    supervisor.watch(BTC);
    supervisor.started(BTC);
    time.advance(3500);
    expect(failures).toHaveLength(1);
    supervisor.watch(BTC);
    time.advance(30_000);
    expect(failures).toHaveLength(1);
  });
});
