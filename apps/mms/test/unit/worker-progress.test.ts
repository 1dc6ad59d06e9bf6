import { Worker } from "node:worker_threads";
import { createSystemScheduler, systemClock } from "../../src/coordinator/clock";
import { Supervisor, type WorkerFailure } from "../../src/coordinator/supervisor";
import { WorkerProgress } from "../../src/worker-progress";
import { compiledModule } from "../../src/worker-spawn";

// Real threads: the counter crosses the thread boundary through shared memory, so a worker
// whose event loop never turns (busy, or stuck) is still judged by what it did.
const BUSY = `
  const { parentPort, workerData } = require("node:worker_threads");
  const { WorkerProgress } = require(workerData.module);
  const progress = new WorkerProgress(workerData.buffer);
  parentPort.postMessage("started");
  const until = Date.now() + workerData.busyMs;
  // Never yields to its event loop: no message could leave it, only the counter moves.
  while (Date.now() < until) progress.advance();
  parentPort.postMessage("done");
`;
const RECORDS_SEQ = `
  const { parentPort, workerData } = require("node:worker_threads");
  const { WorkerProgress } = require(workerData.module);
  const progress = new WorkerProgress(workerData.buffer);
  progress.recordEventSeq(7);
  progress.recordEventSeq(workerData.busyMs);
  parentPort.postMessage("started");
`;
const STUCK = `
  const { parentPort, workerData } = require("node:worker_threads");
  const { WorkerProgress } = require(workerData.module);
  new WorkerProgress(workerData.buffer).advance();
  parentPort.postMessage("started");
  for (;;) {}
`;

describe("worker progress across threads", () => {
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
  });

  /** Resolves once the worker runs its loop, so a slow thread start on a loaded machine is not judged. */
  async function start(code: string, busyMs = 0): Promise<{ progress: WorkerProgress; worker: Worker }> {
    const progress = new WorkerProgress();
    const worker = new Worker(code, { eval: true, workerData: { module: compiledModule("worker-progress"), buffer: progress.buffer, busyMs } });
    workers.push(worker);
    await new Promise((resolve) => worker.once("message", resolve));
    return { progress, worker };
  }

  test("a worker busy for longer than silenceMs is left alone; one stuck in a loop is declared SILENT", async () => {
    // silenceMs 2000 and 5000 ms of busy work: a runnable thread starved for 2 s would be needed to fail it.
    const silenceMs = 2000;
    const failures: Array<{ symbol: string; failure: WorkerFailure }> = [];
    const scheduler = createSystemScheduler();
    const supervisor = new Supervisor({ silenceMs, workerStartGraceMs: 0, checkEveryMs: 100 }, systemClock, scheduler, (symbol, failure) => failures.push({ symbol, failure }));
    const [{ progress: busy, worker: busyWorker }, { progress: stuck }] = await Promise.all([start(BUSY, 5000), start(STUCK)]);
    const busyDone = new Promise((resolve) => busyWorker.once("message", resolve));
    supervisor.watch("BUSY", () => busy.read());
    supervisor.watch("STUCK", () => stuck.read());
    supervisor.started("BUSY");
    supervisor.started("STUCK");
    supervisor.start();
    await busyDone;
    const failedWhileBusy = failures.map((entry) => entry.symbol);
    // The stuck one fails silenceMs after it was watched; allow a loaded machine 10 s for it.
    const stuckFailure = () => failures.find((entry) => entry.symbol === "STUCK");
    for (let waited = 0; !stuckFailure() && waited < 10_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    supervisor.stop();
    expect(busy.read()).toBeGreaterThan(1000);
    expect(failedWhileBusy).not.toContain("BUSY");
    expect(stuckFailure()?.failure).toMatchObject({ kind: "WORKER_FAILED", cause: "SILENT" });
  }, 30_000);

  test("the last event seq a worker stored is what the coordinator reads, past 2^31 too (the coordinator numbers on from it)", async () => {
    const beyondInt32 = 2 ** 31 + 12_345;
    const { progress, worker } = await start(RECORDS_SEQ, beyondInt32);
    await new Promise((resolve) => worker.once("exit", resolve));
    expect(progress.lastEventSeq()).toBe(beyondInt32);
    expect(new WorkerProgress().lastEventSeq()).toBe(0);
  });

  test("a buffer too small for the padded cells is refused at once", () => {
    expect(() => new WorkerProgress(new SharedArrayBuffer(8))).toThrow(/holds 192 bytes, not 8/);
  });
});
