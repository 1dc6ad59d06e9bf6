import Big from "big.js";
import { waitFor, symbolConfig } from "@mms/test-support";
import type { SimOrder } from "@mms/test-support";
import { E2eRun, NO_FILL_BURST_STOP, bestPrice, roundUpToStep, sleep, type Snapshot } from "./e2e-harness";

// One MMS quoting BTCUSDT-PERP against the simulator's seeded market. The tests run in order
// on the same run: spread first (the MMS starts flat), then inventory under one-sided flow,
// then the ledgers of both sides are reconciled over every fill the run made.
const SYMBOL = "BTCUSDT-PERP";
const TICK = new Big("0.1");
const SPREAD_BPS = new Big("10");
const SKEW_BPS = new Big("5");
const MAX_POSITION = new Big("0.05");
const QUOTE_SIZE = new Big("0.010");

// A fast driver's one-sided flow is exactly a fill burst; these tests are about quoting and
// position limits, so the fill-burst stop (MMP_TRIGGERED) is set out of reach.

let run: E2eRun;

beforeAll(async () => {
  run = await E2eRun.start({
    symbols: [symbolConfig(SYMBOL, { maxPosition: MAX_POSITION.toFixed(), quoteSize: "0.010", spreadBps: SPREAD_BPS.toFixed(), skewBps: SKEW_BPS.toFixed(), maxOrdersPerSecond: 50, mmp: NO_FILL_BURST_STOP })],
    // A fast driver: a taker chance every 50 ms, so a minute of market fits in seconds.
    simulator: { seed: 42, driver: { intervalMs: 50, settings: { takerProbability: 0.3 } } },
  });
});

afterAll(async () => {
  await run?.stop();
});

/**
 * The widest quote the MMS makes: the target spread around mid, each side rounded outward to
 * the tick. (Between two decisions a side may rest up to requoteToleranceTicks off its new
 * price, contract Quoting 5; the samples below are single decisions, so that does not apply.)
 */
function widestQuoted(mid: Big): Big {
  return roundUpToStep(mid.times(SPREAD_BPS).div(10000), TICK).plus(TICK);
}

/**
 * The only stop these tests expect is the start-up pause (contract, Start-up). Any other
 * (MD_GAP, BUS_LAG, MD_STALE, PRICE_JUMP, a HALT...) is a finding and fails the test with its
 * reason and alert: resuming from it would hide a false stop. maxLagMs (2000 ms) and staleMs
 * (3000 ms) leave seconds of room for a loaded machine against a feed that ticks every 50 ms.
 */
const EXPECTED_STOPS = ["STARTUP"] as const;

function expectNoUnexpectedStop(): void {
  run.expectOnlyStops(SYMBOL, EXPECTED_STOPS);
}

const resumeFromExpectedStop = () => run.resume(SYMBOL, 15_000, EXPECTED_STOPS);

/** The position under test; fails first if the symbol stopped for anything unexpected. */
async function activePosition(): Promise<Big> {
  expectNoUnexpectedStop();
  const status = await run.status(SYMBOL);
  // Null only while the inventory is rebuilt at start: nothing pushed yet.
  return new Big(status.position ?? "0");
}

const hasLevel = (levels: readonly [string, string][], px: string) => levels.some(([levelPx]) => new Big(levelPx).eq(px));

