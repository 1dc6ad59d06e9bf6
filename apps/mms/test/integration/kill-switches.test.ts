import { waitFor, RESUME_BODY } from "@mms/test-support";
import { useMmsSuite, type MmsFixture, sleep, type FixtureOptions } from "../support/mms-fixture";

// Every automatic stop of the contract, end to end: the trigger arrives over NATS, the
// MMS cancels everything (CANCEL_ALL with the reason on ORDERS), changes state, and
// writes an alert to mms.events.<SYMBOL>.alert.

const BTC = "BTCUSDT-PERP";
const ETH = "ETHUSDT-PERP";
const ETH_BOOK = { bids: [["3000.0", "10"]] as const, asks: [["3001.0", "10"]] as const };

const suite = useMmsSuite();
const start = (options: FixtureOptions): Promise<MmsFixture> => suite.start(options);

describe("market-data faults pause the symbol", () => {
  test("MD_STALE: market data silent for staleMs cancels all and pauses", async () => {
    const mms = await start({ symbols: [{ symbol: BTC, config: { staleMs: 800 } }] });
    await mms.quoting(BTC);
    mms.stopHeartbeat(BTC);
    await mms.expectStopped(BTC, "PAUSED", "MD_STALE");
    await mms.expectCleanRun();
  });

  test("MD_GAP: a skipped delta seq cancels all, pauses, asks for a snapshot again, and the repaired book waits for resume", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }] });
    await mms.quoting(BTC);
    const requestsBefore = mms.exchange.snapshotRequests.get(BTC) ?? 0;
    mms.exchange.publishDelta(BTC, [["49999.0", "2"]], [], { skipSeq: true });
    await mms.expectStopped(BTC, "PAUSED", "MD_GAP");
    await waitFor(() => (mms.exchange.snapshotRequests.get(BTC) ?? 0) > requestsBefore, { timeoutMs: 10_000, description: "snapshot.get asked again" });
    const newsAfterGap = mms.news(BTC).length;
    // The repaired book arrives with the reply; quoting must not start by itself.
    await sleep(700);
    expect(await mms.symbolStatus(BTC)).toMatchObject({ state: "PAUSED", reason: "MD_GAP", openOrders: [] });
    expect(mms.news(BTC)).toHaveLength(newsAfterGap);
    // The book is whole again: resume is accepted and quoting starts.
    const resumed = await mms.control(`mms.control.${BTC}.resume`, RESUME_BODY);
    expect(resumed.results?.[0]).toMatchObject({ accepted: true, from: "PAUSED", to: "ACTIVE" });
    await waitFor(() => mms.news(BTC).length >= newsAfterGap + 2, { timeoutMs: 10_000, description: "quotes after the repaired book" });
    await mms.expectCleanRun();
  });

  test("MD_GAP: a status whose seq is ahead of the book is a gap too", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }] });
    await mms.quoting(BTC);
    mms.exchange.publishRaw(`md.${BTC}.status`, JSON.stringify({ symbol: BTC, ts: Date.now(), seq: 99, status: "TRADING" }));
    await mms.expectStopped(BTC, "PAUSED", "MD_GAP");
    await mms.expectCleanRun();
  });

  test("MD_INVALID: market data that fails validation is not applied; it cancels all and pauses", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }] });
    await mms.quoting(BTC);
    // A price as a JSON number: the contract wants decimal strings.
    mms.exchange.publishRaw(`md.${BTC}.delta`, JSON.stringify({ symbol: BTC, seq: 2, ts: Date.now(), bids: [[50001.5, "1"]], asks: [] }));
    await mms.expectStopped(BTC, "PAUSED", "MD_INVALID");
    await mms.expectCleanRun();
  });

  test("MD_CROSSED: best bid at or above best ask cancels all and pauses", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }] });
    await mms.quoting(BTC);
    mms.exchange.publishDelta(BTC, [["50010.0", "1"]], []);
    await mms.expectStopped(BTC, "PAUSED", "MD_CROSSED");
    await mms.expectCleanRun();
  });

  test("BUS_LAG: market data stamped more than maxLagMs ago cancels all and pauses", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }] });
    await mms.quoting(BTC);
    mms.exchange.marketDataAgeMs = 3000;
    await mms.expectStopped(BTC, "PAUSED", "BUS_LAG");
    await mms.expectCleanRun();
  });

  test("BUS_LAG: a live execution report older than maxLagMs cancels all and pauses", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }] });
    const { bid } = await mms.quoting(BTC);
    await mms.exchange.fill(bid.clientOrderId, "0.004", "0", { ts: Date.now() - 5000 });
    await mms.expectStopped(BTC, "PAUSED", "BUS_LAG");
    // The late report still counts: inventory is what the exchange says.
    expect((await mms.symbolStatus(BTC)).position).toBe("0.004");
    await mms.expectCleanRun();
  });

  test("MARKET_HALTED: a HALTED market status cancels all and pauses", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }] });
    await mms.quoting(BTC);
    mms.exchange.publishStatus(BTC, "HALTED");
    await mms.expectStopped(BTC, "PAUSED", "MARKET_HALTED");
    await mms.expectCleanRun();
  });
});

