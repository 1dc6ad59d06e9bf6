import type { AuditEventBody } from "@mms/contracts/runtime";
import { formatToStep, toDecimalString, type Decimal } from "../decimal";
import { computeQuote, type Quote } from "../quote-engine";
import { TIMINGS } from "../symbol-protocol";
import { syncCountdown } from "./countdown";
import { sendCancels, sendReconciledActions } from "./intents";
import { stop } from "./lifecycle";
import { reducingQuoteOf } from "./reduce-only-quoting";
import { canSend, isAwaitingSnapshot, type SymbolActorState } from "./state";
import { emit, type StepContext } from "./step-context";
import { marketTouch, type MarketTouch } from "./views";

/** While ACTIVE with a usable book and the right to send: the quote, then the orders that carry it. */
export function requote(ctx: StepContext, touch?: MarketTouch): void {
  const { actor, now } = ctx;
  const book = actor.book;
  if (reachedFlat(ctx)) return;
  if (actor.state.name !== "ACTIVE" || !book || isAwaitingSnapshot(actor) || !canSend(actor)) return;
  // Quote around everyone else's market: our own orders are not a price signal.
  const { bid: bestBid, ask: bestAsk } = touch ?? marketTouch(actor);
  if (!bestBid || !bestAsk || bestBid.gte(bestAsk)) return;
  if (isSettled(actor, bestBid, bestAsk, now)) return;
  const normal = computeQuote(
    {
      bestBid,
      bestAsk,
      position: actor.ledger.position,
      restingBuyQuantity: actor.orders.cancellingQuantity("BUY"),
      restingSellQuantity: actor.orders.cancellingQuantity("SELL"),
    },
    actor.parameters,
  );
  const quote = actor.reduceOnly ? reducingQuoteOf(actor, normal) : normal;
  emitQuoteIfChanged(ctx, quote, bestBid, bestAsk);
  const config = actor.settings.config;
  const actions = actor.orders.reconcile(
    { bid: quote.bid, ask: quote.ask },
    now,
    { tickSize: actor.parameters.tickSize, requoteToleranceTicks: config.requoteToleranceTicks, maxOrdersPerSecond: config.maxOrdersPerSecond, cancelRetryMs: TIMINGS.cancelRetryMs },
    () => actor.ids.next("O"),
  );
  actor.settledQuote = actions.length === 0 && !actor.orders.lastReconcileRateLimited ? settledQuoteOf(actor, bestBid, bestAsk) : undefined;
  if (actions.some((action) => action.kind === "NEW")) syncCountdown(ctx, "ORDERS_PLACED");
  const denial = sendReconciledActions(ctx, actions);
  if (denial) stop(ctx, "HALTED", "PRETRADE_DENIED", `pre-trade check ${denial.check} failed: ${denial.detail}`, { check: denial.check, values: denial.values });
}

/**
 * Everything a requote reads, at a requote that found nothing to do. The quote is a
 * function of the touch, the position and the orders (their cancelling quantities), and
 * reconcile one of the quote, the orders and the time only through cancel retries; with
 * all of them equal, before the next retry is due, the same requote again changes nothing
 * (no quote event: the quote key is the same; no action: none was wanted, none was held
 * back by the rate limit).
 */
export interface SettledQuote {
  readonly bestBid: Decimal;
  readonly bestAsk: Decimal;
  readonly position: Decimal;
  readonly ordersVersion: number;
  readonly reduceOnly: boolean;
  readonly mode: string;
  readonly quoteKey: string | undefined;
  readonly retryDueAt: number;
}

function settledQuoteOf(actor: SymbolActorState, bestBid: Decimal, bestAsk: Decimal): SettledQuote {
  return {
    bestBid,
    bestAsk,
    position: actor.ledger.position,
    ordersVersion: actor.orders.version,
    reduceOnly: actor.reduceOnly,
    mode: actor.mode,
    quoteKey: actor.lastQuoteKey,
    retryDueAt: actor.orders.cancelRetryDueAt(TIMINGS.cancelRetryMs),
  };
}

function isSettled(actor: SymbolActorState, bestBid: Decimal, bestAsk: Decimal, now: number): boolean {
  const settled = actor.settledQuote;
  return settled !== undefined && now < settled.retryDueAt && settledAt(actor, settled, bestBid, bestAsk);
}

