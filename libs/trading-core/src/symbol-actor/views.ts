import type { OpenOrderView, SymbolStatus } from "@mms/contracts/runtime";
import { toDecimalString, type Decimal } from "../decimal";
import { spreadBps } from "../market-monitor";
import { statusResumeBlockers } from "./resume-blockers";
import type { StepContext } from "./step-context";
import { symbolOf } from "./step-context";
import type { OrderBook } from "../order-book";
import type { SymbolActorState } from "./state";

export interface MarketTouch {
  readonly bid: Decimal | undefined;
  readonly ask: Decimal | undefined;
  readonly mid: Decimal | undefined;
}

const NO_TOUCH: MarketTouch = { bid: undefined, ask: undefined, mid: undefined };

/**
 * Best bid and ask of everyone but us: our own resting orders are taken out of the book.
 * Computed once per book and order change, however often a step (quote, risk report,
 * figures) asks for it.
 */
export function marketTouch(state: SymbolActorState): MarketTouch {
  const book = state.book;
  if (!book) return NO_TOUCH;
  const cached = state.touchCache;
  const ordersVersion = state.orders.version;
  if (cached && cached.book === book && cached.seq === book.seq && cached.ordersVersion === ordersVersion) return cached.touch;
  const touch = touchOf(state, book, cached?.touch);
  if (cached) {
    cached.book = book;
    cached.seq = book.seq;
    cached.ordersVersion = ordersVersion;
    cached.touch = touch;
  } else state.touchCache = { book, seq: book.seq, ordersVersion, touch };
  return touch;
}

/** `previous` is kept when bid and ask are the same level prices (the book keeps them while the levels stay): no new mid. */
function touchOf(state: SymbolActorState, book: OrderBook, previous: MarketTouch | undefined): MarketTouch {
  if (book.isCrossed()) return NO_TOUCH;
  const bid = book.bestExcluding("BUY", state.orders.ownQuantities("BUY"));
  const ask = book.bestExcluding("SELL", state.orders.ownQuantities("SELL"));
  if (previous && previous !== NO_TOUCH && previous.bid === bid && previous.ask === ask) return previous;
  return { bid, ask, mid: bid && ask && bid.lt(ask) ? bid.plus(ask).div(2) : undefined };
}

/** The symbol's view for `mms.status` and `/v1/status`; `now` dates the resume blockers (staleness). */
export function describeSymbol(state: SymbolActorState, now: number): SymbolStatus {
  const mid = marketTouch(state).mid;
  const ledger = state.ledger;
  const stop = state.stop;
  const identity = { symbol: state.settings.config.symbol, state: state.state.name, reason: state.state.reason, stoppedAt: stop?.at ?? null, detail: stop?.detail ?? null, operator: stop?.operator ?? null, resumeBlockers: statusResumeBlockers(state, now), mode: state.mode };
  // Until the replay is done the inventory is not known: null, never a guess such as "0".
  if (state.recovery === "REPLAYING") {
    return { ...identity, position: null, avgEntryPx: null, realizedPnl: null, unrealizedPnl: null, fees: null, openOrders: describeOpenOrders(state, now) };
  }
  return {
    ...identity,
    position: toDecimalString(ledger.position),
    avgEntryPx: ledger.averageEntryPrice ? toDecimalString(ledger.averageEntryPrice) : null,
    realizedPnl: toDecimalString(ledger.realizedPnl),
    unrealizedPnl: toDecimalString(ledger.unrealizedPnl(mid)),
    fees: toDecimalString(ledger.fees),
    openOrders: describeOpenOrders(state, now),
    ...(state.reduceOnly && state.state.name === "ACTIVE" ? { reduceOnly: true as const } : {}),
  };
}

/** Figures the shell turns into metrics. Decimal strings: they cross a thread boundary. */
export interface SymbolFigures {
  readonly mid: string | undefined;
  readonly bestBid: string | undefined;
  readonly bestAsk: string | undefined;
  readonly marketSpreadBps: string | undefined;
  readonly volatilityBps: string;
  readonly exposure: string;
  readonly equity: string;
}

export function symbolFigures(state: SymbolActorState): SymbolFigures {
  const { bid, ask, mid } = marketTouch(state);
  return {
    mid: mid ? toDecimalString(mid) : undefined,
    bestBid: bid ? toDecimalString(bid) : undefined,
    bestAsk: ask ? toDecimalString(ask) : undefined,
    marketSpreadBps: bid && ask && bid.lt(ask) ? toDecimalString(spreadBps(bid, ask)) : undefined,
    volatilityBps: toDecimalString(state.monitor.volatilityBps()),
    exposure: toDecimalString(state.ledger.exposure(mid)),
    equity: toDecimalString(state.ledger.equity(mid)),
  };
}

/** Four times a second and on every fill: only what the risk actor needs, no volatility. */
export function reportRisk(ctx: StepContext): void {
  const { actor, now } = ctx;
  const ledger = actor.ledger;
  const mid = marketTouch(actor).mid;
  actor.lastRiskReportAt = now;
  actor.riskFiguresMayHaveMoved = false;
  ctx.commands.push({ kind: "RISK_REPORT", report: { symbol: symbolOf(ctx), position: toDecimalString(ledger.position), exposure: toDecimalString(ledger.exposure(mid)), equity: toDecimalString(ledger.equity(mid)) } });
}

/** `mms.status`: each open order with its state (UNANSWERED past orderAckTimeoutMs without a report) and age. */
function describeOpenOrders(state: SymbolActorState, now: number): OpenOrderView[] {
  return state.orders.openOrderViews().map((view) => {
    const order = state.orders.get(view.clientOrderId);
    const placedAt = order?.placedAt ?? state.ackWatch.sentAt(view.clientOrderId);
    const orderState = state.ackWatch.isOverdue(view.clientOrderId) ? "UNANSWERED" : (order?.status ?? "LIVE");
    return { ...view, state: orderState, ...(placedAt === undefined ? {} : { ageMs: Math.max(0, now - placedAt) }) };
  });
}
