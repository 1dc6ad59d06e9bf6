import fc from "fast-check";
import Big from "big.js";
import type { NewOrderIntent, Side } from "@mms/contracts";
import { checkPretrade, type PretradeCheckName, type PretradeInput } from "../../src/protection";

const ACCOUNT = "SYSTEM_MARKET_MAKER";
const config = { tickSize: "0.1", lotSize: "0.001", quoteSize: "0.010", bandBps: "100" };

function order(side: Side, px: string, qty = "0.010"): NewOrderIntent {
  return { kind: "NEW", intentId: "I1", clientOrderId: "MM-O1", account: ACCOUNT, symbol: "BTCUSDT-PERP", side, type: "LIMIT", tif: "POST_ONLY", px, qty, tag: "MM", ts: 0 };
}

function input(intent: NewOrderIntent, overrides: Partial<PretradeInput> = {}): PretradeInput {
  return { intent, config, bestBid: "49999.9", bestAsk: "50000.1", maxOrderNotional: "1000000", account: ACCOUNT, liveOrders: [], ...overrides };
}

const checkOf = (result: ReturnType<typeof checkPretrade>) => (result.ok ? "PASS" : result.check);

describe("checkPretrade: examples on the contract's BTCUSDT-PERP config", () => {
  test("a normal quote on either side passes", () => {
    expect(checkPretrade(input(order("BUY", "49950.0")))).toEqual({ ok: true });
    expect(checkPretrade(input(order("SELL", "50050.0")))).toEqual({ ok: true });
  });

  test.each<[string, PretradeInput, PretradeCheckName, Record<string, string>]>([
    ["a price off the tick", input(order("BUY", "49950.05")), "TICK", { px: "49950.05", tickSize: "0.1" }],
    ["a quantity off the lot", input(order("BUY", "49950.0", "0.0105")), "LOT", { qty: "0.0105", lotSize: "0.001" }],
    ["a zero quantity", input(order("BUY", "49950.0", "0")), "LOT", { qty: "0", lotSize: "0.001" }],
    ["a quantity above quoteSize", input(order("BUY", "49950.0", "0.011")), "SIZE", { qty: "0.011", quoteSize: "0.010" }],
    ["a notional above the limit", input(order("BUY", "49950.0"), { maxOrderNotional: "499" }), "NOTIONAL", { notional: "499.5", maxOrderNotional: "499" }],
    ["a BUY at the best ask", input(order("BUY", "50000.1")), "CROSSING", { px: "50000.1", side: "BUY", bestBid: "49999.9", bestAsk: "50000.1" }],
    ["a SELL at the best bid", input(order("SELL", "49999.9")), "CROSSING", { px: "49999.9", side: "SELL", bestBid: "49999.9", bestAsk: "50000.1" }],
    ["a book without asks", input(order("BUY", "49950.0"), { bestAsk: undefined }), "CROSSING", { px: "49950.0", side: "BUY", bestBid: "49999.9", bestAsk: "none" }],
    // mid 50000, band 1% = 500: 49500.0 is on the edge (passes), 49499.9 is outside.
    ["a BUY below the band", input(order("BUY", "49499.9")), "BAND", { px: "49499.9", mid: "50000", bandBps: "100" }],
    ["a SELL above the band", input(order("SELL", "50500.1")), "BAND", { px: "50500.1", mid: "50000", bandBps: "100" }],
    ["a second live order on the side", input(order("BUY", "49950.0"), { liveOrders: [{ clientOrderId: "MM-O0", side: "BUY" }] }), "ONE_PER_SIDE", { side: "BUY", liveClientOrderId: "MM-O0" }],
    ["another account", input({ ...order("BUY", "49950.0"), account: "OTHER" }), "IDENTITY", { field: "account", actual: "OTHER", expected: ACCOUNT }],
    ["a missing MM tag", input({ ...order("BUY", "49950.0"), tag: "XX" as "MM" }), "IDENTITY", { field: "tag", actual: "XX", expected: "MM" }],
    ["a non-limit order", input({ ...order("BUY", "49950.0"), type: "MARKET" as "LIMIT" }), "IDENTITY", { field: "type", actual: "MARKET", expected: "LIMIT" }],
    ["a non-post-only order", input({ ...order("BUY", "49950.0"), tif: "GTC" as "POST_ONLY" }), "IDENTITY", { field: "tif", actual: "GTC", expected: "POST_ONLY" }],
  ])("denies %s, naming the check and its values", (_name, request, check, values) => {
    expect(checkPretrade(request)).toMatchObject({ ok: false, code: "PRETRADE_DENIED", check, values });
  });

  test("the band edge itself and a live order on the other side pass", () => {
    expect(checkOf(checkPretrade(input(order("BUY", "49500.0"))))).toBe("PASS");
    expect(checkOf(checkPretrade(input(order("SELL", "50500.0"), { liveOrders: [{ clientOrderId: "MM-O0", side: "BUY" }] })))).toBe("PASS");
  });
});

