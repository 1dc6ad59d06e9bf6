/**
 * The one reason vocabulary: why a symbol stopped, why a control command was refused, why
 * a side went unquoted. Stable SCREAMING_SNAKE codes: alerts, metrics, runbooks and the
 * control reply key on them, so a code is only added here together with its runbook entry.
 */

/** Why a symbol left ACTIVE. */
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
  // Protection stops (contract "Protection").
  "MMP_TRIGGERED",
  "PRICE_JUMP",
  "DEADMAN_FIRED",
  "PRETRADE_DENIED",
  "ORDER_STATE_UNKNOWN",
  "FOREIGN_ORDER",
  "INVENTORY_UNVERIFIED",
  /** Reduce-only brought the position to zero. */
  "REDUCED",
] as const;
export type StopReason = (typeof STOP_REASONS)[number];

/** The stop reasons that are market-data faults (metric `market_data_faults`). */
export const MARKET_DATA_STOP_REASONS = ["MD_STALE", "MD_GAP", "MD_INVALID", "MD_CROSSED", "BUS_LAG", "MARKET_HALTED"] as const satisfies readonly StopReason[];

/** Global limits the risk actor enforces across all symbols. */
export const GLOBAL_BREACH_REASONS = ["EXPOSURE_LIMIT", "DRAWDOWN_LIMIT"] as const satisfies readonly StopReason[];
export type GlobalBreachReason = (typeof GLOBAL_BREACH_REASONS)[number];

/** Why a control command was refused, beyond the stop reasons that block a resume. */
export const REFUSAL_REASONS = [
  "OPERATOR_REQUIRED",
  "INVALID_BODY",
  "HALTED_NEEDS_RESET",
  "NOT_HALTED",
  "NO_BOOK",
  "NO_MARKET_STATUS",
  "PAUSE_FIRST",
  "UNKNOWN_COMMAND",
  /** The symbol's worker did not answer the control request in time. */
  "NO_ANSWER",
  /** `resume` within `mmp.frozenMs` of a fill-burst stop. */
  "MMP_FROZEN",
  /** `reduce` with a position of zero. */
  "NOTHING_TO_REDUCE",
  /** `reset` of INVENTORY_UNVERIFIED without the `position` the MMS reports. */
  "POSITION_MISMATCH",
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** What a control result's `reason` may say: a refusal, or the stop reason that blocks a resume. */
export type ControlRefusal = RefusalReason | StopReason;

/** Why the quote engine left a side out of a quote (the `quote` event's `skipped`). */
export const QUOTE_SKIP_REASONS = [
  /** A full fill of the side would take |position| beyond maxPosition. */
  "POSITION_LIMIT",
  /** No price for the side both inside the band and not crossing the book. */
  "NO_ROOM_INSIDE_BAND",
] as const;
export type QuoteSkipReason = (typeof QUOTE_SKIP_REASONS)[number];

export const REASON_CODES = [...new Set<string>([...STOP_REASONS, ...REFUSAL_REASONS, ...QUOTE_SKIP_REASONS])] as readonly ReasonCode[];
export type ReasonCode = StopReason | RefusalReason | QuoteSkipReason;
