import { waitFor, RESUME_BODY } from "@mms/test-support";
import { useMmsSuite, type MmsFixture, sleep, type FixtureOptions } from "../support/mms-fixture";

const SYMBOL = "BTCUSDT-PERP";

const suite = useMmsSuite();
const start = (options: Partial<FixtureOptions> = {}): Promise<MmsFixture> => suite.start({ symbols: [{ symbol: SYMBOL }], ...options });

const resume = (mms: MmsFixture, body: unknown) => mms.control(`mms.control.${SYMBOL}.resume`, body);

describe("start-up and resume", () => {
  test("starts PAUSED with reason STARTUP and sends no order before resume", async () => {
    const mms = await start();
    await sleep(500);
    const reply = await mms.status();
    expect(reply.instance).toBe(mms.service.instance);
    expect(reply.symbols).toEqual([expect.objectContaining({ symbol: SYMBOL, state: "PAUSED", reason: "STARTUP", mode: "live", position: "0", openOrders: [] })]);
    expect(mms.news(SYMBOL)).toEqual([]);
    await mms.expectCleanRun();
  });

  test("resume without an operator is refused (OPERATOR_REQUIRED)", async () => {
    const mms = await start();
    expect(await mms.control(`mms.control.${SYMBOL}.resume`)).toEqual({ ok: false, instance: mms.service.instance, results: [{ symbol: SYMBOL, from: "PAUSED", to: "PAUSED", accepted: false, reason: "OPERATOR_REQUIRED" }] });
    expect((await resume(mms, { reason: "no name" })).results?.[0]).toMatchObject({ accepted: false, reason: "OPERATOR_REQUIRED" });
    expect(mms.news(SYMBOL)).toEqual([]);
    await mms.expectCleanRun();
  });

  test("resume on a stale book is refused (MD_STALE)", async () => {
    const mms = await start({ symbols: [{ symbol: SYMBOL, config: { staleMs: 800 } }] });
    await mms.resume(SYMBOL);
    await mms.control(`mms.control.${SYMBOL}.pause`);
    mms.stopHeartbeat(SYMBOL);
    await sleep(1200);
    expect((await resume(mms, RESUME_BODY)).results?.[0]).toMatchObject({ accepted: false, reason: "MD_STALE", to: "PAUSED" });
    // Fresh data again: accepted.
    mms.startHeartbeat(SYMBOL);
    await mms.resume(SYMBOL);
    await mms.expectCleanRun();
  });

  test("resume on a crossed book is refused (MD_CROSSED)", async () => {
    const mms = await start({ symbols: [{ symbol: SYMBOL, bids: [["50010.0", "1"]], asks: [["50005.0", "1"]] }] });
    // Still PAUSED for why it stopped (start-up); what blocks a resume shows in resumeBlockers.
    await waitFor(async () => (await mms.symbolStatus(SYMBOL)).resumeBlockers?.includes("MD_CROSSED"), { timeoutMs: 10_000, description: "MD_CROSSED among the resume blockers" });
    expect((await resume(mms, RESUME_BODY)).results?.[0]).toMatchObject({ accepted: false, reason: "MD_CROSSED" });
    mms.exchange.publishSnapshot(SYMBOL, [["50000.0", "1"]], [["50010.0", "1"]]);
    await mms.resume(SYMBOL);
    await mms.expectCleanRun();
  });

  test("resume on a halted market is refused (MARKET_HALTED)", async () => {
    const mms = await start();
    mms.exchange.publishStatus(SYMBOL, "HALTED");
    await waitFor(async () => (await mms.symbolStatus(SYMBOL)).resumeBlockers?.includes("MARKET_HALTED"), { timeoutMs: 10_000, description: "MARKET_HALTED among the resume blockers" });
    expect((await resume(mms, RESUME_BODY)).results?.[0]).toMatchObject({ accepted: false, reason: "MARKET_HALTED" });
    mms.exchange.publishStatus(SYMBOL, "TRADING");
    await mms.resume(SYMBOL);
    await mms.expectCleanRun();
  });
});

describe("quoting", () => {
  test("resume quotes the contract formula and a fill shifts both quotes down", async () => {
    const mms = await start();
    const reply = await mms.resume(SYMBOL);
    expect(reply).toEqual({ ok: true, instance: mms.service.instance, results: [{ symbol: SYMBOL, from: "PAUSED", to: "ACTIVE", accepted: true }] });
    await waitFor(() => mms.news(SYMBOL).length >= 2, { timeoutMs: 10_000, description: "two quotes" });
    // mid 50005, spread 10 bps: 50005 x (1 -/+ 0.0005) = 49979.9975 / 50030.0025, rounded away from mid.
    expect(mms.news(SYMBOL).map((intent) => [intent.side, intent.px, intent.qty, intent.tif, intent.type, intent.tag, intent.account])).toEqual([
      ["BUY", "49979.9", "0.010", "POST_ONLY", "LIMIT", "MM", mms.account],
      ["SELL", "50030.1", "0.010", "POST_ONLY", "LIMIT", "MM", mms.account],
    ]);
    await mms.audit.waitFor("quote", (event) => event.bid?.px === "49979.9" && event.ask?.px === "50030.1", "quote event");
    await waitFor(() => mms.exchange.openOrders(SYMBOL).length === 2, { timeoutMs: 10_000, description: "both quotes resting" });
    const bid = mms.exchange.openOrders(SYMBOL).find((order) => order.side === "BUY")!;
    await mms.exchange.fill(bid.clientOrderId);
    // Long 0.010 of max 1.0: shift = -5/10000 x 50005 x 0.01 = -0.250025 on both sides:
    // bid 49979.747475 rounds down to 49979.7; ask 50029.752475 rounds up to 50029.8, three
    // ticks from the resting 50030.1 (tolerance 2): both are replaced.
    await waitFor(() => mms.news(SYMBOL).length >= 4, { timeoutMs: 10_000, description: "both quotes replaced" });
    const replacements = mms.news(SYMBOL).slice(2);
    expect(replacements.map((intent) => [intent.side, intent.px]).sort()).toEqual([
      ["BUY", "49979.7"],
      ["SELL", "50029.8"],
    ]);
    const ask = mms.news(SYMBOL)[1]!;
    expect(mms.intents(SYMBOL).some((intent) => intent.kind === "CANCEL" && intent.clientOrderId === ask.clientOrderId)).toBe(true);
    await waitFor(async () => (await mms.symbolStatus(SYMBOL)).position === "0.01", { timeoutMs: 10_000, description: "position 0.01" });
    await mms.audit.waitFor("fill", (event) => event.clientOrderId === bid.clientOrderId && event.position === "0.01", "fill event");
    await mms.expectCleanRun();
  });

  test("no churn while the market moves within tolerance", async () => {
    const mms = await start();
    await mms.quoting(SYMBOL);
    const before = mms.intents(SYMBOL).length;
    // Mid moves by 0.05: both desired prices move by at most one tick.
    mms.exchange.publishDelta(SYMBOL, [["50000.1", "1"]], []);
    await sleep(800);
    expect(mms.intents(SYMBOL).slice(before).filter((intent) => intent.kind === "NEW" || intent.kind === "CANCEL")).toEqual([]);
    // Beyond tolerance (mid +5), both are replaced.
    mms.exchange.publishDelta(SYMBOL, [["50010.0", "1"]], [["50010.0", "0"], ["50020.0", "1"]]);
    await waitFor(() => mms.news(SYMBOL).length >= 4, { timeoutMs: 10_000, description: "requote beyond tolerance" });
    await mms.expectCleanRun();
  });
});