function settledAt(actor: SymbolActorState, settled: SettledQuote, bestBid: Decimal, bestAsk: Decimal): boolean {
  return (
    settled.ordersVersion === actor.orders.version &&
    settled.quoteKey === actor.lastQuoteKey &&
    settled.reduceOnly === actor.reduceOnly &&
    settled.mode === actor.mode &&
    // The book hands out the same price objects while its best levels stay: identity first.
    (settled.bestBid === bestBid || settled.bestBid.eq(bestBid)) &&
    (settled.bestAsk === bestAsk || settled.bestAsk.eq(bestAsk)) &&
    (settled.position === actor.ledger.position || settled.position.eq(actor.ledger.position))
  );
}

/**
 * When a requote on a TIMER could next do something (see `requote`): at once unless the
 * last requote settled on what the market and the orders are now, then at its cancel retry;
 * Infinity when it would return early (nothing to quote against until an event comes).
 */
export function requoteDueAt(actor: SymbolActorState): number {
  if (actor.state.name !== "ACTIVE") return Infinity;
  if (actor.reduceOnly && actor.ledger.position.eq(0)) return Number.NEGATIVE_INFINITY;
  if (!actor.book || isAwaitingSnapshot(actor) || !canSend(actor)) return Infinity;
  const { bid: bestBid, ask: bestAsk } = marketTouch(actor);
  if (!bestBid || !bestAsk || bestBid.gte(bestAsk)) return Infinity;
  const settled = actor.settledQuote;
  return settled !== undefined && settledAt(actor, settled, bestBid, bestAsk) ? settled.retryDueAt : Number.NEGATIVE_INFINITY;
}

/**
 * While stopped: when `retryUnsettledCancels` next has something to send (an order not
 * being cancelled at once, a cancel in flight at its retry).
 */
export function cancelRetryDueAt(actor: SymbolActorState): number {
  if (!canSend(actor)) return Infinity;
  for (const order of actor.orders.all()) if (order.status !== "PENDING_CANCEL") return Number.NEGATIVE_INFINITY;
  return actor.orders.cancelRetryDueAt(TIMINGS.cancelRetryMs);
}

/** Reduce-only has done its job: the position is flat, the symbol stops (REDUCED). */
function reachedFlat(ctx: StepContext): boolean {
  const actor = ctx.actor;
  if (actor.state.name !== "ACTIVE" || !actor.reduceOnly || !actor.ledger.position.eq(0)) return false;
  stop(ctx, "PAUSED", "REDUCED", "reduce-only brought the position to zero");
  return true;
}

function emitQuoteIfChanged(ctx: StepContext, quote: Quote, bestBid: Decimal, bestAsk: Decimal): void {
  const actor = ctx.actor;
  const key = `${quote.bid?.price.toFixed() ?? "-"}/${quote.ask?.price.toFixed() ?? "-"}/${actor.ledger.position.toFixed()}`;
  if (key === actor.lastQuoteKey) return;
  actor.lastQuoteKey = key;
  const { tickSize, lotSize } = actor.parameters;
  emit(ctx, {
    type: "quote",
    mid: toDecimalString(quote.mid),
    bestBid: toDecimalString(bestBid),
    bestAsk: toDecimalString(bestAsk),
    position: toDecimalString(actor.ledger.position),
    bid: quote.bid ? { px: formatToStep(quote.bid.price, tickSize), qty: formatToStep(quote.bid.quantity, lotSize) } : null,
    ask: quote.ask ? { px: formatToStep(quote.ask.price, tickSize), qty: formatToStep(quote.ask.quantity, lotSize) } : null,
    ...skippedOf(quote),
  });
}

/** Why a side is missing from the quote, only when one is. */
function skippedOf(quote: Quote): Pick<Extract<AuditEventBody, { type: "quote" }>, "skipped"> {
  if (!quote.bidSkipped && !quote.askSkipped) return {};
  return { skipped: { ...(quote.bidSkipped ? { bid: quote.bidSkipped } : {}), ...(quote.askSkipped ? { ask: quote.askSkipped } : {}) } };
}

/**
 * While stopped nothing may rest: an order not being cancelled (e.g. its cancel was
 * refused with RATE_LIMIT) is cancelled again, and a cancel that no report has settled
 * is sent again. Nothing goes out while the actor cannot send.
 */
export function retryUnsettledCancels(ctx: StepContext): void {
  const { actor, now } = ctx;
  if (!canSend(actor)) return;
  const stale = actor.orders.all().filter((order) => order.status !== "PENDING_CANCEL" || (order.cancelSentAt !== undefined && now - order.cancelSentAt >= TIMINGS.cancelRetryMs));
  if (stale.length > 0) sendCancels(ctx, stale.map((order) => order.clientOrderId));
}
