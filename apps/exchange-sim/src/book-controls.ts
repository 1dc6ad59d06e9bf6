import { Big, ZERO, decimalString } from "./decimal";
import { CANCEL_REASONS, type EngineEvent, type MatchingEngine } from "./matching-engine";
import type { SimControlReply } from "./sim-control";
import type { SimulatedSymbol } from "./symbols";

// The faults that shape the market itself: a book built by hand, a trade printed on demand.

/** The simulator's own resting liquidity for set-book. */
export const BOOK_ACCOUNT = "SIM_BOOK";
/** The taker behind the `trade` fault. */
export const CONTROL_TAKER_ACCOUNT = "SIM_CONTROL_TAKER";

export interface BookControlContext {
  readonly engine: MatchingEngine;
  readonly setup: SimulatedSymbol;
  readonly simulatorAccounts: ReadonlySet<string>;
  readonly now: number;
  /** Publishes what the engine made (reports, trades, book changes). */
  apply(events: readonly EngineEvent[]): void;
  nextControlId(): string;
  pauseDriver(): void;
}

/**
 * Replaces everything the simulator itself rests with exactly these levels (orders of other
 * accounts stay) and pauses the driver, so the book stays as built until resume-driver.
 */
export function setBook(context: BookControlContext, bids: readonly { px: Big; qty: Big }[], asks: readonly { px: Big; qty: Big }[]): SimControlReply {
  const { engine, now } = context;
  const { symbol, tickSize, lotSize } = context.setup;
  for (const level of [...bids, ...asks]) {
    if (!level.px.mod(tickSize).eq(0)) return { ok: false, error: `px ${decimalString(level.px)} is not a multiple of tick size ${decimalString(tickSize)}` };
    if (!level.qty.mod(lotSize).eq(0)) return { ok: false, error: `qty ${decimalString(level.qty)} is not a multiple of lot size ${decimalString(lotSize)}` };
  }
  if (engine.status(symbol) !== "TRADING") return { ok: false, error: `market is ${engine.status(symbol)}` };
  context.pauseDriver();
  context.apply(engine.cancelAccounts(symbol, context.simulatorAccounts, CANCEL_REASONS.bookReset, now));
  for (const [side, levels] of [["BUY", bids], ["SELL", asks]] as const) {
    for (const level of levels) {
      const id = context.nextControlId();
      context.apply(engine.submit({ kind: "NEW", intentId: id, clientOrderId: id, account: BOOK_ACCOUNT, symbol, side, tif: "GTC", px: level.px, qty: level.qty }, now));
    }
  }
  return { ok: true, symbol };
}

/** A taker IOC now; without px it may sweep the whole other side. */
export function trade(context: BookControlContext, side: "BUY" | "SELL", qty: Big, px: Big | undefined): SimControlReply {
  const { engine } = context;
  const symbol = context.setup.symbol;
  const limit = px ?? engine.worstPrice(symbol, side === "BUY" ? "SELL" : "BUY");
  if (limit === undefined) return { ok: true, symbol, filledQty: "0", averagePx: null };
  const id = context.nextControlId();
  const events = engine.submit({ kind: "NEW", intentId: id, clientOrderId: id, account: CONTROL_TAKER_ACCOUNT, symbol, side, tif: "IOC", px: limit, qty }, context.now);
  context.apply(events);
  const rejected = events.find((event) => event.kind === "REPORT" && event.report.kind === "REJECTED");
  if (rejected && rejected.kind === "REPORT" && rejected.report.kind === "REJECTED") return { ok: false, error: `trade rejected: ${rejected.report.reason}` };
  let filled = ZERO;
  let notional = ZERO;
  for (const event of events) {
    if (event.kind === "REPORT" && event.report.kind === "FILL" && event.report.account === CONTROL_TAKER_ACCOUNT) {
      filled = filled.plus(event.report.qty);
      notional = notional.plus(new Big(event.report.px).times(event.report.qty));
    }
  }
  return { ok: true, symbol, filledQty: decimalString(filled), averagePx: filled.eq(0) ? null : decimalString(notional.div(filled)) };
}
