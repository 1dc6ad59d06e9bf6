import type { ControlRefusal } from "@mms/contracts";
import { positionBreached } from "../risk";
import { decideControl, type ControlEffect, type ControlView } from "./control-rules";
import { confirmInventory } from "./checkpoints";
import { cancelAllNowOrOnReconnect } from "./intents";
import { intendedStop, relabelPause, reset, resume } from "./lifecycle";
import { requote } from "./quoting";
import { isAwaitingSnapshot, isConnected, type SymbolActorState } from "./state";
import { emit, log, symbolOf, type StepContext } from "./step-context";

export function onControl(ctx: StepContext, requestId: string, command: string, rawBody: unknown): void {
  const actor = ctx.actor;
  const from = actor.state.name;
  const decision = decideControl(controlView(actor, ctx.now), command, rawBody);
  for (const effect of decision.effects) applyEffect(ctx, effect);
  const { refusal, body } = decision;
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
    resumeBlocker: resumeBlocker(actor, now),
    position: actor.ledger.position.toFixed(),
  };
}

function applyEffect(ctx: StepContext, effect: ControlEffect): void {
  const actor = ctx.actor;
  switch (effect.kind) {
    case "CANCEL_ALL":
      return cancelAllNowOrOnReconnect(ctx, effect.reason);
    case "STOP":
      return intendedStop(ctx, effect.target, effect.reason, effect.reason === "MANUAL_KILL" ? "manual kill" : "manual pause");
    case "RELABEL_PAUSE":
      return relabelPause(ctx, effect.reason, "manual pause");
    case "RESET":
      if (reset(ctx)) confirmInventory(ctx);
      return;
    case "RESUME":
      if (resume(ctx)) requote(ctx);
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

/** Why the symbol may not quote now (a halt aside), checked in the order on-call would fix them. */
function resumeBlocker(actor: SymbolActorState, now: number): ControlRefusal | undefined {
  if (actor.recovery === "REPLAYING") return "STARTUP";
  if (actor.ownership.kind === "OWNED_ELSEWHERE" || actor.ownership.kind === "UNKNOWN") return "OWNED_ELSEWHERE";
  if (actor.ownership.kind === "LOST") return "OWNERSHIP_LOST";
  if (!isConnected(actor)) return "NATS_DISCONNECTED";
  if (!actor.book) return "NO_BOOK";
  if (isAwaitingSnapshot(actor)) return "MD_GAP";
  if (actor.monitor.isStale(now)) return "MD_STALE";
  if (actor.book.isCrossed()) return "MD_CROSSED";
  if (!actor.book.bestBid() || !actor.book.bestAsk()) return "NO_BOOK";
  if (actor.monitor.marketStatus === undefined) return "NO_MARKET_STATUS";
  if (!actor.monitor.isTrading()) return "MARKET_HALTED";
  if (actor.lastLagMs !== undefined) return "BUS_LAG";
  if (positionBreached(actor.ledger.position, actor.parameters.maxPosition)) return "POSITION_LIMIT";
  if (actor.globalBreach) return actor.globalBreach.reason;
  if (actor.rejections.isStorm(now)) return "REJECT_STORM";
  return undefined;
}
