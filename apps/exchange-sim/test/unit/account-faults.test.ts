import type { ExecutionReport } from "@mms/contracts";
import { fireCountdown, placeForeignOrder } from "../../src/account-faults";
import { Big } from "../../src/decimal";
import { MatchingEngine, type EngineEvent } from "../../src/matching-engine";
import { parseControl } from "../../src/sim-control";

const SYMBOL = "BTCUSDT-PERP";
const MM = "SYSTEM_MARKET_MAKER";
const MAKER = "SIM_MAKER_1";

function engine(): MatchingEngine {
  return new MatchingEngine({ symbols: [{ symbol: SYMBOL, tickSize: new Big("0.1"), lotSize: new Big("0.001") }], fees: { makerBps: new Big("0"), takerBps: new Big("0") }, idPrefix: "run1" });
}

function rest(exchange: MatchingEngine, account: string, clientOrderId: string, side: "BUY" | "SELL", px: string): void {
  exchange.submit({ kind: "NEW", intentId: `i-${clientOrderId}`, clientOrderId, account, symbol: SYMBOL, side, tif: "POST_ONLY", px: new Big(px), qty: new Big("0.010") }, 1);
}

const reports = (events: readonly EngineEvent[]): ExecutionReport[] => events.flatMap((event) => (event.kind === "REPORT" ? [event.report] : []));

describe("fire-countdown: the dead-man fires now", () => {
  it("cancels every order of that account on the symbol with reason COUNTDOWN, and the countdown is off", () => {
    const exchange = engine();
    exchange.submit({ kind: "COUNTDOWN", intentId: "cd-1", account: MM, symbol: SYMBOL, timeoutMs: 60_000 }, 1);
    rest(exchange, MM, "MM-O1", "BUY", "49990.0");
    rest(exchange, MM, "MM-O2", "SELL", "50010.0");
    rest(exchange, MAKER, "maker-1", "BUY", "49980.0");
    const outcome = fireCountdown(exchange, SYMBOL, MM, "fire-1", 5);
    expect(reports(outcome.events).map((report) => [report.kind, report.clientOrderId, report.kind === "CANCELED" ? report.reason : undefined])).toEqual([
      ["CANCELED", "MM-O1", "COUNTDOWN"],
      ["CANCELED", "MM-O2", "COUNTDOWN"],
    ]);
    expect(outcome.details).toEqual({ account: MM, cancelled: 2 });
    expect(exchange.isCountdownArmed(MM, SYMBOL)).toBe(false);
    expect(exchange.openOrders(MAKER, SYMBOL)).toHaveLength(1);
  });
});

describe("foreign-order: someone else trades the account", () => {
  it("without px it is an IOC that fills against the book at once", () => {
    const exchange = engine();
    rest(exchange, MAKER, "maker-ask", "SELL", "50010.0");
    const outcome = placeForeignOrder(exchange, SYMBOL, { account: MM, side: "BUY", qty: new Big("0.004"), px: undefined, clientOrderId: undefined }, "EXT-1", 2);
    expect(reports(outcome.events).filter((report) => report.account === MM).map((report) => [report.kind, report.clientOrderId])).toEqual([
      ["ACCEPTED", "EXT-1"],
      ["FILL", "EXT-1"],
    ]);
    expect(outcome.details).toEqual({ clientOrderId: "EXT-1", filledQty: "0.004", resting: false });
  });

  it("with a px that crosses nothing it rests on the account", () => {
    const exchange = engine();
    const outcome = placeForeignOrder(exchange, SYMBOL, { account: MM, side: "BUY", qty: new Big("0.004"), px: new Big("49000.0"), clientOrderId: "HUMAN-1" }, "EXT-1", 2);
    expect(outcome.details).toEqual({ clientOrderId: "HUMAN-1", filledQty: "0", resting: true });
  });

  it("parsing: account, side and qty are required; a clientOrderId starting MM- is refused", () => {
    expect(parseControl("foreign-order", { account: MM, side: "SELL", qty: "0.005" })).toMatchObject({ ok: true, command: { kind: "foreign-order", order: { account: MM, side: "SELL", px: undefined } } });
    expect(parseControl("foreign-order", { side: "SELL", qty: "0.005" })).toEqual({ ok: false, error: "account must name the account to trade" });
    expect(parseControl("foreign-order", { account: MM, side: "SELL", qty: "0.005", clientOrderId: "MM-x" })).toMatchObject({ ok: false, error: expect.stringContaining("must not start with MM-") });
    expect(parseControl("fire-countdown", { account: MM })).toEqual({ ok: true, command: { kind: "fire-countdown", account: MM } });
    expect(parseControl("fire-countdown", undefined)).toMatchObject({ ok: false });
  });
});
