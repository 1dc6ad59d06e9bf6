import { Type, type Static } from "@sinclair/typebox";

export const SymbolStateName = Type.Union([Type.Literal("ACTIVE"), Type.Literal("PAUSED"), Type.Literal("HALTED")]);
export type SymbolStateName = Static<typeof SymbolStateName>;

export const QuotingMode = Type.Union([Type.Literal("live"), Type.Literal("shadow")]);
export type QuotingMode = Static<typeof QuotingMode>;
