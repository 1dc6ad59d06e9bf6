import { TIMINGS } from "../symbol-protocol";
import { syncCountdown } from "./countdown";
import { stop } from "./lifecycle";
import { requestSnapshot } from "./market-data";
import { requote, retryUnsettledCancels } from "./quoting";
import { isConnected } from "./state";
import { chaseUnansweredOrders } from "./unanswered-orders";
import type { StepContext } from "./step-context";
import { reportRisk } from "./views";

/** The periodic checks: staleness, snapshot retries, requotes or cancel retries, the switch, risk reports. */
export function onTimer(ctx: StepContext): void {
  const { actor, now } = ctx;
  if (actor.lastTimerAt !== undefined && now > actor.lastTimerAt) actor.timerIntervalMs = Math.min(now - actor.lastTimerAt, TIMINGS.timerGapCapMs);
  actor.lastTimerAt = now;
  if (actor.monitor.isStale(now) && actor.state.name === "ACTIVE") stop(ctx, "PAUSED", "MD_STALE", `no market data for more than ${actor.settings.config.staleMs} ms`);
  const book = actor.bookState;
  if (book.kind === "AWAITING_SNAPSHOT" && isConnected(actor) && (book.requestedAt === undefined || now - book.requestedAt >= TIMINGS.snapshotRetryMs)) requestSnapshot(ctx);
  chaseUnansweredOrders(ctx);
  if (actor.state.name === "ACTIVE") requote(ctx);
  else retryUnsettledCancels(ctx);
  syncCountdown(ctx);
  if (actor.lastRiskReportAt === undefined || now - actor.lastRiskReportAt >= TIMINGS.riskReportMs) reportRisk(ctx);
}