describe("limits halt", () => {
  test("POSITION_LIMIT: fills taking |position| beyond maxPosition cancel all and halt", async () => {
    const mms = await start({ symbols: [{ symbol: BTC, config: { maxPosition: "0.015" } }] });
    const { bid } = await mms.quoting(BTC);
    await mms.exchange.fill(bid.clientOrderId);
    await waitFor(async () => (await mms.symbolStatus(BTC)).position === "0.01", { timeoutMs: 10_000, description: "position 0.01" });
    // A leftover order of an earlier run fills too: 0.02 long, above 0.015.
    await mms.exchange.report({ kind: "FILL", account: mms.account, symbol: BTC, clientOrderId: "MM-LEFTOVER-1", orderId: "X-LEFTOVER-1", side: "BUY", fillId: "F-LEFTOVER-1", px: "50000.0", qty: "0.010", leavesQty: "0", fee: "0", liquidity: "MAKER" });
    await mms.expectStopped(BTC, "HALTED", "POSITION_LIMIT");
    expect((await mms.symbolStatus(BTC)).position).toBe("0.02");
    await mms.expectCleanRun(["symbol HALTED"]);
  });

  test("EXPOSURE_LIMIT: total |position| x mid over every symbol above maxTotalExposure halts every symbol", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }, { symbol: ETH, config: { quoteSize: "0.100" }, ...ETH_BOOK }], risk: { maxTotalExposure: "700" } });
    const btc = await mms.quoting(BTC);
    const eth = await mms.quoting(ETH);
    // 0.01 x 50005 = 500.05: within the limit on its own.
    await mms.exchange.fill(btc.bid.clientOrderId);
    await waitFor(async () => (await mms.symbolStatus(BTC)).position === "0.01", { timeoutMs: 10_000, description: "BTC position" });
    await sleep(300);
    expect((await mms.symbolStatus(BTC)).state).toBe("ACTIVE");
    // Plus 0.1 x 3000.5 = 300.05: 800.1 in total, above 700.
    await mms.exchange.fill(eth.ask.clientOrderId);
    await mms.expectStopped(BTC, "HALTED", "EXPOSURE_LIMIT");
    await mms.expectStopped(ETH, "HALTED", "EXPOSURE_LIMIT");
    await mms.expectCleanRun(["symbol HALTED", "global risk breach", "global risk limit breached: halting every symbol"]);
  });

  test("DRAWDOWN_LIMIT: fees driving equity below its peak by more than maxDrawdown halt every symbol", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }, { symbol: ETH, config: { quoteSize: "0.100" }, ...ETH_BOOK }], risk: { maxDrawdown: "5" } });
    const btc = await mms.quoting(BTC);
    await mms.quoting(ETH);
    // Equity: +0.251 unrealized (bought 0.01 at 49979.9, mid 50005) - 6 fees = -5.749.
    await mms.exchange.fill(btc.bid.clientOrderId, undefined, "6");
    await mms.expectStopped(BTC, "HALTED", "DRAWDOWN_LIMIT");
    await mms.expectStopped(ETH, "HALTED", "DRAWDOWN_LIMIT");
    expect((await mms.symbolStatus(BTC)).fees).toBe("6");
    await mms.expectCleanRun(["symbol HALTED", "global risk breach", "global risk limit breached: halting every symbol"]);
  });

  test("DRAWDOWN_LIMIT: an adverse mark on an open position halts every symbol", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }, { symbol: ETH, config: { quoteSize: "0.100" }, ...ETH_BOOK }], risk: { maxDrawdown: "5" } });
    const btc = await mms.quoting(BTC);
    await mms.quoting(ETH);
    await mms.exchange.fill(btc.bid.clientOrderId);
    await waitFor(async () => (await mms.symbolStatus(BTC)).position === "0.01", { timeoutMs: 10_000, description: "BTC position" });
    // The market drops ~2%: long 0.01 from 49979.9, marked at 49005: -9.749.
    mms.exchange.publishSnapshot(BTC, [["49000.0", "1"]], [["49010.0", "1"]]);
    await mms.expectStopped(BTC, "HALTED", "DRAWDOWN_LIMIT");
    await mms.expectStopped(ETH, "HALTED", "DRAWDOWN_LIMIT");
    await mms.expectCleanRun(["symbol HALTED", "global risk breach", "global risk limit breached: halting every symbol"]);
  });

  test("REJECT_STORM: repeated REJECTED reports cancel all and halt", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }] });
    mms.exchange.autoRespond = false;
    const answered = new Set<string>();
    const rejecter = setInterval(() => {
      for (const intent of mms.news(BTC)) {
        if (answered.has(intent.clientOrderId)) continue;
        answered.add(intent.clientOrderId);
        void mms.exchange.report({ kind: "REJECTED", account: intent.account, symbol: BTC, clientOrderId: intent.clientOrderId, reason: "POST_ONLY_WOULD_CROSS" });
      }
    }, 20);
    try {
      await mms.resume(BTC);
      await mms.expectStopped(BTC, "HALTED", "REJECT_STORM");
    } finally {
      clearInterval(rejecter);
    }
    expect(answered.size).toBeGreaterThanOrEqual(5);
    await mms.expectCleanRun(["symbol HALTED"]);
  });
});

