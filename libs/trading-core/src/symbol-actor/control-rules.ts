import { CONTROL_COMMANDS, validators, type ControlBody, type ControlCommand, type ControlRefusal, type QuotingMode, type RefusalReason, type StopReason, type SymbolStateName } from "@mms/contracts/runtime";
import { Big } from "../decimal";
import { resetTransition, resumeTransition, type StopTarget } from "../state-machine";
import type { CancelAllReason } from "./intents";

/** Commands that change what the symbol may do: they need an operator and a reason. */
const OPERATOR_COMMANDS: ReadonlySet<ControlCommand> = new Set(["resume", "reset", "shadow", "reduce"]);

export type ControlBodyRefusal = Extract<RefusalReason, "UNKNOWN_COMMAND" | "OPERATOR_REQUIRED" | "INVALID_BODY">;

export type ValidatedControl =
  | { readonly ok: true; readonly command: ControlCommand; readonly body: ControlBody | undefined }
  /** `body` is kept when it parsed: the audit event names the operator of a refused command too. */
  | { readonly ok: false; readonly refusal: ControlBodyRefusal; readonly body: ControlBody | undefined };

/**
 * The command and its body, before any state is looked at: a known command; for resume,
 * reset and shadow an operator and a non-blank reason; for shadow a boolean `enabled`.
 * Safe commands (kill, pause) take any body at all.
 */
export function validateControlBody(command: string, rawBody: unknown): ValidatedControl {
  const parsed = validators.controlBody(rawBody);
  const body: ControlBody | undefined = parsed.ok ? parsed.value : undefined;
  if (!isControlCommand(command)) return { ok: false, refusal: "UNKNOWN_COMMAND", body };
  if (OPERATOR_COMMANDS.has(command) && (!body || !body.operator || body.reason === undefined || body.reason.trim() === "")) {
    return { ok: false, refusal: parsed.ok || rawBody === undefined ? "OPERATOR_REQUIRED" : "INVALID_BODY", body };
  }
  if (command === "shadow" && typeof body?.enabled !== "boolean") return { ok: false, refusal: "INVALID_BODY", body };
  return { ok: true, command, body };
}

function isControlCommand(command: string): command is ControlCommand {
  return (CONTROL_COMMANDS as readonly string[]).includes(command);
}

/** The least a control decision needs to know about a symbol. */
export interface ControlView {
  readonly state: SymbolStateName;
  readonly reason: StopReason | null;
  readonly mode: QuotingMode;
  readonly hasOrders: boolean;
  /** The first condition that blocks a resume (other than a halt), or undefined when none does. */
  readonly resumeBlocker: ControlRefusal | undefined;
  /** ACTIVE quoting only the side toward a flat position. */
  readonly reduceOnly: boolean;
  /** What blocks `reduce`: NOTHING_TO_REDUCE when flat, else a resume blocker other than the position limit. */
  readonly reduceBlocker: ControlRefusal | undefined;
  /** The position the MMS reports; a reset of INVENTORY_UNVERIFIED must carry the same. */
  readonly position?: string | null;
}

/** Exact decimal comparison of the position an operator confirmed with the one the MMS reports. */
export function positionConfirmed(confirmed: string | undefined, reported: string | null | undefined): boolean {
  return confirmed !== undefined && reported !== undefined && reported !== null && new Big(confirmed).eq(reported);
}

/** What carrying out a command takes, in order. */
export type ControlEffect =
  /** Cancel everything now, or on reconnect when disconnected. */
  | { readonly kind: "CANCEL_ALL"; readonly reason: CancelAllReason }
  /** An intended stop: cancels on the move, no alert. */
  | { readonly kind: "STOP"; readonly target: StopTarget; readonly reason: Extract<StopReason, "MANUAL_KILL" | "MANUAL_PAUSE"> }
  /** Already PAUSED: only the reason changes. */
  | { readonly kind: "RELABEL_PAUSE"; readonly reason: "MANUAL_PAUSE" }
  | { readonly kind: "RESET" }
  /** PAUSED to ACTIVE quoting normally; ACTIVE reduce-only back to normal quoting. */
  | { readonly kind: "RESUME" }
  /** PAUSED to ACTIVE reduce-only. */
  | { readonly kind: "REDUCE" }
  | { readonly kind: "ENTER_SHADOW" }
  | { readonly kind: "LEAVE_SHADOW" };

