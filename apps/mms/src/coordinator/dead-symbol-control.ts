import { CONTROL_COMMANDS, type ControlResult, type ReasonCode } from "@mms/contracts";
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

function isKnownCommand(command: string): boolean {
  return (CONTROL_COMMANDS as readonly string[]).includes(command);
}

// integrator: switch to trading-core's decideControl
/**
 * A dead worker's symbol stays HALTED: kill is accepted (and cancels again), pause cancels
 * again but is refused; `reset` with operator and reason (a human's acknowledgement) starts
 * a fresh worker; anything else is refused as WORKER_FAILED.
 */
export function decideDeadSymbolControl(command: string, body: unknown): DeadSymbolDecision {
  const fields = typeof body === "object" && body !== null ? Object.fromEntries(Object.entries(body)) : {};
  const operator = typeof fields.operator === "string" && fields.operator !== "" ? fields.operator : null;
  const operatorReason = typeof fields.reason === "string" && fields.reason.trim() !== "" ? fields.reason : null;
  if (command === "reset" && operator && operatorReason) return { kind: "RESTART", operator, operatorReason };
  const cancelReason = command === "kill" ? "MANUAL_KILL" : command === "pause" ? "MANUAL_PAUSE" : undefined;
  const accepted = command === "kill";
  const refusal = accepted ? undefined : command === "reset" ? "OPERATOR_REQUIRED" : isKnownCommand(command) ? "WORKER_FAILED" : "UNKNOWN_COMMAND";
  return { kind: "STAY_HALTED", cancelReason, accepted, refusal, operator, operatorReason };
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
