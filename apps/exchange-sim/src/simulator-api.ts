import type { MarketDriverSettings } from "./market-driver";
import type { SimControlReply } from "./sim-control";
import type { SymbolSetup } from "./symbols";

// What a user of the simulator sees: its options, its handle, its logger and its own subjects.

export interface SimulatorLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One JSON line per entry: info to stdout, warnings and errors to stderr. */
export const consoleLogger: SimulatorLogger = {
  info: (message, fields) => console.log(JSON.stringify({ level: "info", message, ...fields })),
  warn: (message, fields) => console.error(JSON.stringify({ level: "warn", message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: "error", message, ...fields })),
};

export interface ExchangeSimulatorOptions {
  /** NATS server URL(s). Never the machine's own 4222 in tests. */
  readonly natsUrl: string | readonly string[];
  readonly symbols: readonly (string | SymbolSetup)[];
  /** Seed of the background market: same seed, same market. Default 1. */
  readonly seed?: number;
  /** Fees in bps as decimal strings; maker may be negative (a rebate). Default maker "-1", taker "5". */
  readonly fees?: { readonly makerBps: string; readonly takerBps: string };
  /** Milliseconds since the epoch for every `ts`. Default Date.now. */
  readonly clock?: () => number;
  /** Prefix of every id this run makes (execId, orderId, ...); default unique per start. */
  readonly runId?: string;
  /** Durable consumer on ORDERS. Default "exchange-sim". */
  readonly consumerName?: string;
  /** Background makers and takers; `enabled: false` starts every symbol with its driver paused. */
  readonly driver?: { readonly enabled?: boolean; readonly intervalMs?: number; readonly settings?: Partial<MarketDriverSettings> };
  /** Status heartbeat period. Default 500 ms (the contract asks for at least one a second). */
  readonly statusIntervalMs?: number;
  /** Periodic snapshot period; 0 publishes snapshots only at start, on request and on repair. Default 5000. */
  readonly snapshotIntervalMs?: number;
  /** How often lapsed COUNTDOWNs are checked. Default 50 ms. */
  readonly countdownCheckIntervalMs?: number;
  /** Duplicate window of the ORDERS stream when this run creates it. Default 2 minutes. */
  readonly duplicateWindowMs?: number;
  /** Also publish the reports of the simulator's own accounts on exec.>. Default false. */
  readonly publishSimulatorReports?: boolean;
  readonly logger?: SimulatorLogger;
}

export interface SimulatorStats {
  readonly intentsApplied: number;
  readonly intentsInvalid: number;
  readonly reportsPublished: number;
  readonly reportPublishFailures: number;
}

export interface ExchangeSimulatorHandle {
  readonly runId: string;
  readonly symbols: readonly string[];
  /** Applies a fault as `sim.control.<target>.<fault>` would; target is a symbol or "all". */
  control(target: string, fault: string, body?: unknown): SimControlReply;
  stats(): SimulatorStats;
  /** Stops timers and consumers, flushes pending reports, closes the connection. Idempotent. */
  stop(): Promise<void>;
}

/** Subjects of the simulator's own request/reply API (not part of the contract). */
export const simulatorSubjects = {
  control: (target: string, fault: string) => `sim.control.${target}.${fault}`,
  controlWildcard: "sim.control.>",
  ledger: (account: string) => `sim.ledger.${account}`,
  ledgerWildcard: "sim.ledger.*",
  openOrders: (account: string) => `sim.orders.${account}`,
  openOrdersWildcard: "sim.orders.*",
} as const;