test("with the MMS quoting, the best spread is within its target spread; without it the background book is wider", async () => {
  await run.explainFailure(async () => {
    // Before resume the MMS has no order: the book is the background makers alone.
    const before = await run.snapshot(SYMBOL);
    const backgroundBid = bestPrice(before.bids, "BUY")!;
    const backgroundAsk = bestPrice(before.asks, "SELL")!;
    const backgroundMid = backgroundBid.plus(backgroundAsk).div(2);
    expect(backgroundAsk.minus(backgroundBid).gt(widestQuoted(backgroundMid))).toBe(true);

    const resumedAt = run.events.length;
    await resumeFromExpectedStop();

    // Samples where both MMS quotes are on the exchange, in the same snapshot, as one quote:
    // the bid and ask of one quote decision (a `quote` audit event). Mid-requote, one side may
    // be a cancel in flight from an earlier decision while the other is already new: a passing
    // mix of two decisions, not a quote, and left out.
    const samples: Array<{ snapshot: Snapshot; orders: SimOrder[]; quotedMid: Big }> = [];
    const deadline = Date.now() + 20_000;
    while (samples.length < 8 && Date.now() < deadline) {
      const [orders, snapshot] = await Promise.all([run.mmsOrders(SYMBOL), run.snapshot(SYMBOL)]);
      const bid = orders.find((order) => order.side === "BUY");
      const ask = orders.find((order) => order.side === "SELL");
      const oneQuote = bid && ask && run.eventsOf("quote", SYMBOL, resumedAt).find((quote) => quote.bid && quote.ask && new Big(quote.bid.px).eq(bid.px) && new Big(quote.ask.px).eq(ask.px));
      // The quote was made around the mid of that decision, which the book may have left since.
      if (oneQuote && hasLevel(snapshot.bids, bid.px) && hasLevel(snapshot.asks, ask.px)) samples.push({ snapshot, orders, quotedMid: new Big(oneQuote.mid) });
      else await activePosition();
      await sleep(100);
    }
    expect(samples.length).toBeGreaterThanOrEqual(8);

    const findings = samples.map(({ snapshot, orders, quotedMid }) => {
      const bid = bestPrice(snapshot.bids, "BUY")!;
      const ask = bestPrice(snapshot.asks, "SELL")!;
      const mid = bid.plus(ask).div(2);
      const withoutBid = bestPrice(snapshot.bids, "BUY", orders);
      const withoutAsk = bestPrice(snapshot.asks, "SELL", orders);
      return {
        quotes: orders.map((order) => `${order.side} ${order.px}`).join(" "),
        market: `${bid.toFixed()}/${ask.toFixed()}`,
        spread: ask.minus(bid).toFixed(),
        widestAllowed: widestQuoted(quotedMid).toFixed(),
        withinTarget: ask.minus(bid).lte(widestQuoted(quotedMid)),
        backgroundWider: withoutBid !== undefined && withoutAsk !== undefined && withoutAsk.minus(withoutBid).gt(widestQuoted(mid)),
      };
    });
    expect(findings.filter((finding) => !finding.withinTarget || !finding.backgroundWider)).toEqual([]);
    expectNoUnexpectedStop();
  });
});

test("one-sided taker flow: |position| never exceeds maxPosition, and the skew brings it back once the flow turns", async () => {
  await run.explainFailure(async () => {
    await resumeFromExpectedStop();
    const from = run.events.length;

    // Takers only sell: they hit the MMS bid over and over, so the MMS gets longer.
    await run.sim(SYMBOL, "taker-flow", { flow: "SELL", probability: 0.9 });
    await waitFor(async () => (await activePosition()).gte(MAX_POSITION.minus(QUOTE_SIZE)), { timeoutMs: 30_000, intervalMs: 200, description: "position pushed near maxPosition" });
    // Keep pushing at the limit for a while: the side rule must hold it there.
    await sleep(3000);
    const atTurn = new Big((await run.status(SYMBOL)).position!);

    // Takers on both sides now: only the skewed ask is near the market, so the MMS sells back.
    await run.sim(SYMBOL, "taker-flow", { flow: "BOTH", probability: 0.9 });
    await waitFor(async () => (await activePosition()).abs().lte(atTurn.abs().minus(QUOTE_SIZE.times(2))), {
      timeoutMs: 30_000,
      intervalMs: 200,
      description: `|position| down from ${atTurn.toFixed()} by two quote sizes`,
    });
    await run.sim(SYMBOL, "taker-flow", { flow: "BOTH", probability: 0.3 });

    // Every fill of the run, as the MMS reported it: never beyond the limit, so never a POSITION_LIMIT halt.
    const fills = run.eventsOf("fill", SYMBOL, from);
    expect(fills.length).toBeGreaterThan(10);
    expect(fills.filter((fill) => new Big(fill.position).abs().gt(MAX_POSITION)).map((fill) => fill.position)).toEqual([]);
    expect(run.eventsOf("state", SYMBOL, from).filter((event) => event.to === "HALTED")).toEqual([]);

    // The skew: while long, the ask is quoted below where a flat book would put it (and the bid too).
    const longQuotes = run.eventsOf("quote", SYMBOL, from).filter((quote) => new Big(quote.position).gte(QUOTE_SIZE) && quote.ask !== null);
    expect(longQuotes.length).toBeGreaterThan(0);
    const unskewed = (mid: Big) => roundUpToStep(mid.times(new Big(1).plus(SPREAD_BPS.div(20000))), TICK);
    expect(longQuotes.filter((quote) => !new Big(quote.ask!.px).lt(unskewed(new Big(quote.mid)))).map((quote) => ({ mid: quote.mid, position: quote.position, ask: quote.ask }))).toEqual([]);
    expectNoUnexpectedStop();
  });
});

