import fc from "fast-check";
import type { ExecutionReport, Side } from "@mms/contracts";
import { Big, Ledger, initialSymbolState, stepSymbol } from "../src";
import { ACCOUNT, SYMBOL, baseConfig } from "./harness";

const fill = (side: Side, px: string, qty: string, fee = "0") => ({ side, px, qty, fee });

describe("Ledger by hand", () => {
  test("buy 1 @100, buy 1 @110, sell 1 @120: position 1, avg 105, realized 15", () => {
    const ledger = new Ledger();
    ledger.applyFill(fill("BUY", "100", "1"));
    expect(ledger.averageEntryPrice!.toFixed()).toBe("100");
    ledger.applyFill(fill("BUY", "110", "1"));
    // avg = (1 x 100 + 1 x 110) / 2 = 105
    expect(ledger.position.toFixed()).toBe("2");
    expect(ledger.averageEntryPrice!.toFixed()).toBe("105");
    ledger.applyFill(fill("SELL", "120", "1"));
    // realized = (120 - 105) x 1 = 15; the remaining 1 keeps avg 105
    expect(ledger.realizedPnl.toFixed()).toBe("15");
    expect(ledger.position.toFixed()).toBe("1");
    expect(ledger.averageEntryPrice!.toFixed()).toBe("105");
    // unrealized at 100: (100 - 105) x 1 = -5; equity = 15 - 5 - 0 = 10
    expect(ledger.unrealizedPnl(new Big("100")).toFixed()).toBe("-5");
    expect(ledger.equity(new Big("100")).toFixed()).toBe("10");
  });

  test("a sell through zero realizes the closed part and opens a short at the fill price", () => {
    const ledger = new Ledger();
    ledger.applyFill(fill("BUY", "100", "1"));
    ledger.applyFill(fill("BUY", "110", "1")); // 2 @ 105
    ledger.applyFill(fill("SELL", "120", "1")); // realized 15, 1 @ 105
    ledger.applyFill(fill("SELL", "100", "3")); // closes 1 @ 105 at 100: -5 -> realized 10; short 2 @ 100
    expect(ledger.realizedPnl.toFixed()).toBe("10");
    expect(ledger.position.toFixed()).toBe("-2");
    expect(ledger.averageEntryPrice!.toFixed()).toBe("100");
    // unrealized short at 90: (90 - 100) x -2 = +20
    expect(ledger.unrealizedPnl(new Big("90")).toFixed()).toBe("20");
    ledger.applyFill(fill("BUY", "90", "2")); // covers 2 @ 100 at 90: +20 -> realized 30, flat
    expect(ledger.realizedPnl.toFixed()).toBe("30");
    expect(ledger.position.eq(0)).toBe(true);
    expect(ledger.averageEntryPrice).toBeUndefined();
    expect(ledger.unrealizedPnl(new Big("1000")).toFixed()).toBe("0");
  });

  test("a short built in two steps averages its entry and realizes on cover", () => {
    const ledger = new Ledger();
    ledger.applyFill(fill("SELL", "200", "1"));
    ledger.applyFill(fill("SELL", "180", "3")); // avg (200 + 540) / 4 = 185
    expect(ledger.averageEntryPrice!.toFixed()).toBe("185");
    ledger.applyFill(fill("BUY", "175", "2")); // (175 - 185) x 2 x -1 = +20
    expect(ledger.realizedPnl.toFixed()).toBe("20");
    expect(ledger.position.toFixed()).toBe("-2");
    expect(ledger.averageEntryPrice!.toFixed()).toBe("185");
  });

  test("fees accumulate apart from realized PnL, rebates are negative, equity subtracts them", () => {
    const ledger = new Ledger();
    ledger.applyFill(fill("BUY", "100", "1", "0.05"));
    ledger.applyFill(fill("SELL", "101", "1", "-0.02"));
    expect(ledger.fees.toFixed()).toBe("0.03");
    expect(ledger.realizedPnl.toFixed()).toBe("1");
    expect(ledger.equity(undefined).toFixed()).toBe("0.97");
  });

  test("exposure is |position| x mark, and the entry price stands in before a mark exists", () => {
    const ledger = new Ledger();
    ledger.applyFill(fill("SELL", "100", "2"));
    expect(ledger.exposure(new Big("110")).toFixed()).toBe("220");
    expect(ledger.exposure(undefined).toFixed()).toBe("200");
  });
});

// ---------------------------------------------------------------------------------
// Order independence, through the actor (which deduplicates by execId).

interface FillSpec {
  readonly side: Side;
  readonly pxTicks: number;
  readonly qtyLots: number;
  readonly feeCents: number;
}