/** A valid intent built in integer ticks and lots, then at most one check broken on purpose. */
const scenario = fc.record({
  tickSize: fc.constantFrom("0.1", "0.01", "0.5", "1", "0.25"),
  lotSize: fc.constantFrom("0.001", "0.01", "1"),
  quoteLots: fc.integer({ min: 1, max: 100 }),
  bidTicks: fc.integer({ min: 10_000, max: 1_000_000 }),
  spreadTicks: fc.integer({ min: 1, max: 20 }),
  bandBps: fc.constantFrom("50", "100", "500"),
  side: fc.constantFrom<Side>("BUY", "SELL"),
  offsetTicks: fc.integer({ min: 0, max: 29 }),
  lots: fc.integer({ min: 1, max: 100 }),
  slack: fc.integer({ min: 0, max: 1000 }),
  extra: fc.integer({ min: 1, max: 5 }),
  otherSide: fc.boolean(),
  broken: fc.constantFrom<PretradeCheckName | "NONE">("NONE", "TICK", "LOT", "SIZE", "NOTIONAL", "CROSSING", "BAND", "ONE_PER_SIDE", "IDENTITY"),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario): PretradeInput {
  const tick = new Big(s.tickSize);
  const lot = new Big(s.lotSize);
  const bid = tick.times(s.bidTicks);
  const ask = bid.plus(tick.times(s.spreadTicks));
  const mid = bid.plus(ask).div(2);
  const sign = s.side === "BUY" ? -1 : 1;
  // A band of at least 50 bps of a mid of 10000 ticks is 50 ticks: 29 ticks beyond the touch stay inside.
  let px = (s.side === "BUY" ? bid : ask).plus(tick.times(sign * s.offsetTicks));
  const quoteSize = lot.times(s.quoteLots);
  let qty = lot.times(Math.min(s.lots, s.quoteLots));
  let account = ACCOUNT;
  const liveOrders: { clientOrderId: string; side: Side }[] = s.otherSide ? [{ clientOrderId: "MM-O9", side: s.side === "BUY" ? "SELL" : "BUY" }] : [];
  if (s.broken === "TICK") px = px.plus(tick.div(2));
  if (s.broken === "LOT") qty = qty.minus(lot.div(2));
  if (s.broken === "SIZE") qty = quoteSize.plus(lot.times(s.extra));
  if (s.broken === "CROSSING") px = (s.side === "BUY" ? ask : bid).minus(tick.times(sign * (s.extra - 1)));
  if (s.broken === "BAND") {
    const edge = mid.times(new Big(1).plus(new Big(s.bandBps).div(10000).times(sign)));
    px = (s.side === "BUY" ? edge.div(tick).round(0, Big.roundDown) : edge.div(tick).round(0, Big.roundUp)).times(tick).plus(tick.times(sign * s.extra));
  }
  if (s.broken === "ONE_PER_SIDE") liveOrders.push({ clientOrderId: "MM-O8", side: s.side });
  if (s.broken === "IDENTITY") account = "SOMEONE_ELSE";
  const notional = px.times(qty);
  const maxOrderNotional = s.broken === "NOTIONAL" ? notional.times("0.999").toFixed() : notional.plus(s.slack).toFixed();
  const intent = { ...order(s.side, px.toFixed(), qty.toFixed()), account };
  return { intent, config: { tickSize: s.tickSize, lotSize: s.lotSize, quoteSize: quoteSize.toFixed(), bandBps: s.bandBps }, bestBid: bid.toFixed(), bestAsk: ask.toFixed(), maxOrderNotional, account: ACCOUNT, liveOrders };
}

describe("checkPretrade: properties", () => {
  test("passes every valid intent and, with one check broken, denies naming exactly that check", () => {
    fc.assert(fc.property(scenario, (s) => {
      expect(checkOf(checkPretrade(build(s)))).toBe(s.broken === "NONE" ? "PASS" : s.broken);
    }), { numRuns: 2000 });
  });
});
