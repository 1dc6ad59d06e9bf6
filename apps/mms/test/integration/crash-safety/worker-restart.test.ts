import { waitFor } from "@mms/test-support";
import { useMmsSuite } from "../../support/mms-fixture";

// A symbol worker that died stays HALTED (WORKER_FAILED) until a human acknowledges it; the
// acknowledgement (`reset` with operator and reason) starts a fresh worker for that symbol,
// which rebuilds the symbol from EXEC and waits PAUSED like any start-up.

const BTC = "BTCUSDT-PERP";
const ETH = "ETHUSDT-PERP";
const ETH_BOOK = { bids: [["3000.0", "10"]] as const, asks: [["3001.0", "10"]] as const };

const suite = useMmsSuite();

test("after a worker death, `reset` with operator and reason starts a fresh worker: PAUSED (STARTUP), the same position rebuilt from EXEC, resumable; the other symbol is unaffected throughout", async () => {
  const mms = await suite.start({ symbols: [{ symbol: BTC }, { symbol: ETH, config: { quoteSize: "0.100" }, ...ETH_BOOK }] });
  const btc = await mms.quoting(BTC);
  await mms.quoting(ETH);
  // Some inventory on BTC: the bid fills in full (fee 0.05), the ask in part (rebate 0.01).
  await mms.exchange.fill(btc.bid.clientOrderId, undefined, "0.05");
  await mms.exchange.fill(btc.ask.clientOrderId, "0.004", "-0.01");
  const before = await waitFor(
    async () => {
      const status = await mms.symbolStatus(BTC);
      return status.position === "0.006" && status.fees === "0.04" && status.openOrders.length === 2 ? status : undefined;
    },
    { timeoutMs: 10_000, description: "BTC: position 0.006, fees 0.04, two quotes resting" },
  );
  const ethBefore = await mms.symbolStatus(ETH);
  expect(ethBefore).toMatchObject({ state: "ACTIVE", reason: null });

  // ETH is watched every ~100 ms for the whole episode: it must stay ACTIVE.
  const ethStates: string[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const status = await mms.symbolStatus(ETH);
      ethStates.push(`${status.state}/${status.reason}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  try {
    await mms.service.terminateWorker(BTC);
    await mms.expectStopped(BTC, "HALTED", "WORKER_FAILED");
    // Without operator and reason the reset is refused, and the symbol stays dead.
    const bare = await mms.control(`mms.control.${BTC}.reset`, {});
    expect(bare).toMatchObject({ ok: false, results: [{ symbol: BTC, accepted: false, reason: "OPERATOR_REQUIRED", to: "HALTED" }] });
    expect(await mms.symbolStatus(BTC)).toMatchObject({ state: "HALTED", reason: "WORKER_FAILED" });

    const intentsBeforeReset = mms.intents(BTC).length;
    const reset = await mms.control(`mms.control.${BTC}.reset`, { operator: "alice", reason: "worker crash looked at" });
    expect(reset).toMatchObject({ ok: true, results: [{ symbol: BTC, from: "HALTED", to: "PAUSED", accepted: true }] });

    // The fresh worker replays EXEC and cancels leftovers before anything else.
    const startupCancel = await waitFor(() => mms.intents(BTC).slice(intentsBeforeReset)[0], { timeoutMs: 20_000, description: "an intent of the fresh BTC worker" });
    expect(startupCancel).toMatchObject({ kind: "CANCEL_ALL", reason: "STARTUP", symbol: BTC });
    // With ids of its own: ORDERS would drop a repeated intentId as a duplicate.
    const earlier = new Set(mms.intents(BTC).slice(0, intentsBeforeReset).map((intent) => intent.intentId));
    expect(earlier.has(startupCancel.intentId)).toBe(false);
    await waitFor(() => mms.service.isReady().ready, { timeoutMs: 20_000, description: "the fresh BTC worker recovered" });
    const after = await mms.waitForState(BTC, "PAUSED", "STARTUP", 20_000);
    expect(after).toMatchObject({ position: before.position, avgEntryPx: before.avgEntryPx, realizedPnl: before.realizedPnl, fees: before.fees, openOrders: [] });
    expect(mms.intents(BTC).slice(intentsBeforeReset).filter((intent) => intent.kind === "NEW")).toEqual([]);
    const restarts = await mms.service.metrics.collectText();
    expect(restarts).toMatch(new RegExp(`mms_worker_restarts_total\\{symbol="${BTC}"\\} 1\\b`));
    // The other symbol's series may exist at zero (pre-created) but never counts.
    expect(restarts).not.toMatch(new RegExp(`mms_worker_restarts_total\\{symbol="${ETH}"\\} [1-9]`));

    // Resumable, and it quotes from the rebuilt inventory (long: both sides shifted down).
    const newsBefore = mms.news(BTC).length;
    await mms.resume(BTC);
    await waitFor(() => mms.exchange.openOrders(BTC).length === 2, { timeoutMs: 10_000, description: "BTC quoting again after the restart" });
    expect(mms.news(BTC).slice(newsBefore).map((intent) => [intent.side, intent.px]).sort()).toEqual([
      ["BUY", "49979.8"],
      ["SELL", "50029.9"],
    ]);
    expect(await mms.symbolStatus(BTC)).toMatchObject({ state: "ACTIVE", position: "0.006" });
    const ids = mms.intents(BTC).map((intent) => intent.intentId);
    expect(new Set(ids).size).toBe(ids.length);
    const orderIds = mms.news(BTC).map((intent) => intent.clientOrderId);
    expect(new Set(orderIds).size).toBe(orderIds.length);

    // ETH still follows its market after all this.
    const ethNews = mms.news(ETH).length;
    mms.exchange.publishDelta(ETH, [["3001.0", "0"], ["3002.0", "5"]], [["3001.0", "0"], ["3003.0", "5"]]);
    await waitFor(() => mms.news(ETH).length >= ethNews + 2, { timeoutMs: 10_000, description: "ETH requoted" });
  } finally {
    watching = false;
    await watcher;
  }

  // Every sample ACTIVE (how many depends on the machine: a status waits for a worker still loading) ...
  expect(ethStates.length).toBeGreaterThanOrEqual(1);
  expect(ethStates.filter((state) => state !== "ACTIVE/null")).toEqual([]);
  // ... and, between samples too, not one state change or alert of ETH; nothing of it cancelled.
  expect(mms.cancelAlls(ETH).filter((intent) => intent.reason !== "STARTUP")).toEqual([]);
  expect(mms.audit.of("state", ETH).filter((event) => event.to !== "ACTIVE")).toEqual([]);
  expect(mms.audit.of("alert", ETH)).toEqual([]);
  await mms.expectCleanRun(["symbol worker failed: cancelling and halting"]);
}, 90_000);