describe("worker death", () => {
  test("a dead symbol worker: the coordinator cancels its orders and halts it (WORKER_FAILED); the other symbol keeps quoting", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }, { symbol: ETH, config: { quoteSize: "0.100" }, ...ETH_BOOK }] });
    await mms.quoting(BTC);
    await mms.quoting(ETH);
    await mms.service.terminateWorker(BTC);
    await mms.expectStopped(BTC, "HALTED", "WORKER_FAILED");
    expect(await mms.symbolStatus(ETH)).toMatchObject({ state: "ACTIVE", reason: null });
    // ETH still follows its market: a 10-tick move replaces both quotes.
    const ethNews = mms.news(ETH).length;
    mms.exchange.publishDelta(ETH, [["3001.0", "0"], ["3002.0", "5"]], [["3001.0", "0"], ["3003.0", "5"]]);
    await waitFor(() => mms.news(ETH).length >= ethNews + 2, { timeoutMs: 10_000, description: "ETH requoted after BTC's worker died" });
    expect(mms.cancelAlls(ETH).filter((intent) => intent.reason !== "STARTUP")).toEqual([]);
    // The dead symbol is not revived: resume is refused, kill is still carried out.
    const resume = await mms.control(`mms.control.${BTC}.resume`, RESUME_BODY);
    expect(resume).toMatchObject({ ok: false, results: [{ symbol: BTC, accepted: false, reason: "WORKER_FAILED" }] });
    await mms.expectCleanRun(["symbol worker failed: cancelling and halting"]);
  });
});