export interface ControlDecision {
  /** Undefined when the command is accepted. Effects may be due even when refused: a safe command always cancels. */
  readonly refusal: ControlRefusal | undefined;
  readonly effects: readonly ControlEffect[];
  readonly body: ControlBody | undefined;
}

/**
 * What a control command does to a symbol in the given view. A symbol whose worker
 * failed (HALTED, WORKER_FAILED) takes only kill and reset; its other refusals say so.
 */
export function decideControl(view: ControlView, command: string, rawBody: unknown): ControlDecision {
  const validated = validateControlBody(command, rawBody);
  if (!validated.ok) return { refusal: validated.refusal, effects: [], body: validated.body };
  const { refusal, effects } = decideValidCommand(view, validated.command, validated.body);
  return { refusal, effects, body: validated.body };
}

function decideValidCommand(view: ControlView, command: ControlCommand, body: ControlBody | undefined): Omit<ControlDecision, "body"> {
  const halted = view.state === "HALTED";
  const haltRefusal: ControlRefusal = view.reason === "WORKER_FAILED" ? "WORKER_FAILED" : "HALTED_NEEDS_RESET";
  switch (command) {
    case "kill":
      // Safe commands always cancel, whatever the state.
      return accepted(halted ? { kind: "CANCEL_ALL", reason: "MANUAL_KILL" } : { kind: "STOP", target: "HALTED", reason: "MANUAL_KILL" });
    case "pause":
      if (halted) return { refusal: haltRefusal, effects: [{ kind: "CANCEL_ALL", reason: "MANUAL_PAUSE" }] };
      if (view.state === "PAUSED") return accepted({ kind: "CANCEL_ALL", reason: "MANUAL_PAUSE" }, { kind: "RELABEL_PAUSE", reason: "MANUAL_PAUSE" });
      return accepted({ kind: "STOP", target: "PAUSED", reason: "MANUAL_PAUSE" });
    case "reset": {
      const change = resetTransition({ name: view.state, reason: view.reason });
      if (change.kind === "REFUSED") return refused(change.refusal);
      // The history was gone: only an operator who checked the exchange's ledger may clear it.
      if (view.reason === "INVENTORY_UNVERIFIED" && !positionConfirmed(body?.position, view.position)) return refused("POSITION_MISMATCH");
      // Every move into PAUSED cancels first; a halted symbol should hold nothing, this makes sure.
      return accepted({ kind: "CANCEL_ALL", reason: "MANUAL_RESET" }, { kind: "RESET" });
    }
    case "resume": {
      const change = resumeTransition({ name: view.state, reason: view.reason });
      if (change.kind === "REFUSED") return refused(haltRefusal);
      if (change.kind === "UNCHANGED" && !view.reduceOnly) return accepted();
      return view.resumeBlocker ? refused(view.resumeBlocker) : accepted({ kind: "RESUME" });
    }
    case "reduce": {
      const change = resumeTransition({ name: view.state, reason: view.reason });
      if (change.kind === "REFUSED") return refused(haltRefusal);
      // Reduce-only narrows what an ACTIVE symbol quotes: that takes a pause first, like shadow to live.
      if (change.kind === "UNCHANGED") return view.reduceOnly ? accepted() : refused("PAUSE_FIRST");
      return view.reduceBlocker ? refused(view.reduceBlocker) : accepted({ kind: "REDUCE" });
    }
    case "shadow":
      if (view.reason === "WORKER_FAILED") return refused("WORKER_FAILED");
      if (body?.enabled) return accepted(...(view.mode === "live" && view.hasOrders ? [{ kind: "CANCEL_ALL", reason: "SHADOW_MODE" } as const] : []), { kind: "ENTER_SHADOW" });
      if (view.state === "ACTIVE") return refused("PAUSE_FIRST");
      return accepted({ kind: "LEAVE_SHADOW" });
  }
}

function accepted(...effects: ControlEffect[]): Omit<ControlDecision, "body"> {
  return { refusal: undefined, effects };
}

function refused(refusal: ControlRefusal): Omit<ControlDecision, "body"> {
  return { refusal, effects: [] };
}
