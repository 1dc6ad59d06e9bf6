import { waitFor, symbolConfig } from "@mms/test-support";
import type { StateEvent } from "@mms/contracts";
import { E2eRun, NO_FILL_BURST_STOP } from "./e2e-harness";

// Each exchange fault, injected on the simulator the way an operator would
// (`sim.control.<SYMBOL>.<fault>` over NATS), must show up in the MMS as the contract's
// state change: the move out of ACTIVE with the contract's reason code, an alert, and no
// MMS order left resting. The cases share one run and go in order; each starts ACTIVE.
const SYMBOL = "BTCUSDT-PERP";
const STALE_MS = 4000;
const MAX_LAG_MS = 1500;

let run: E2eRun;

beforeAll(async () => {
  run = await E2eRun.start({
    symbols: [symbolConfig(SYMBOL, { staleMs: STALE_MS, maxOrdersPerSecond: 50, mmp: NO_FILL_BURST_STOP })],
    risk: { maxLagMs: MAX_LAG_MS, rejectStorm: { count: 5, windowMs: 10_000 } },
    simulator: { seed: 3, driver: { intervalMs: 100 } },
  });
});

afterAll(async () => {
  await run?.stop();
});

interface FaultCase {
  readonly fault: string;
  readonly body?: Record<string, unknown>;
  /** The body names the MMS's account (known once the run started). */
  readonly onAccount?: boolean;
  readonly to: "PAUSED" | "HALTED";
  readonly reason: string;
  /** Puts the exchange back as it was. */
  readonly restore: () => Promise<unknown>;
}

const cases: FaultCase[] = [
  { fault: "halt", to: "PAUSED", reason: "MARKET_HALTED", restore: () => run.sim(SYMBOL, "resume-trading") },
  { fault: "stop-md", to: "PAUSED", reason: "MD_STALE", restore: () => run.sim(SYMBOL, "start-md") },
  { fault: "crossed", to: "PAUSED", reason: "MD_CROSSED", restore: () => run.sim(SYMBOL, "publish-snapshot") },
  // The MMS repairs the book itself with md.<SYMBOL>.snapshot.get.
  { fault: "skip-seq", to: "PAUSED", reason: "MD_GAP", restore: async () => undefined },
  // Held back 2.5 s: beyond maxLagMs (1.5 s), yet within staleMs (4 s), so lag is what shows.
  { fault: "delay-md", body: { ms: 2500 }, to: "PAUSED", reason: "BUS_LAG", restore: () => run.sim(SYMBOL, "delay-md", { ms: 0 }) },
  // The exchange's dead-man fires early: the MMS's orders come back CANCELED with reason COUNTDOWN.
  { fault: "fire-countdown", onAccount: true, to: "PAUSED", reason: "DEADMAN_FIRED", restore: async () => undefined },
  // Someone else trades the MMS account (an IOC that fills at once).
  { fault: "foreign-order", body: { side: "BUY", qty: "0.001" }, onAccount: true, to: "HALTED", reason: "FOREIGN_ORDER", restore: async () => undefined },
  // Last: after a reject storm the symbol needs a reset, and resume waits out the storm window.
  { fault: "reject-all", body: { enabled: true }, to: "HALTED", reason: "REJECT_STORM", restore: () => run.sim(SYMBOL, "reject-all", { enabled: false }) },
];

test.each(cases)("$fault -> $to $reason", async ({ fault, body, onAccount, to, reason, restore }) => {
  await run.explainFailure(async () => {
    await run.resume(SYMBOL, 20_000);
    await waitFor(async () => (await run.mmsOrders(SYMBOL)).length > 0, { timeoutMs: 10_000, description: "the MMS quoting on the exchange" });
    const from = run.events.length;

    await run.sim(SYMBOL, fault, onAccount ? { ...body, account: run.account } : body);

    const stop = await waitFor(() => run.eventsOf("state", SYMBOL, from).find((event: StateEvent) => event.to !== "ACTIVE"), {
      timeoutMs: STALE_MS + 5000,
      description: `a state change after ${fault}`,
    });
    expect({ from: stop.from, to: stop.to, reason: stop.reason }).toEqual({ from: "ACTIVE", to, reason });
    expect(run.eventsOf("alert", SYMBOL, from)).toEqual(expect.arrayContaining([expect.objectContaining({ reason, from: "ACTIVE", to })]));
    expect(await run.status(SYMBOL)).toMatchObject({ state: to, reason });
    // Every move into PAUSED or HALTED cancels the symbol's orders first.
    await waitFor(async () => (await run.mmsOrders(SYMBOL)).length === 0, { timeoutMs: 5000, description: `no MMS order resting after ${fault}` });

    await restore();
    if (to === "HALTED") {
      const reset = await run.control(SYMBOL, "reset", { operator: "e2e", reason: `${fault} looked at` });
      expect(reset.results?.[0]).toMatchObject({ accepted: true, from: "HALTED", to: "PAUSED" });
    }
  });
});
