import type { ControlResult, ReasonCode } from "@mms/contracts/runtime";
import { decideControl, type ControlView } from "@mms/trading-core";
import type { SymbolSlot } from "./symbol-slots";
import type { SymbolVoice } from "./symbol-voice";

/** What a control command does to a symbol whose worker failed (it is HALTED, WORKER_FAILED). */
export type DeadSymbolDecision =
  | { readonly kind: "RESTART"; readonly operator: string; readonly operatorReason: string }
  | {
      readonly kind: "STAY_HALTED";
      /** kill and pause send the cancel again, whatever else. */
      readonly cancelReason: "MANUAL_KILL" | "MANUAL_PAUSE" | undefined;
      readonly accepted: boolean;
      readonly refusal: ReasonCode | undefined;
      readonly operator: string | null;
      readonly operatorReason: string | null;
    };

/** What the coordinator knows of a dead worker's symbol: halted, and perhaps still holding orders. */
const DEAD_SYMBOL_VIEW: ControlView = { state: "HALTED", reason: "WORKER_FAILED", mode: "live", hasOrders: true, resumeBlocker: undefined, reduceOnly: false, reduceBlocker: undefined };

/**
 * A dead worker's symbol stays HALTED, by the actor's own control rules: kill is accepted
 * (and cancels again), pause cancels again but is refused; `reset` with operator and reason
 * (a human's acknowledgement) starts a fresh worker, which cancels leftovers as it starts;
 * anything else is refused as WORKER_FAILED.
 */
export function decideDeadSymbolControl(command: string, body: unknown): DeadSymbolDecision {
  const decision = decideControl(DEAD_SYMBOL_VIEW, command, body);
  const operator = decision.body?.operator || null;
  const operatorReason = decision.body?.reason?.trim() ? decision.body.reason : null;
  if (decision.refusal === undefined && decision.effects.some((effect) => effect.kind === "RESET") && operator && operatorReason) return { kind: "RESTART", operator, operatorReason };
  const cancel = decision.effects.find((effect) => effect.kind === "CANCEL_ALL");
  const cancelReason = cancel?.reason === "MANUAL_KILL" || cancel?.reason === "MANUAL_PAUSE" ? cancel.reason : undefined;
  return { kind: "STAY_HALTED", cancelReason, accepted: decision.refusal === undefined, refusal: decision.refusal, operator, operatorReason };
}

/** The coordinator answers for the dead actor, and records the command as the actor would have. */
export async function answerForDeadSymbol(slot: SymbolSlot, command: string, body: unknown, voice: SymbolVoice, restart: (slot: SymbolSlot) => void): Promise<ControlResult> {
  const { symbol } = slot;
  const decision = decideDeadSymbolControl(command, body);
  if (decision.kind === "RESTART") {
    await voice.publishEvents(slot, [{ type: "control", command, operator: decision.operator, operatorReason: decision.operatorReason, accepted: true, refusal: null, from: "HALTED", to: "PAUSED" }]);
    restart(slot);
    return { symbol, from: "HALTED", to: "PAUSED", accepted: true };
  }
  if (decision.cancelReason) await voice.cancelAll(slot, decision.cancelReason);
  const { accepted, refusal, operator, operatorReason } = decision;
  await voice.publishEvents(slot, [{ type: "control", command, operator, operatorReason, accepted, refusal: refusal ?? null, from: "HALTED", to: "HALTED" }]);
  return { symbol, from: "HALTED", to: "HALTED", accepted, ...(refusal ? { reason: refusal } : {}) };
}
