import { TIMINGS } from "../symbol-protocol";
import { countdownDueAt } from "./countdown";
import { cancelRetryDueAt, requoteDueAt } from "./quoting";
import { canSend, isConnected, type SymbolActorState } from "./state";

/**
 * When the actor next needs a TIMER: the earliest moment one of `onTimer`'s checks could do
 * something that no other event would make it do first (staleness, a snapshot retry, an
 * unanswered order, a requote or cancel retry, the countdown refresh, the risk report). The
 * shell arms one timer for it and asks again after every step, so an idle symbol costs
 * per thing due, not per 100 ms. Never sooner than TIMINGS.timerMinGapMs after the last
 * TIMER: a check that is due but cannot act yet (a rate limit) is looked at no more often
 * than the periodic timer did. Reads the state only (the touch's cache aside).
 */
export function nextTimerDueAt(actor: SymbolActorState): number {
  const due = Math.min(
    staleDueAt(actor),
    snapshotRetryDueAt(actor),
    unansweredOrderDueAt(actor),
    actor.state.name === "ACTIVE" ? requoteDueAt(actor) : cancelRetryDueAt(actor),
    countdownDueAt(actor),
    riskReportDueAt(actor),
  );
  // Whole ms, rounded up: a fractional moment (deadManMs / 3) rounded down could come a hair too soon.
  const floor = actor.lastTimerAt === undefined ? Number.NEGATIVE_INFINITY : actor.lastTimerAt + TIMINGS.timerMinGapMs;
  return Math.ceil(Math.max(due, floor));
}

function staleDueAt(actor: SymbolActorState): number {
  return actor.state.name === "ACTIVE" ? actor.monitor.staleAt() : Infinity;
}

function snapshotRetryDueAt(actor: SymbolActorState): number {
  const book = actor.bookState;
  if (book.kind !== "AWAITING_SNAPSHOT" || !isConnected(actor)) return Infinity;
  return book.requestedAt === undefined ? Number.NEGATIVE_INFINITY : book.requestedAt + TIMINGS.snapshotRetryMs;
}

function unansweredOrderDueAt(actor: SymbolActorState): number {
  if (actor.mode === "shadow" || !canSend(actor) || actor.ackWatch.size === 0) return Infinity;
  return actor.ackWatch.nextDueAt();
}

function riskReportDueAt(actor: SymbolActorState): number {
  if (actor.lastRiskReportAt === undefined) return Number.NEGATIVE_INFINITY;
  return actor.lastRiskReportAt + (actor.riskFiguresMayHaveMoved ? TIMINGS.riskReportMs : TIMINGS.riskRefreshMs);
}
