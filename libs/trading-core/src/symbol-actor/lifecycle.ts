import { LIMITS, type StopReason } from "@mms/contracts/runtime";
import { resetTransition, resumeTransition, stopTransition, type StopTarget, type Transition } from "../state-machine";
import type { PretradeCheckName } from "../protection/pretrade-check";
import { cancelAllNowOrOnReconnect } from "./intents";
import type { StopRecord } from "./state";
import { emit, log, type StepContext } from "./step-context";

interface StopEffects {
  /** Cancel everything on the move (a reason change alone cancels nothing). */
  readonly cancelAll: boolean;
  /** An automatic stop: on-call hears of it (alert and risk events). */
  readonly alert: boolean;
  /** Already PAUSED: the reason becomes this one. False keeps why the symbol stopped; what blocks a resume now is in the status's resumeBlockers. */
  readonly relabelsPause: boolean;
  readonly findings?: RiskFindings | undefined;
  /** Who asked for an intended stop (kill, pause), for the status. */
  readonly operator?: string | null;
}

/** What a protection check found, carried by the risk event and the log (e.g. the failed pre-trade check). */
export interface RiskFindings {
  readonly check: PretradeCheckName;
  readonly values: Readonly<Record<string, string>>;
}

/** The one automatic cause that replaces a pause's reason: the contract shows a symbol another instance holds as OWNED_ELSEWHERE. */
function automaticRelabel(reason: StopReason): boolean {
  return reason === "OWNED_ELSEWHERE";
}

/** An automatic stop: cancels first, then the state event and an alert. */
export function stop(ctx: StepContext, target: StopTarget, reason: StopReason, detail: string, findings?: RiskFindings): void {
  // Another instance holds the lease: the symbol stays PAUSED with reason OWNED_ELSEWHERE (contract);
  // a pause for a market-data fault of a symbol it may not trade would hide that from on-call.
  const actor = ctx.actor;
  if (target === "PAUSED" && actor.ownership.kind === "OWNED_ELSEWHERE" && actor.state.name === "PAUSED" && actor.state.reason === "OWNED_ELSEWHERE") return;
  applyStop(ctx, target, reason, detail, { cancelAll: true, alert: true, relabelsPause: automaticRelabel(reason), findings });
}

/** A stop someone asked for (kill, pause, SIGTERM): cancels, no alert. */
export function intendedStop(ctx: StepContext, target: StopTarget, reason: StopReason, detail: string, operator: string | null = null): void {
  applyStop(ctx, target, reason, detail, { cancelAll: true, alert: false, relabelsPause: true, operator });
}

/** The lease was lost: an alert, but no CANCEL_ALL (another instance may own the account now). */
export function stopWithoutCancelAll(ctx: StepContext, target: StopTarget, reason: StopReason, detail: string): void {
  applyStop(ctx, target, reason, detail, { cancelAll: false, alert: true, relabelsPause: automaticRelabel(reason) });
}

/** A PAUSED symbol's reason changes; nothing is cancelled or alerted. */
export function relabelPause(ctx: StepContext, reason: StopReason, detail: string, operator: string | null = null): void {
  applyStop(ctx, "PAUSED", reason, detail, { cancelAll: false, alert: false, relabelsPause: true, operator });
}

function applyStop(ctx: StepContext, target: StopTarget, reason: StopReason, detail: string, effects: StopEffects): void {
  const actor = ctx.actor;
  const change = stopTransition(actor.state, target, reason);
  if (change.kind === "UNCHANGED" || (change.kind === "REASON_CHANGED" && !effects.relabelsPause)) return;
  if (change.kind === "MOVED" && effects.cancelAll) cancelAllNowOrOnReconnect(ctx, reason);
  actor.state = change.to;
  // Event text is bounded (the contract's Text): a detail quoting a hostile message could be megabytes.
  const text = boundedText(detail);
  actor.stop = { at: ctx.now, detail: text, operator: effects.operator ?? null };
  actor.lastQuoteKey = undefined;
  if (change.kind === "MOVED") actor.reduceOnly = false;
  emit(ctx, { type: "state", from: change.from.name, to: change.to.name, reason });
  if (change.kind === "MOVED" && effects.alert) {
    emit(ctx, { type: "alert", reason, from: change.from.name, to: change.to.name, message: text });
    emit(ctx, { type: "risk", reason, detail: text, ...(effects.findings ? { check: effects.findings.check, values: { ...effects.findings.values } } : {}) });
  }
  log(ctx, change.kind === "MOVED" && target === "HALTED" ? "error" : "warn", `symbol ${change.to.name}`, { from: change.from.name, to: change.to.name, reason, detail, ...effects.findings });
}

function boundedText(detail: string): string {
  return detail.length > LIMITS.maxTextLength ? `${detail.slice(0, LIMITS.maxTextLength - 1)}…` : detail;
}

/** PAUSED to ACTIVE; the caller checked that nothing blocks it. False when the state machine refuses. */
export function resume(ctx: StepContext): boolean {
  return applyOperatorTransition(ctx, resumeTransition(ctx.actor.state), undefined);
}

/** HALTED to PAUSED (MANUAL_RESET), dated and signed by the operator. False when the state machine refuses. */
export function reset(ctx: StepContext, operator: string | null, operatorReason: string | null): boolean {
  return applyOperatorTransition(ctx, resetTransition(ctx.actor.state), { at: ctx.now, detail: boundedText(operatorReason ?? "manual reset"), operator });
}

function applyOperatorTransition(ctx: StepContext, change: Transition | { readonly kind: "REFUSED" }, stopRecord: StopRecord | undefined): boolean {
  if (change.kind === "REFUSED") return false;
  if (change.kind === "UNCHANGED") return true;
  ctx.actor.state = change.to;
  ctx.actor.stop = stopRecord;
  emit(ctx, { type: "state", from: change.from.name, to: change.to.name, reason: change.to.reason });
  return true;
}
