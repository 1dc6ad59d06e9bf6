import type {
  AuditEventBody,
  BookDelta,
  BookSnapshot,
  ControlResult,
  ExecutionReport,
  MarketStatus,
  OrderIntent,
  PublicTrade,
  QuotingMode,
  SymbolConfig,
} from "@mms/contracts/runtime";
import type { LedgerFigures } from "./ledger";
import type { GlobalBreach, SymbolRiskReport } from "./risk";

export interface RestoredCheckpoint extends LedgerFigures {
  /** The EXEC stream sequence up to which the symbol's history is included. */
  readonly execSeq: number;
}

/** Everything that can happen to a symbol actor. Each reaches it as one message. */
export type SymbolEvent =
  | { readonly kind: "BOOK_SNAPSHOT"; readonly snapshot: BookSnapshot }
  /**
   * `moreQueued`: the shell holds more deltas for this symbol right behind this one. The
   * delta is applied (lag and gap checked as always) but the look at the market (crossed
   * book, volatility, price jump, requote) waits for the last of them: N queued deltas cost
   * N applies and one quote. Absent in recordings made before conflation existed.
   */
  | { readonly kind: "BOOK_DELTA"; readonly delta: BookDelta; readonly moreQueued?: true }
  | { readonly kind: "PUBLIC_TRADE"; readonly trade: PublicTrade }
  | { readonly kind: "MARKET_STATUS"; readonly status: MarketStatus }
  | { readonly kind: "MARKET_DATA_INVALID"; readonly subject: string; readonly issues: string }
  /** `streamSequence`: the report's EXEC stream sequence (absent in recordings made before it was carried). */
  | { readonly kind: "EXECUTION_REPORT"; readonly report: ExecutionReport; readonly replay: boolean; readonly streamSequence?: number }
  | { readonly kind: "EXECUTION_REPORT_INVALID"; readonly subject: string; readonly issues: string }
  /** `streamFirstSequence`: the EXEC stream's first sequence at catch-up (0 when it never held a message). */
  | { readonly kind: "RECOVERY_COMPLETE"; readonly streamFirstSequence?: number }
  /** The latest checkpoint, restored before the replay of what came after it. */
  | { readonly kind: "CHECKPOINT_RESTORED"; readonly checkpoint: RestoredCheckpoint }
  | { readonly kind: "SUBMISSION_FAILED"; readonly intent: OrderIntent; readonly reason: string }
  | { readonly kind: "CONTROL"; readonly requestId: string; readonly command: string; readonly body?: unknown }
  | { readonly kind: "GLOBAL_RISK"; readonly breach?: GlobalBreach }
  | { readonly kind: "TIMER" }
  | { readonly kind: "SLOW_CONSUMER" }
  | { readonly kind: "CONNECTION_LOST" }
  | { readonly kind: "CONNECTION_RESTORED" }
  | { readonly kind: "OWNERSHIP"; readonly status: "HELD" | "LOST" | "OWNED_ELSEWHERE"; readonly owner?: string }
  | { readonly kind: "SHUTDOWN" };

export type SymbolEventKind = SymbolEvent["kind"];

export type LogLevel = "error" | "warn" | "info" | "debug";

/** What the shell must carry out after a step, in order. */
export type SymbolCommand =
  | { readonly kind: "SEND_INTENT"; readonly intent: OrderIntent }
  | { readonly kind: "EMIT_EVENT"; readonly event: AuditEventBody }
  | { readonly kind: "REQUEST_SNAPSHOT" }
  | { readonly kind: "CONTROL_RESULT"; readonly requestId: string; readonly result: ControlResult }
  | { readonly kind: "RISK_REPORT"; readonly report: SymbolRiskReport }
  | { readonly kind: "LOG"; readonly level: LogLevel; readonly message: string; readonly fields: Readonly<Record<string, unknown>> };

export interface SymbolActorSettings {
  readonly config: SymbolConfig;
  readonly account: string;
  readonly maxLagMs: number;
  readonly rejectStorm: { readonly count: number; readonly windowMs: number };
  /** Prefix of every intent and client order id; unique per run so ids never repeat. */
  readonly idPrefix: string;
  /** False when no ownership lease is in use (single-instance tests): the symbol is taken as held. */
  readonly leaseRequired: boolean;
  readonly initialMode?: QuotingMode;
  /** False for a worker that connects after it starts: connected only at its first CONNECTION_RESTORED. Default true. */
  readonly connectedAtStart?: boolean;
  /** risk.maxOrderNotional for the pre-trade checks; recordings made before it existed leave it out. */
  readonly maxOrderNotional?: string;
}

export const TIMINGS = {
  snapshotRetryMs: 2000,
  cancelRetryMs: 2000,
  riskReportMs: 250,
  /** An unchanged risk report is still made this often (the shell sends it on, in case one was lost). */
  riskRefreshMs: 10_000,
  /**
   * The countdown's margin counts the last TIMER gap at most this long: TIMERs come when
   * something is due, not every 100 ms, so a long gap says nothing about the next one's lateness.
   */
  timerGapCapMs: 150,
  /** A TIMER comes at most this often: a due moment that is already past is looked at on the next one. */
  timerMinGapMs: 100,
} as const;
