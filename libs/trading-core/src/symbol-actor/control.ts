import { reduceRefusal } from "../protection/reduce-only";
import { decideControl, type ControlEffect, type ControlView } from "./control-rules";
import { confirmInventory } from "./checkpoints";
import { cancelAllNowOrOnReconnect } from "./intents";
import { intendedStop, relabelPause, reset, resume } from "./lifecycle";
import { requote } from "./quoting";
import { resumeBlockers } from "./resume-blockers";
import type { SymbolActorState } from "./state";
import { emit, log, symbolOf, type StepContext } from "./step-context";

export function onControl(ctx: StepContext, requestId: string, command: string, rawBody: unknown): void {
  const actor = ctx.actor;
  const from = actor.state.name;
  const decision = decideControl(controlView(actor, ctx.now), command, rawBody);
  const { refusal, body } = decision;
  const signature = { operator: body?.operator || null, operatorReason: body?.reason?.trim() ? body.reason : null };
  for (const effect of decision.effects) applyEffect(ctx, effect, signature);
  const to = actor.state.name;
  const result = { symbol: symbolOf(ctx), from, to, accepted: refusal === undefined, ...(refusal ? { reason: refusal } : {}) };
  emit(ctx, { type: "control", command, operator: body?.operator ?? null, operatorReason: body?.reason ?? null, accepted: result.accepted, refusal: refusal ?? null, from, to });
  log(ctx, "info", result.accepted ? "control command accepted" : "control command refused", { command, operator: body?.operator, refusal, from, to });
  ctx.commands.push({ kind: "CONTROL_RESULT", requestId, result });
}

export function controlView(actor: SymbolActorState, now: number): ControlView {
  return {
    state: actor.state.name,
    reason: actor.state.reason,
    mode: actor.mode,
    hasOrders: actor.orders.hasOrders(),
    resumeBlocker: resumeBlockers(actor, now)[0],
    reduceOnly: actor.reduceOnly,
    reduceBlocker: reduceRefusal(actor.ledger.position) ?? resumeBlockers(actor, now, { ignorePositionLimit: true })[0],
    position: actor.ledger.position.toFixed(),
  };
}

/** Who sent the command and why: the status shows it for the stop it caused. */
interface Signature {
  readonly operator: string | null;
  readonly operatorReason: string | null;
}

function applyEffect(ctx: StepContext, effect: ControlEffect, signature: Signature): void {
  const actor = ctx.actor;
  switch (effect.kind) {
    case "CANCEL_ALL":
      return cancelAllNowOrOnReconnect(ctx, effect.reason);
    case "STOP":
      return intendedStop(ctx, effect.target, effect.reason, signature.operatorReason ?? (effect.reason === "MANUAL_KILL" ? "manual kill" : "manual pause"), signature.operator);
    case "RELABEL_PAUSE":
      return relabelPause(ctx, effect.reason, signature.operatorReason ?? "manual pause", signature.operator);
    case "RESET":
      if (reset(ctx, signature.operator, signature.operatorReason)) confirmInventory(ctx);
      return;
    case "RESUME":
      actor.reduceOnly = false;
      if (resume(ctx)) requote(ctx);
      return;
    case "REDUCE":
      if (!resume(ctx)) return;
      actor.reduceOnly = true;
      requote(ctx);
      return;
    case "ENTER_SHADOW":
      actor.mode = "shadow";
      actor.orders.forgetAllAsShadow();
      actor.countdown = { kind: "OFF" };
      return;
    case "LEAVE_SHADOW":
      if (actor.mode === "shadow") actor.orders.forgetAllAsShadow();
      actor.mode = "live";
      return;
  }
}