test("the MMS ledger equals the exchange's record of the MMS account's fills, to the last decimal", async () => {
  await run.explainFailure(async () => {
    // More two-way business, then quiet: no taker, so no new fill.
    await resumeFromExpectedStop();
    await sleep(2000);
    await run.sim(SYMBOL, "pause-driver");

    // A null (inventory still being rebuilt) stays null: it never equals the exchange's figures.
    const exact = (value: string | null) => (value === null ? null : new Big(value).toFixed());
    const canonical = (record: { position: string | null; realizedPnl: string | null; fees: string | null }) => ({
      position: exact(record.position),
      realizedPnl: exact(record.realizedPnl),
      fees: exact(record.fees),
    });
    // The exchange's ledger is final at once; the MMS's follows through EXEC: wait until they agree (or time out and show both).
    let mms = await run.status(SYMBOL);
    let exchange = await run.ledger(SYMBOL);
    await waitFor(
      async () => {
        [mms, exchange] = await Promise.all([run.status(SYMBOL), run.ledger(SYMBOL)]);
        const expected = exchange ? canonical(exchange) : undefined;
        const actual = canonical(mms);
        return expected !== undefined && actual.position === expected.position && actual.realizedPnl === expected.realizedPnl && actual.fees === expected.fees;
      },
      { timeoutMs: 10_000, intervalMs: 200, description: "MMS ledger caught up with the exchange" },
    ).catch(() => undefined);

    expect(exchange).toBeDefined();
    expect(exchange!.fillCount).toBeGreaterThanOrEqual(20);
    expect(new Big(exchange!.realizedPnl).eq(0)).toBe(false);
    expect(canonical(mms)).toEqual(canonical(exchange!));
    // Both use average cost; the average entry differs at most by division precision.
    if (exchange!.avgEntryPx === null) expect(mms.avgEntryPx).toBeNull();
    else expect(new Big(mms.avgEntryPx!).minus(exchange!.avgEntryPx).abs().lt("1e-12")).toBe(true);
    // And the MMS saw every fill the exchange made for it, each exactly once.
    expect(run.eventsOf("fill", SYMBOL).length).toBe(exchange!.fillCount);
  });
});

test("in a still market the MMS leaves its resting quotes alone", async () => {
  await run.explainFailure(async () => {
    // Nothing moves but the MMS itself: no driver, no taker. Its quotes are in the book it reads,
    // and must not make it chase itself (contract, Quoting 5: a resting order within
    // requoteToleranceTicks of the desired price is left alone).
    await run.sim(SYMBOL, "pause-driver");
    await resumeFromExpectedStop();
    await sleep(2000);
    const from = run.events.length;
    await sleep(3000);
    const churn = run.eventsOf("intent", SYMBOL, from).filter((event) => event.intent.kind === "NEW" || event.intent.kind === "CANCEL");
    const quotes = run.eventsOf("quote", SYMBOL, from).map((quote) => `mid ${quote.mid} book ${quote.bestBid}/${quote.bestAsk} -> ${quote.bid?.px ?? "-"}/${quote.ask?.px ?? "-"}`);
    expect({ newAndCancelIntents: churn.length, evidence: churn.length === 0 ? [] : quotes.slice(0, 6) }).toEqual({ newAndCancelIntents: 0, evidence: [] });
    expectNoUnexpectedStop();
  });
});
