import type { ExecutionReport, OrderIntent } from "@mms/contracts";
import { toDecimalString, type Decimal } from "../decimal";
import { positionBreached } from "../risk";
import { syncCountdown } from "./countdown";
import { sendCancels } from "./intents";
import { noteReportApplied } from "./checkpoints";
import { stop } from "./lifecycle";
import { checkFillBurst, checkReportStop } from "./protection-stops";
import type { SymbolActorState } from "./state";
import { requote } from "./quoting";
import { emit, log, type StepContext } from "./step-context";
import { reportRisk } from "./views";

/** Replayed reports rebuild inventory and orders only; live ones may also stop, requote and refresh the switch. */
export function onReport(ctx: StepContext, report: ExecutionReport, replay: boolean, streamSequence?: number): void {
  const { actor, now } = ctx;
  // Built once: a joined string is flattened again by every Set lookup of a new copy.
  const fill = report.kind === "FILL" ? fillKey(report) : undefined;
  if (isDuplicate(actor, report, streamSequence, fill)) {
    actor.counters.duplicateReports += 1;
    return;
  }
  if (fill !== undefined) actor.recentFillIds.add(fill);
  if (streamSequence !== undefined) actor.execSeqHighWater = streamSequence;
  actor.ackWatch.settled(report.clientOrderId);
  const effect = actor.orders.applyReport(report);
  if (report.kind === "FILL") {
    const before = actor.ledger.position;
    actor.ledger.applyFill(report);
    if (!replay) onLiveFill(ctx, report, before);
  }
  noteReportApplied(ctx);
  if (replay) return;
  checkReportStop(ctx, report);

  if (effect.kind === "REJECTED") {
    log(ctx, "warn", "order rejected", { clientOrderId: report.clientOrderId, reason: effect.reason, countsAsRejection: effect.countsAsRejection });
    if (effect.countsAsRejection) recordRejection(ctx, `rejected: ${effect.reason}`);
  }
  const lag = now - report.ts;
  if (lag > actor.settings.maxLagMs) stop(ctx, "PAUSED", "BUS_LAG", `execution report arrived ${lag} ms after it was sent`);
  if (actor.state.name === "ACTIVE") requote(ctx);
  syncCountdown(ctx);
}

/**
 * Seen before: at or below the stream high-water mark, a fill of an order whose fillId was
 * applied already (the same fill reported again under a new execId must not count twice in
 * the position), or the same execId among the recent ones. A report that is none of these
 * leaves its execId remembered: the window's add is its lookup too.
 */
function isDuplicate(actor: SymbolActorState, report: ExecutionReport, streamSequence: number | undefined, fill: string | undefined): boolean {
  if (streamSequence !== undefined && streamSequence <= actor.execSeqHighWater) return true;
  if (fill !== undefined && actor.recentFillIds.has(fill)) return true;
  return !actor.recentExecIds.add(report.execId);
}

/** A fillId names a fill of one order. */
function fillKey(report: Extract<ExecutionReport, { kind: "FILL" }>): string {
  return `${report.clientOrderId}\u0000${report.fillId}`;
}

export function onInvalidReport(ctx: StepContext, subject: string, issues: string): void {
  ctx.actor.counters.invalidReports += 1;
  log(ctx, "warn", "invalid execution report refused", { subject, issues });
}

function onLiveFill(ctx: StepContext, report: Extract<ExecutionReport, { kind: "FILL" }>, before: Decimal): void {
  const { actor } = ctx;
  const ledger = actor.ledger;
  emit(ctx, {
    type: "fill",
    execId: report.execId,
    clientOrderId: report.clientOrderId,
    side: report.side,
    px: report.px,
    qty: report.qty,
    fee: report.fee,
    liquidity: report.liquidity,
    position: toDecimalString(ledger.position),
    avgEntryPx: ledger.averageEntryPrice ? toDecimalString(ledger.averageEntryPrice) : null,
    realizedPnl: toDecimalString(ledger.realizedPnl),
    fees: toDecimalString(ledger.fees),
  });
  // Reduce-only runs beyond the limit on purpose; only a fill that grows |position| (not one of its quotes) halts it.
  const allowedBeyondLimit = actor.reduceOnly && ledger.position.abs().lte(before.abs());
  if (positionBreached(ledger.position, actor.parameters.maxPosition) && !allowedBeyondLimit) {
    stop(ctx, "HALTED", "POSITION_LIMIT", `position ${ledger.position.toFixed()} beyond ${actor.parameters.maxPosition.toFixed()}`);
  }
  checkFillBurst(ctx, report);
  reportRisk(ctx);
}

export function onSubmissionFailed(ctx: StepContext, intent: OrderIntent, reason: string): void {
  log(ctx, "warn", "intent submission failed", { intentId: intent.intentId, intentKind: intent.kind, reason });
  // No ack: the order may be live. It stays tracked until a report settles it, and a
  // cancel for it still goes out.
  if (intent.kind === "NEW" && ctx.actor.orders.get(intent.clientOrderId)?.status !== "PENDING_CANCEL") sendCancels(ctx, [intent.clientOrderId]);
  recordRejection(ctx, `submission of ${intent.kind} failed: ${reason}`);
}

function recordRejection(ctx: StepContext, detail: string): void {
  const { actor } = ctx;
  const storm = actor.rejections.record(ctx.now);
  if (storm) stop(ctx, "HALTED", "REJECT_STORM", `${actor.rejections.recent} rejections within ${actor.settings.rejectStorm.windowMs} ms; last ${detail}`);
}
