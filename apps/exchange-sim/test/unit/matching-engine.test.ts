import { validators, type ExecutionReport } from "@mms/contracts";
import { Big } from "../../src/decimal";
import { MatchingEngine, commandFromIntent, type EngineCommand, type EngineEvent, type NewOrderCommand } from "../../src/matching-engine";

const SYMBOL = "BTCUSDT-PERP";
const MM = "SYSTEM_MARKET_MAKER";

function engine(fees = { makerBps: "-1", takerBps: "5" }): MatchingEngine {
  return new MatchingEngine({
    symbols: [{ symbol: SYMBOL, tickSize: new Big("0.1"), lotSize: new Big("0.001") }],
    fees: { makerBps: new Big(fees.makerBps), takerBps: new Big(fees.takerBps) },
    idPrefix: "run1",
    rejectAllExemptAccounts: ["SIM_MAKER_1"],
  });
}

let intentCounter = 0;
function order(account: string, side: "BUY" | "SELL", px: string, qty: string, tif: NewOrderCommand["tif"] = "POST_ONLY", clientOrderId = `c${++intentCounter}`): NewOrderCommand {
  return { kind: "NEW", intentId: `i${++intentCounter}`, clientOrderId, account, symbol: SYMBOL, side, tif, px: new Big(px), qty: new Big(qty) };
}

function reports(events: readonly EngineEvent[]): ExecutionReport[] {
  return events.flatMap((event) => (event.kind === "REPORT" ? [event.report] : []));
}

function reportsOf(events: readonly EngineEvent[], account: string): ExecutionReport[] {
  return reports(events).filter((report) => report.account === account);
}

