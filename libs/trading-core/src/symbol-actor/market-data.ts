import type { BookDelta, BookSnapshot, MarketStatus } from "@mms/contracts/runtime";
import { OrderBook } from "../order-book";
import { stop } from "./lifecycle";
import { checkPriceJump } from "./protection-stops";
import { requote } from "./quoting";
import { isAwaitingSnapshot } from "./state";
import { log, type StepContext } from "./step-context";
import { marketTouch } from "./views";

/** Freshness and lag for any market-data message; false when the message came too late. */
export function onMarketMessage(ctx: StepContext, sentAt: number): boolean {
  const { actor, now } = ctx;
  actor.monitor.recordMessage(now);
  const lag = actor.monitor.lagBeyondLimit(now, sentAt);
  actor.lastLagMs = lag;
  if (lag !== undefined) {
    stop(ctx, "PAUSED", "BUS_LAG", `market data arrived ${lag} ms after it was sent`);
    return false;
  }
  return true;
}

export function onSnapshot(ctx: StepContext, snapshot: BookSnapshot): void {
  onMarketMessage(ctx, snapshot.ts);
  ctx.actor.book = OrderBook.fromSnapshot(snapshot);
  ctx.actor.bookState = { kind: "READY" };
  afterBookChange(ctx, ctx.actor.book);
}

/**
 * `moreQueued`: another delta follows at once, so the book is only applied (lag and gap
 * still checked per delta) and the look at the market waits for the last one.
 */
export function onDelta(ctx: StepContext, delta: BookDelta, moreQueued = false): void {
  onMarketMessage(ctx, delta.ts);
  const actor = ctx.actor;
  const book = actor.book;
  if (!book || isAwaitingSnapshot(actor)) return;
  const outcome = book.applyDelta(delta);
  if (outcome.kind === "GAP") {
    onGap(ctx, `expected delta seq ${outcome.expectedSeq}, received ${outcome.receivedSeq}`);
    return;
  }
  if (moreQueued) actor.bookChangedSinceLook = true;
  else afterBookChange(ctx, book);
}

/** The look that conflated deltas put off, before an event that may read the market. */
export function lookAtDeferredBookChange(ctx: StepContext): void {
  const actor = ctx.actor;
  actor.bookChangedSinceLook = false;
  if (actor.book && !isAwaitingSnapshot(actor)) afterBookChange(ctx, actor.book);
}

export function onMarketStatus(ctx: StepContext, status: MarketStatus): void {
  onMarketMessage(ctx, status.ts);
  const actor = ctx.actor;
  actor.monitor.setStatus(status.status);
  const book = actor.book;
  if (book && !isAwaitingSnapshot(actor) && status.seq > book.seq) {
    onGap(ctx, `status seq ${status.seq} is ahead of the book at ${book.seq}`);
    return;
  }
  if (status.status !== "TRADING") stop(ctx, "PAUSED", "MARKET_HALTED", `the market is ${status.status}`);
}

export function onInvalidMarketData(ctx: StepContext, subject: string, issues: string): void {
  ctx.actor.counters.invalidMarketData += 1;
  log(ctx, "warn", "invalid market data refused", { subject, issues, reason: "MD_INVALID" });
  stop(ctx, "PAUSED", "MD_INVALID", `invalid message on ${subject}: ${issues}`);
}

function onGap(ctx: StepContext, detail: string): void {
  // The book is unusable until a snapshot, which looks at the market afresh.
  ctx.actor.bookChangedSinceLook = false;
  ctx.actor.bookState = { kind: "AWAITING_SNAPSHOT", requestedAt: undefined };
  stop(ctx, "PAUSED", "MD_GAP", detail);
  requestSnapshot(ctx);
}

/** The book may be missing updates (a gap, a reconnect): wait for a snapshot and ask for one. */
export function requestSnapshot(ctx: StepContext): void {
  ctx.actor.bookState = { kind: "AWAITING_SNAPSHOT", requestedAt: ctx.now };
  ctx.commands.push({ kind: "REQUEST_SNAPSHOT" });
}

function afterBookChange(ctx: StepContext, book: OrderBook): void {
  ctx.actor.bookChangedSinceLook = false;
  if (book.isCrossed()) {
    stop(ctx, "PAUSED", "MD_CROSSED", `best bid ${book.bestBid()!.toFixed()} >= best ask ${book.bestAsk()!.toFixed()}`);
    return;
  }
  // One look at the market per book change: the volatility sample and the quote share it.
  const touch = marketTouch(ctx.actor);
  if (touch.mid) {
    ctx.actor.monitor.sampleMid(ctx.now, touch.mid);
    checkPriceJump(ctx, touch.mid);
  }
  requote(ctx, touch);
}
