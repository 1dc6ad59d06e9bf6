import { Type, type Static } from "@sinclair/typebox";
import { SignedDecimalString, SymbolName, Text } from "./primitives";
import { REFUSAL_REASONS, STOP_REASONS } from "./reasons";
import { SymbolStateName } from "./states";
import { CONTROL_COMMANDS, INSTANCE_COMMANDS, SAFE_CONTROL_COMMANDS, type ControlCommand } from "./control-commands";

export { CONTROL_COMMANDS, INSTANCE_COMMANDS, SAFE_CONTROL_COMMANDS, type ControlCommand };

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