describe("matching engine", () => {
  it("accepts a post-only order that rests and publishes the new level", () => {
    const exchange = engine();
    const events = exchange.submit(order(MM, "BUY", "50000.0", "0.010"), 1000);
    expect(reports(events)).toEqual([
      { kind: "ACCEPTED", execId: "run1-E1", account: MM, symbol: SYMBOL, ts: 1000, clientOrderId: expect.any(String), orderId: "run1-O1", side: "BUY", px: "50000", qty: "0.01" },
    ]);
    const change = events.find((event) => event.kind === "BOOK_CHANGE");
    expect(change?.kind === "BOOK_CHANGE" && change.bids.map((level) => [level.px.toFixed(), level.qty.toFixed()])).toEqual([["50000", "0.01"]]);
    expect(exchange.depth(SYMBOL).bids.map((level) => level.px.toFixed())).toEqual(["50000"]);
  });

  it("rejects a post-only order that would cross with POST_ONLY_WOULD_CROSS and leaves the book alone", () => {
    const exchange = engine();
    exchange.submit(order("SIM_MAKER_1", "SELL", "50001.0", "0.010"), 1);
    const events = exchange.submit(order(MM, "BUY", "50001.0", "0.010"), 2);
    expect(reports(events)).toEqual([expect.objectContaining({ kind: "REJECTED", account: MM, reason: "POST_ONLY_WOULD_CROSS" })]);
    expect(events.some((event) => event.kind === "BOOK_CHANGE" || event.kind === "TRADE")).toBe(false);
    expect(exchange.depth(SYMBOL).asks).toHaveLength(1);
  });

  it("fills the best price first and, within a price, the oldest order first", () => {
    const exchange = engine();
    exchange.submit(order("A", "SELL", "50002.0", "0.001", "GTC", "a-worse"), 1);
    exchange.submit(order("B", "SELL", "50001.0", "0.001", "GTC", "b-first"), 2);
    exchange.submit(order("C", "SELL", "50001.0", "0.001", "GTC", "c-second"), 3);
    const events = exchange.submit(order("T", "BUY", "50002.0", "0.002", "IOC"), 4);
    const makerFills = reports(events).filter((report) => report.kind === "FILL" && report.liquidity === "MAKER");
    expect(makerFills.map((fill) => fill.kind === "FILL" && [fill.clientOrderId, fill.px])).toEqual([
      ["b-first", "50001"],
      ["c-second", "50001"],
    ]);
    expect(exchange.depth(SYMBOL).asks.map((level) => level.px.toFixed())).toEqual(["50002"]);
  });

  it("partially fills a resting order and reports leavesQty on both sides", () => {
    const exchange = engine();
    exchange.submit(order(MM, "SELL", "50000.0", "0.010", "POST_ONLY", "mm-ask"), 1);
    const events = exchange.submit(order("T", "BUY", "50000.0", "0.004", "IOC", "taker"), 2);
    expect(reportsOf(events, MM)).toEqual([
      expect.objectContaining({ kind: "FILL", clientOrderId: "mm-ask", side: "SELL", px: "50000", qty: "0.004", leavesQty: "0.006", liquidity: "MAKER" }),
    ]);
    expect(reportsOf(events, "T")).toEqual([
      expect.objectContaining({ kind: "ACCEPTED", clientOrderId: "taker" }),
      expect.objectContaining({ kind: "FILL", clientOrderId: "taker", side: "BUY", qty: "0.004", leavesQty: "0", liquidity: "TAKER" }),
    ]);
    expect(events).toContainEqual({ kind: "TRADE", trade: { symbol: SYMBOL, tradeId: "run1-T1", ts: 2, px: "50000", qty: "0.004", takerSide: "BUY" } });
    expect(exchange.openOrders(MM, SYMBOL)[0]?.leavesQty.toFixed()).toBe("0.006");
  });

  it("cancels the unfilled rest of an IOC and rests the rest of a GTC", () => {
    const exchange = engine();
    exchange.submit(order("M", "SELL", "50000.0", "0.002", "GTC"), 1);
    const ioc = exchange.submit(order("T", "BUY", "50000.0", "0.005", "IOC", "ioc"), 2);
    expect(reportsOf(ioc, "T").map((report) => report.kind)).toEqual(["ACCEPTED", "FILL", "CANCELED"]);
    expect(reportsOf(ioc, "T")[2]).toEqual(expect.objectContaining({ reason: "IOC_EXPIRED" }));
    exchange.submit(order("M", "SELL", "50000.0", "0.002", "GTC"), 3);
    exchange.submit(order("T", "BUY", "50000.0", "0.005", "GTC", "gtc"), 4);
    expect(exchange.depth(SYMBOL).bids.map((level) => [level.px.toFixed(), level.qty.toFixed()])).toEqual([["50000", "0.003"]]);
  });

  it("charges maker and taker fees as px x qty x bps / 10000, a negative maker fee being a rebate", () => {
    const exchange = engine({ makerBps: "-2.5", takerBps: "7" });
    exchange.submit(order("M", "SELL", "50000.1", "0.003", "GTC"), 1);
    const events = exchange.submit(order("T", "BUY", "50000.1", "0.003", "IOC"), 2);
    const fees = reports(events).flatMap((report) => (report.kind === "FILL" ? [[report.liquidity, report.fee]] : []));
    // 50000.1 x 0.003 = 150.0003; x -2.5 / 10000 and x 7 / 10000.
    expect(fees).toEqual([
      ["MAKER", "-0.037500075"],
      ["TAKER", "0.10500021"],
    ]);
  });

  it("cancels by clientOrderId and rejects an unknown one with UNKNOWN_ORDER", () => {
    const exchange = engine();
    exchange.submit(order(MM, "BUY", "49999.0", "0.010", "POST_ONLY", "bid-1"), 1);
    const cancel = exchange.submit({ kind: "CANCEL", intentId: "cancel-1", clientOrderId: "bid-1", account: MM, symbol: SYMBOL }, 2);
    expect(reports(cancel)).toEqual([expect.objectContaining({ kind: "CANCELED", clientOrderId: "bid-1", reason: "CLIENT_CANCEL" })]);
    expect(exchange.depth(SYMBOL).bids).toEqual([]);
    const again = exchange.submit({ kind: "CANCEL", intentId: "cancel-2", clientOrderId: "bid-1", account: MM, symbol: SYMBOL }, 3);
    expect(reports(again)).toEqual([expect.objectContaining({ kind: "REJECTED", clientOrderId: "bid-1", reason: "UNKNOWN_ORDER" })]);
  });

  it("cancel-all removes only that account's orders on that symbol, with the intent's reason", () => {
    const exchange = engine();
    exchange.submit(order(MM, "BUY", "49999.0", "0.010"), 1);
    exchange.submit(order(MM, "SELL", "50001.0", "0.010"), 1);
    exchange.submit(order("OTHER", "BUY", "49998.0", "0.010"), 1);
    const events = exchange.submit({ kind: "CANCEL_ALL", intentId: "kill-1", account: MM, symbol: SYMBOL, reason: "KILL" }, 2);
    expect(reports(events).map((report) => [report.kind, report.account, report.kind === "CANCELED" ? report.reason : ""])).toEqual([
      ["CANCELED", MM, "KILL"],
      ["CANCELED", MM, "KILL"],
    ]);
    expect(exchange.openOrders(MM)).toEqual([]);
    expect(exchange.openOrders("OTHER")).toHaveLength(1);
  });

  it("ignores a repeated intentId", () => {
    const exchange = engine();
    const first = order(MM, "BUY", "49999.0", "0.010");
    expect(exchange.submit(first, 1)).not.toEqual([]);
    expect(exchange.submit(first, 2)).toEqual([]);
    expect(exchange.openOrders(MM)).toHaveLength(1);
  });

  it("rejects a reused clientOrderId and prices or quantities off the tick or lot grid", () => {
    const exchange = engine();
    exchange.submit(order(MM, "BUY", "49999.0", "0.010", "POST_ONLY", "same"), 1);
    expect(reports(exchange.submit(order(MM, "BUY", "49998.0", "0.010", "POST_ONLY", "same"), 2))[0]).toEqual(expect.objectContaining({ reason: "DUPLICATE_CLIENT_ORDER_ID" }));
    expect(reports(exchange.submit(order(MM, "BUY", "49998.05", "0.010"), 3))[0]).toEqual(expect.objectContaining({ reason: "INVALID_PRICE" }));
    expect(reports(exchange.submit(order(MM, "BUY", "49998.0", "0.0105"), 4))[0]).toEqual(expect.objectContaining({ reason: "INVALID_QUANTITY" }));
  });

  it("a halted market rejects new orders with MARKET_HALTED but still cancels", () => {
    const exchange = engine();
    exchange.submit(order(MM, "BUY", "49999.0", "0.010", "POST_ONLY", "resting"), 1);
    expect(exchange.setStatus(SYMBOL, "HALTED", 2)).toContainEqual({ kind: "STATUS", symbol: SYMBOL, status: "HALTED" });
    expect(reports(exchange.submit(order(MM, "SELL", "50001.0", "0.010"), 3))).toEqual([expect.objectContaining({ kind: "REJECTED", reason: "MARKET_HALTED" })]);
    const cancel = exchange.submit({ kind: "CANCEL", intentId: "halted-cancel", clientOrderId: "resting", account: MM, symbol: SYMBOL }, 4);
    expect(reports(cancel)).toEqual([expect.objectContaining({ kind: "CANCELED" })]);
  });

  it("closing a market cancels every resting order", () => {
    const exchange = engine();
    exchange.submit(order(MM, "BUY", "49999.0", "0.010"), 1);
    const events = exchange.setStatus(SYMBOL, "CLOSED", 2);
    expect(reports(events)).toEqual([expect.objectContaining({ kind: "CANCELED", reason: "MARKET_CLOSED" })]);
    expect(exchange.depth(SYMBOL).bids).toEqual([]);
  });

  it("the reject-all fault rejects every NEW except from exempt accounts", () => {
    const exchange = engine();
    exchange.setRejectAll(SYMBOL, "RATE_LIMIT");
    expect(reports(exchange.submit(order(MM, "BUY", "49999.0", "0.010"), 1))).toEqual([expect.objectContaining({ kind: "REJECTED", reason: "RATE_LIMIT" })]);
    expect(reports(exchange.submit(order("SIM_MAKER_1", "BUY", "49999.0", "0.010"), 2))).toEqual([expect.objectContaining({ kind: "ACCEPTED" })]);
    exchange.setRejectAll(SYMBOL, undefined);
    expect(reports(exchange.submit(order(MM, "BUY", "49998.0", "0.010"), 3))).toEqual([expect.objectContaining({ kind: "ACCEPTED" })]);
  });

  it("rejects an order for a symbol it does not trade with UNKNOWN_SYMBOL", () => {
    const exchange = engine();
    const events = exchange.submit({ ...order(MM, "BUY", "1", "1"), symbol: "DOGEUSDT-PERP" }, 1);
    expect(reports(events)).toEqual([expect.objectContaining({ kind: "REJECTED", symbol: "DOGEUSDT-PERP", reason: "UNKNOWN_SYMBOL" })]);
  });

  it("makes reports that pass the contract's validator, with unique execIds", () => {
    const exchange = engine();
    const intent = { kind: "NEW", intentId: "x1", clientOrderId: "x1", account: MM, symbol: SYMBOL, side: "SELL", type: "LIMIT", tif: "POST_ONLY", px: "50000.0", qty: "0.010", tag: "MM", ts: 5 } as const;
    const events: EngineEvent[] = [
      ...exchange.submit(commandFromIntent(intent), 1),
      ...exchange.submit(order("T", "BUY", "50000.0", "0.004", "IOC"), 2),
      ...exchange.submit(order("T", "BUY", "50000.0", "0.004", "POST_ONLY"), 3),
      ...exchange.submit({ kind: "CANCEL", intentId: "x2", clientOrderId: "x1", account: MM, symbol: SYMBOL }, 4),
    ];
    const all = reports(events);
    expect(all.map((report) => report.kind)).toEqual(["ACCEPTED", "ACCEPTED", "FILL", "FILL", "REJECTED", "CANCELED"]);
    for (const report of all) expect(validators.executionReport(report)).toEqual({ ok: true, value: report });
    expect(new Set(all.map((report) => report.execId)).size).toBe(all.length);
  });
});

