import type { RefusalReason, StopReason, SymbolStateName } from "@mms/contracts/runtime";

export interface SymbolState {
  readonly name: SymbolStateName;
  /** Null while ACTIVE. */
  readonly reason: StopReason | null;
}

export const STARTUP_STATE: SymbolState = { name: "PAUSED", reason: "STARTUP" };

export type StopTarget = "PAUSED" | "HALTED";

export type Transition =
  | { readonly kind: "MOVED"; readonly from: SymbolState; readonly to: SymbolState }
  | { readonly kind: "REASON_CHANGED"; readonly from: SymbolState; readonly to: SymbolState }
  | { readonly kind: "UNCHANGED"; readonly state: SymbolState };

/** An operator's transition that the state does not allow. */
export interface RefusedTransition {
  readonly kind: "REFUSED";
  readonly refusal: RefusalReason;
}

/**
 * HALTED outranks PAUSED: an automatic pause never lifts a halt. While HALTED the first cause
 * stays, since that is what needs a look; while PAUSED the caller decides whether a new reason
 * replaces the old one (REASON_CHANGED): an automatic one does not (see lifecycle.ts).
 */
export function stopTransition(current: SymbolState, target: StopTarget, reason: StopReason): Transition {
  if (current.name === "HALTED") return { kind: "UNCHANGED", state: current };
  if (current.name === target) {
    if (current.reason === reason) return { kind: "UNCHANGED", state: current };
    return { kind: "REASON_CHANGED", from: current, to: { name: target, reason } };
  }
  return { kind: "MOVED", from: current, to: { name: target, reason } };
}

/** PAUSED to ACTIVE; a halt needs its reset first. Whether the market allows it is the caller's check. */
export function resumeTransition(current: SymbolState): Transition | RefusedTransition {
  if (current.name === "ACTIVE") return { kind: "UNCHANGED", state: current };
  if (current.name === "HALTED") return { kind: "REFUSED", refusal: "HALTED_NEEDS_RESET" };
  return { kind: "MOVED", from: current, to: { name: "ACTIVE", reason: null } };
}

/** HALTED to PAUSED (MANUAL_RESET): the human acknowledgement that a halt was looked at. */
export function resetTransition(current: SymbolState): Transition | RefusedTransition {
  if (current.name !== "HALTED") return { kind: "REFUSED", refusal: "NOT_HALTED" };
  return { kind: "MOVED", from: current, to: { name: "PAUSED", reason: "MANUAL_RESET" } };
}

export function isStopped(state: SymbolState): boolean {
  return state.name !== "ACTIVE";
}