const fillSpec: fc.Arbitrary<FillSpec> = fc.record({
  side: fc.constantFrom<Side>("BUY", "SELL"),
  pxTicks: fc.integer({ min: 1, max: 200_000 }),
  qtyLots: fc.integer({ min: 1, max: 5000 }),
  feeCents: fc.integer({ min: -500, max: 500 }),
});

function reportsFor(fills: readonly FillSpec[]): ExecutionReport[] {
  return fills.map((spec, index) => ({
    kind: "FILL",
    execId: `e${index}`,
    account: ACCOUNT,
    symbol: SYMBOL,
    ts: 1000,
    clientOrderId: `o${index}`,
    orderId: `x${index}`,
    side: spec.side,
    fillId: `f${index}`,
    px: new Big(spec.pxTicks).div(10).toFixed(),
    qty: new Big(spec.qtyLots).div(1000).toFixed(),
    leavesQty: "0",
    fee: new Big(spec.feeCents).div(100).toFixed(),
    liquidity: "MAKER",
  }));
}

function ledgerAfter(reports: readonly ExecutionReport[], replay: boolean) {
  const actor = initialSymbolState({ config: { ...baseConfig, maxPosition: "1000000" }, account: ACCOUNT, maxLagMs: 2000, rejectStorm: { count: 5, windowMs: 10000 }, idPrefix: "MM-p", leaseRequired: false });
  for (const report of reports) stepSymbol(actor, { kind: "EXECUTION_REPORT", report, replay }, 1000);
  return actor.ledger;
}

/** Cash accounting: mark x position - sum(signed px x qty) - fees. Independent of any average. */
function cashEquity(reports: readonly ExecutionReport[], mark: Big): Big {
  let position = new Big(0);
  let cash = new Big(0);
  for (const report of reports) {
    if (report.kind !== "FILL") continue;
    const signed = report.side === "BUY" ? new Big(report.qty) : new Big(report.qty).neg();
    position = position.plus(signed);
    cash = cash.minus(signed.times(report.px)).minus(report.fee);
  }
  return mark.times(position).plus(cash);
}

// The average entry price is a division (big.js keeps 20 decimal places), so equities
// from different orders agree to far below any price tick, not to the last digit.
const EPSILON = new Big("1e-9");

describe("Ledger properties", () => {
  test("position, fees and equity at a fixed mark are the same for any order of the same reports with duplicates", () => {
    fc.assert(
      fc.property(
        fc.array(fillSpec, { minLength: 1, maxLength: 25 }).chain((fills) => {
          const reports = reportsFor(fills);
          // a permutation of the reports with some of them repeated anywhere
          const withDuplicates = fc.array(fc.nat({ max: reports.length - 1 }), { maxLength: 10 }).map((extra) => [...reports, ...extra.map((index) => reports[index]!)]);
          return fc.tuple(fc.constant(reports), withDuplicates.chain((all) => fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length })), fc.integer({ min: 1, max: 200_000 }));
        }),
        fc.boolean(),
        ([reports, shuffled, markTicks], replay) => {
          const mark = new Big(markTicks).div(10);
          const inOrder = ledgerAfter(reports, replay);
          const permuted = ledgerAfter(shuffled, replay);
          expect(permuted.position.eq(inOrder.position)).toBe(true);
          expect(permuted.fees.eq(inOrder.fees)).toBe(true);
          expect(permuted.fillCount).toBe(reports.length);
          expect(permuted.equity(mark).minus(inOrder.equity(mark)).abs().lte(EPSILON)).toBe(true);
          // and both equal plain cash accounting
          expect(inOrder.equity(mark).minus(cashEquity(reports, mark)).abs().lte(EPSILON)).toBe(true);
        },
      ),
    );
  });

  test("realized PnL is zero and the average is the fill price while only adding to one side", () => {
    fc.assert(
      fc.property(fc.array(fillSpec, { minLength: 1, maxLength: 10 }), (fills) => {
        const sameSide = fills.map((spec) => ({ ...spec, side: "BUY" as const }));
        const ledger = ledgerAfter(reportsFor(sameSide), true);
        expect(ledger.realizedPnl.eq(0)).toBe(true);
        const reports = reportsFor(sameSide);
        const notional = reports.reduce((sum, r) => (r.kind === "FILL" ? sum.plus(new Big(r.px).times(r.qty)) : sum), new Big(0));
        expect(ledger.averageEntryPrice!.times(ledger.position).minus(notional).abs().lte(EPSILON)).toBe(true);
      }),
    );
  });
});
