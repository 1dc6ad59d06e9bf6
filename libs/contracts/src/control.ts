import { Type, type Static } from "@sinclair/typebox";
import { SignedDecimalString, SymbolName, Text } from "./primitives";
import { REFUSAL_REASONS, STOP_REASONS } from "./reasons";
import { SymbolStateName } from "./states";

export const CONTROL_COMMANDS = ["kill", "pause", "resume", "reset", "shadow", "reduce"] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

/** Commands to a whole instance (`mms.control.instance.<instanceName>.<command>`), an MMS addition. */
export const INSTANCE_COMMANDS = ["drain"] as const;

/** Commands that must work with any body at all, or none. */
export const SAFE_CONTROL_COMMANDS: readonly ControlCommand[] = ["kill", "pause"];

export const OperatorName = Type.String({ minLength: 1, maxLength: 64 });

/** Every field optional here: which are required depends on the command. */
export const ControlBody = Type.Object({
  operator: Type.Optional(OperatorName),
  reason: Type.Optional(Text),
  enabled: Type.Optional(Type.Boolean()),
  /** `reset` of INVENTORY_UNVERIFIED: the position the operator confirmed against the exchange's ledger. */
  position: Type.Optional(SignedDecimalString),
});
export type ControlBody = Readonly<Static<typeof ControlBody>>;

/** A refused command's `reason`: a refusal code or the stop reason that blocks a resume. */
export const ControlRefusalCode = Type.Union([...new Set<string>([...REFUSAL_REASONS, ...STOP_REASONS])].map((code) => Type.Literal(code)));

export const ControlResult = Type.Object({
  symbol: SymbolName,
  from: SymbolStateName,
  to: SymbolStateName,
  accepted: Type.Boolean(),
  reason: Type.Optional(ControlRefusalCode),
});
export type ControlResult = Readonly<Static<typeof ControlResult>>;

export const ControlReply = Type.Object({
  ok: Type.Boolean(),
  /** As in mms.status: replies from several instances can be told apart. */
  instance: Type.String({ minLength: 1 }),
  // Absent in the contract's reply to an unknown command: {"ok": false, "error": ...}.
  results: Type.Optional(Type.Array(ControlResult)),
  error: Type.Optional(Type.String()),
});
export type ControlReply = Readonly<Static<typeof ControlReply>>;
