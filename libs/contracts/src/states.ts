import { Type, type Static } from "@sinclair/typebox";

export const SymbolStateName = Type.Union([Type.Literal("ACTIVE"), Type.Literal("PAUSED"), Type.Literal("HALTED")]);
export type SymbolStateName = Static<typeof SymbolStateName>;

export const QuotingMode = Type.Union([Type.Literal("live"), Type.Literal("shadow")]);
export type QuotingMode = Static<typeof QuotingMode>;

/** Why a symbol left ACTIVE. Stable codes: alerts, metrics and runbooks key on them. */
export const STOP_REASONS = [
  "STARTUP",
  "MD_STALE",
  "MD_GAP",
  "MD_INVALID",
  "MD_CROSSED",
  "BUS_LAG",
  "MARKET_HALTED",
  "POSITION_LIMIT",
  "EXPOSURE_LIMIT",
  "DRAWDOWN_LIMIT",
  "REJECT_STORM",
  "WORKER_FAILED",
  "OWNERSHIP_LOST",
  "OWNED_ELSEWHERE",
  "MANUAL_KILL",
  "MANUAL_PAUSE",
  "MANUAL_RESET",
  "NATS_DISCONNECTED",
  "SHUTDOWN",
] as const;
export type StopReason = (typeof STOP_REASONS)[number];

/** Why a control command was refused, beyond the stop reasons that block a resume. */
export const REFUSAL_REASONS = [
  "OPERATOR_REQUIRED",
  "INVALID_BODY",
  "HALTED_NEEDS_RESET",
  "NOT_HALTED",
  "NOT_PAUSED",
  "ALREADY_ACTIVE",
  "NO_BOOK",
  "NO_MARKET_STATUS",
  "PAUSE_FIRST",
  "UNKNOWN_SYMBOL",
  "OPEN_ORDERS_UNSETTLED",
  "UNKNOWN_COMMAND",
  "NO_ANSWER",
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export type ReasonCode = StopReason | RefusalReason;
