import type { QuotingMode } from "@mms/contracts/runtime";
import { Ledger } from "../ledger";
import { DEFAULT_VOLATILITY_SAMPLE_MS, DEFAULT_VOLATILITY_WINDOW, MarketMonitor } from "../market-monitor";
import type { Decimal } from "../decimal";
import type { OrderBook } from "../order-book";
import { OrderManager } from "../order-manager";
import { FillBurstGuard, fillBurstLimits } from "../protection/fill-burst";
import { PriceJumpDetector, priceJumpSettings } from "../protection/price-jump";
import { OrderAckWatch } from "../protection/order-ack-watch";
import { quoteParameters, type QuoteParameters } from "../quote-engine";
import { RejectionWindow, type GlobalBreach } from "../risk";
import { STARTUP_STATE, type SymbolState } from "../state-machine";
import type { SymbolActorSettings } from "../symbol-protocol";
import { RecentIds } from "../recent-ids";
import { SequentialIds, type IdSource } from "./ids";
import type { SettledQuote } from "./quoting";
import type { MarketTouch } from "./views";

/** How many recent execIds are remembered besides the stream-sequence high-water mark. */
export const RECENT_EXEC_IDS = 10_000;

export interface CheckpointProgress {
  /** Reports applied since the last checkpoint was written. */
  appliedSinceLast: number;
  /** The execSeq of the checkpoint restored at start-up; undefined without one. */
  restoredExecSeq: number | undefined;
  /** EXEC no longer held the history needed: no checkpoint is written until a reset confirms the position. */
  inventoryUnverified: boolean;
}

/**
 * Start-up recovery: the EXEC replay first, then (lease held, connected) the CANCEL_ALL of
 * an earlier run's leftovers. Losing the lease sends it back to LEFTOVER_CANCEL_PENDING:
 * whoever holds the lease next cancels leftovers.
 */
export type RecoveryPhase = "REPLAYING" | "LEFTOVER_CANCEL_PENDING" | "RECOVERED";

/**
 * Disconnected, a stop's CANCEL_ALL cannot go out: it is owed on reconnect. NOT_YET_CONNECTED
 * is a worker's start, before its first connection: the shell holds audit events until then.
 */
export type ConnectionState =
  | { readonly kind: "NOT_YET_CONNECTED" }
  | { readonly kind: "CONNECTED" }
  | { readonly kind: "DISCONNECTED"; readonly cancelAllOnReconnect: boolean };

/** The ownership lease of the symbol; UNKNOWN until the first lease answer. */
export type OwnershipState =
  | { readonly kind: "UNKNOWN" }
  | { readonly kind: "HELD" }
  | { readonly kind: "LOST"; readonly owner: string | undefined }
  | { readonly kind: "OWNED_ELSEWHERE"; readonly owner: string | undefined };

/** The exchange's dead-man's switch: OFF, or ARMED and last refreshed at `refreshedAt`. */
export type CountdownState = { readonly kind: "OFF" } | { readonly kind: "ARMED"; readonly refreshedAt: number };

/** A gap or invalid data makes the book unusable until a fresh snapshot arrives. */
export type BookState = { readonly kind: "AWAITING_SNAPSHOT"; readonly requestedAt: number | undefined } | { readonly kind: "READY" };

/**
 * When and why the symbol last stopped, for the status: `at` is undefined only before the
 * actor's first step (its start), `operator` names who sent a manual stop or reset.
 */
export interface StopRecord {
  readonly at: number | undefined;
  readonly detail: string;
  readonly operator: string | null;
}

