import type { Side } from "@mms/contracts";
import { ZERO, decimalString, type Big } from "./decimal";
import { CANCEL_REASONS, type EngineEvent, type MatchingEngine } from "./matching-engine";

// Faults on a trading account, for the MMS's protection stops: the exchange's dead-man
// firing early (DEADMAN_FIRED), and someone else trading the account (FOREIGN_ORDER).

/** Every clientOrderId the MMS issues starts with this; a foreign order's never does. */
const MMS_CLIENT_ORDER_PREFIX = "MM-";

export interface ForeignOrder {
  readonly account: string;
  readonly side: Side;
  readonly qty: Big;
  /** A limit that rests or fills what it crosses; without it, an IOC that fills at once. */
  readonly px: Big | undefined;
  readonly clientOrderId: string | undefined;
}

export interface FaultOutcome {
  readonly events: EngineEvent[];
  readonly details: Readonly<Record<string, unknown>>;
}

/** The dead-man fires now: the account's countdown on the symbol is off and each of its orders is CANCELED with reason COUNTDOWN. */
export function fireCountdown(engine: MatchingEngine, symbol: string, account: string, intentId: string, now: number): FaultOutcome {
  const disarm = engine.submit({ kind: "COUNTDOWN", intentId, account, symbol, timeoutMs: 0 }, now);
  const cancels = engine.cancelAccounts(symbol, new Set([account]), CANCEL_REASONS.countdown, now);
  return { events: [...disarm, ...cancels], details: { account, cancelled: cancels.filter((event) => event.kind === "REPORT").length } };
}

export function isForeignClientOrderId(clientOrderId: string): boolean {
  return !clientOrderId.startsWith(MMS_CLIENT_ORDER_PREFIX);
}

/** An order on the account that the MMS did not issue: a GTC limit at `px`, or without `px` an IOC sweeping the other side. */
export function placeForeignOrder(engine: MatchingEngine, symbol: string, order: ForeignOrder, defaultClientOrderId: string, now: number): FaultOutcome {
  const clientOrderId = order.clientOrderId ?? defaultClientOrderId;
  const limit = order.px ?? engine.worstPrice(symbol, order.side === "BUY" ? "SELL" : "BUY");
  if (limit === undefined) return { events: [], details: { clientOrderId, filledQty: "0", resting: false } };
  const events = engine.submit({ kind: "NEW", intentId: clientOrderId, clientOrderId, account: order.account, symbol, side: order.side, tif: order.px ? "GTC" : "IOC", px: limit, qty: order.qty }, now);
  let filled = ZERO;
  for (const event of events) {
    if (event.kind === "REPORT" && event.report.kind === "FILL" && event.report.clientOrderId === clientOrderId) filled = filled.plus(event.report.qty);
  }
  const resting = engine.openOrders(order.account, symbol).some((open) => open.clientOrderId === clientOrderId);
  return { events, details: { clientOrderId, filledQty: decimalString(filled), resting } };
}