describe("dead-man's switch", () => {
  function armed(): MatchingEngine {
    const exchange = engine();
    exchange.submit(order(MM, "BUY", "49999.0", "0.010"), 0);
    exchange.submit(order(MM, "SELL", "50001.0", "0.010"), 0);
    exchange.submit(order("OTHER", "SELL", "50002.0", "0.010"), 0);
    return exchange;
  }
  const countdown = (timeoutMs: number, id: string): EngineCommand => ({ kind: "COUNTDOWN", intentId: id, account: MM, symbol: SYMBOL, timeoutMs });

  it("cancels all of the account's orders on the symbol with reason COUNTDOWN once the timeout lapses", () => {
    const exchange = armed();
    exchange.submit(countdown(5000, "cd-1"), 1000);
    expect(exchange.tick(5999)).toEqual([]);
    const events = exchange.tick(6000);
    expect(reports(events).map((report) => [report.kind, report.account, report.kind === "CANCELED" && report.reason])).toEqual([
      ["CANCELED", MM, "COUNTDOWN"],
      ["CANCELED", MM, "COUNTDOWN"],
    ]);
    expect(exchange.openOrders("OTHER")).toHaveLength(1);
    expect(exchange.tick(20000)).toEqual([]);
  });

  it("a newer COUNTDOWN pushes the deadline out", () => {
    const exchange = armed();
    exchange.submit(countdown(5000, "cd-1"), 1000);
    exchange.submit(countdown(5000, "cd-2"), 4000);
    expect(reports(exchange.tick(8999))).toEqual([]);
    expect(reports(exchange.tick(9000))).toHaveLength(2);
  });

  it("timeoutMs 0 switches it off", () => {
    const exchange = armed();
    exchange.submit(countdown(5000, "cd-1"), 1000);
    exchange.submit(countdown(0, "cd-off"), 2000);
    expect(exchange.isCountdownArmed(MM, SYMBOL)).toBe(false);
    expect(exchange.tick(60_000)).toEqual([]);
    expect(exchange.openOrders(MM)).toHaveLength(2);
  });
});