/** Everything one symbol actor owns. Only `stepSymbol` changes it. */
export interface SymbolActorState {
  readonly settings: SymbolActorSettings;
  readonly parameters: QuoteParameters;
  state: SymbolState;
  /** Undefined while ACTIVE. */
  stop: StopRecord | undefined;
  mode: QuotingMode;
  /** The last book built; kept while awaiting a snapshot (the figures still show it). */
  book: OrderBook | undefined;
  bookState: BookState;
  /** A delta with `moreQueued` changed the book and nothing has looked at the market since. */
  bookChangedSinceLook: boolean;
  lastLagMs: number | undefined;
  readonly monitor: MarketMonitor;
  readonly orders: OrderManager;
  /** Orders sent with no report yet: past orderAckTimeoutMs they block their side and get CANCELs. */
  readonly ackWatch: OrderAckWatch;
  readonly ledger: Ledger;
  /** Highest EXEC stream sequence applied: a delivery at or below it changes nothing. */
  execSeqHighWater: number;
  /** The last execIds applied: the same report republished under a new sequence changes nothing. */
  readonly recentExecIds: RecentIds;
  /** The last fills applied (order and fillId): the same fill under a new execId changes nothing. */
  readonly recentFillIds: RecentIds;
  checkpoints: CheckpointProgress;
  readonly rejections: RejectionWindow;
  globalBreach: GlobalBreach | undefined;
  /** Protection: the burst of own live fills (MMP_TRIGGERED, MMP_FROZEN) and the jump of the mid (PRICE_JUMP). */
  readonly fillBurst: FillBurstGuard;
  readonly priceJump: PriceJumpDetector;
  /** The last mid the jump detector saw: an unchanged mid is not looked at again. */
  lastObservedMid: Decimal | undefined;
  /** ACTIVE after `reduce`: only the side toward a flat position is quoted; cleared by any stop or a plain resume. */
  reduceOnly: boolean;
  ownership: OwnershipState;
  connection: ConnectionState;
  recovery: RecoveryPhase;
  countdown: CountdownState;
  /** When the last TIMER came and how long after the one before: a refresh is due before the next one would be late. */
  lastTimerAt: number | undefined;
  timerIntervalMs: number;
  lastRiskReportAt: number | undefined;
  /** An event since the last risk report may have moved its figures (mid, ledger): the next one is due in riskReportMs, not riskRefreshMs. */
  riskFiguresMayHaveMoved: boolean;
  lastQuoteKey: string | undefined;
  /** The touch of the book at `seq` with the orders at `ordersVersion`: see `marketTouch`. */
  touchCache: { book: OrderBook; seq: number; ordersVersion: number; touch: MarketTouch } | undefined;
  /** What the last requote that changed nothing looked at: the same inputs again change nothing (see `requote`). */
  settledQuote: SettledQuote | undefined;
  readonly ids: IdSource;
  counters: { invalidMarketData: number; invalidReports: number; duplicateReports: number };
}

/** `ids` defaults to sequential ids under `settings.idPrefix`. */
export function initialSymbolState(settings: SymbolActorSettings, ids: IdSource = new SequentialIds(settings.idPrefix)): SymbolActorState {
  const config = settings.config;
  return {
    settings,
    parameters: quoteParameters(config),
    state: STARTUP_STATE,
    stop: { at: undefined, detail: "starting: replaying EXEC", operator: null },
    mode: settings.initialMode ?? config.mode,
    book: undefined,
    bookState: { kind: "AWAITING_SNAPSHOT", requestedAt: undefined },
    bookChangedSinceLook: false,
    lastLagMs: undefined,
    monitor: new MarketMonitor({ staleMs: config.staleMs, maxLagMs: settings.maxLagMs, volatilitySampleMs: DEFAULT_VOLATILITY_SAMPLE_MS, volatilityWindow: DEFAULT_VOLATILITY_WINDOW }),
    orders: new OrderManager(),
    ackWatch: new OrderAckWatch({ account: settings.account, symbol: config.symbol, orderAckTimeoutMs: config.orderAckTimeoutMs, nextIntentId: () => ids.next("I") }),
    ledger: new Ledger(),
    execSeqHighWater: 0,
    recentExecIds: new RecentIds(RECENT_EXEC_IDS),
    recentFillIds: new RecentIds(RECENT_EXEC_IDS),
    checkpoints: { appliedSinceLast: 0, restoredExecSeq: undefined, inventoryUnverified: false },
    rejections: new RejectionWindow(settings.rejectStorm.count, settings.rejectStorm.windowMs),
    globalBreach: undefined,
    fillBurst: new FillBurstGuard(fillBurstLimits(config.mmp)),
    priceJump: new PriceJumpDetector(priceJumpSettings(config)),
    lastObservedMid: undefined,
    reduceOnly: false,
    ownership: settings.leaseRequired ? { kind: "UNKNOWN" } : { kind: "HELD" },
    // Recordings made before the flag existed replay as connected from the start.
    connection: settings.connectedAtStart === false ? { kind: "NOT_YET_CONNECTED" } : { kind: "CONNECTED" },
    recovery: "REPLAYING",
    countdown: { kind: "OFF" },
    lastTimerAt: undefined,
    timerIntervalMs: 0,
    lastRiskReportAt: undefined,
    riskFiguresMayHaveMoved: true,
    lastQuoteKey: undefined,
    touchCache: undefined,
    settledQuote: undefined,
    ids,
    counters: { invalidMarketData: 0, invalidReports: 0, duplicateReports: 0 },
  };
}

export function isConnected(actor: SymbolActorState): boolean {
  return actor.connection.kind === "CONNECTED";
}

export function isAwaitingSnapshot(actor: SymbolActorState): boolean {
  return actor.bookState.kind === "AWAITING_SNAPSHOT";
}

/** Orders go out only with the lease held, connected, and the replay done. */
export function canSend(actor: SymbolActorState): boolean {
  return actor.ownership.kind === "HELD" && isConnected(actor) && actor.recovery !== "REPLAYING";
}
