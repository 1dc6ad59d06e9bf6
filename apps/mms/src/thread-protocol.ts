import type { ControlResult, GlobalBreachReason, ServiceConfig, SymbolConfig, SymbolStatus } from "@mms/contracts/runtime";
import type { SymbolEvent, SymbolRiskReport } from "@mms/trading-core";
import type { MetricSample } from "@mms/telemetry";
import type { LogRecord } from "@mms/logging";
import type { MessagePort } from "node:worker_threads";

/**
 * The messages between the coordinator, the symbol actors and the risk actor. Every one
 * is plain data (structured clone): decimals travel as strings, never as Big objects.
 * A message that concerns one symbol names it.
 */

/** Raised with every change to a message or start data below: a worker of another build refuses to run. */
export const THREAD_PROTOCOL_VERSION = 5;

type TraceCarrier = Readonly<Record<string, string>>;

/** What every worker gets at start, before anything else. */
export interface WorkerStartData {
  readonly protocolVersion: number;
}

/** Handed to a symbol worker at start. */
export interface SymbolWorkerData extends WorkerStartData {
  readonly service: Pick<ServiceConfig, "account" | "instanceName" | "nats" | "risk" | "logging">;
  readonly symbol: SymbolConfig;
  /** Prefix of the actor's intent and order ids; a restarted worker gets its own (`<run>r<n>`), ids never repeat. */
  readonly runId: string;
  /** Audit events of this symbol and instance so far: a restarted worker numbers on from here. */
  readonly lastEventSeq?: number;
  readonly leaseRequired: boolean;
  /** When set, every input of the actor is appended to this file for replay. */
  readonly recordingPath: string | undefined;
  /** W3C trace context of the start-up span, so worker spans join it. */
  readonly traceCarrier: TraceCarrier | undefined;
  readonly shutdownTimeoutMs: number;
  /** The NewOrderGate's memory: closed by the coordinator on SIGTERM or a kill, read by the worker before every NEW. */
  readonly newOrderGate?: SharedArrayBuffer;
  /** The WorkerProgress cells: the worker advances the counter on every step (the supervisor judges liveness by it) and stores its last event seq. */
  readonly progress: SharedArrayBuffer;
}

export interface RiskWorkerData extends WorkerStartData {
  readonly risk: ServiceConfig["risk"];
  readonly instanceName: string;
  readonly logging: ServiceConfig["logging"];
}

export class ProtocolVersionMismatch extends Error {
  constructor(readonly received: unknown) {
    super(`thread protocol mismatch: this worker speaks version ${THREAD_PROTOCOL_VERSION}, its start data says ${String(received)}; coordinator and worker come from different builds`);
    this.name = "ProtocolVersionMismatch";
  }
}

/** A worker's first act: its start data must speak this build's protocol, or the worker fails at once. */
export function checkProtocolVersion(data: unknown): void {
  const version = typeof data === "object" && data !== null && "protocolVersion" in data ? data.protocolVersion : undefined;
  if (version !== THREAD_PROTOCOL_VERSION) throw new ProtocolVersionMismatch(version);
}

// Coordinator (or risk actor) to a symbol actor ------------------------------------------

/** An input for the actor's reducer; its trace context, if any, becomes the parent span. */
export interface ActorEventMessage {
  readonly kind: "ACTOR_EVENT";
  readonly symbol: string;
  readonly event: SymbolEvent;
  readonly traceCarrier?: TraceCarrier;
}

export interface StatusQueryMessage {
  readonly kind: "STATUS_QUERY";
  readonly symbol: string;
  readonly requestId: string;
}

/** The actor's end of its direct channel to the risk actor. */
export interface RiskPortMessage {
  readonly kind: "RISK_PORT";
  readonly symbol: string;
  readonly port: MessagePort;
}

export interface ShutdownMessage {
  readonly kind: "SHUTDOWN";
  readonly symbol: string;
}

export type CoordinatorToSymbol = ActorEventMessage | StatusQueryMessage | RiskPortMessage | ShutdownMessage;

// Symbol actor to the coordinator --------------------------------------------------------

/** Loaded and connected: the next worker may start loading. */
export interface WorkerStartedMessage {
  readonly kind: "STARTED";
  readonly symbol: string;
}

/** Execution history replayed: the symbol counts as ready. */
export interface RecoveredMessage {
  readonly kind: "RECOVERED";
  readonly symbol: string;
}

export interface ControlResultMessage {
  readonly kind: "CONTROL_RESULT";
  readonly symbol: string;
  readonly requestId: string;
  readonly result: ControlResult;
}

export interface StatusMessage {
  readonly kind: "STATUS";
  readonly symbol: string;
  readonly requestId: string;
  readonly status: SymbolStatus;
}

/**
 * The actor's status, sent when it changed (looked at every second) and at least every
 * STATUS_REFRESH_MS: what the coordinator shows when the actor cannot answer a status query.
 * Liveness is not judged by it but by the worker's progress counter (WorkerProgress).
 */
export interface StatusUpdateMessage {
  readonly kind: "STATUS_UPDATE";
  readonly symbol: string;
  readonly status: SymbolStatus;
}

export interface MetricsMessage {
  readonly kind: "METRICS";
  readonly symbol: string;
  readonly samples: readonly MetricSample[];
}

/**
 * A finished log line of the worker's: the coordinator's winston writes every thread's lines,
 * so a worker thread does not load a logging library of its own.
 */
export interface LogRecordMessage {
  readonly kind: "LOG_RECORD";
  readonly symbol: string;
  readonly record: LogRecord;
}

export interface ShutdownCompleteMessage {
  readonly kind: "SHUTDOWN_COMPLETE";
  readonly symbol: string;
  readonly unsettledIntents: number;
}

export type SymbolToCoordinator =
  | WorkerStartedMessage
  | RecoveredMessage
  | ControlResultMessage
  | StatusMessage
  | StatusUpdateMessage
  | MetricsMessage
  | LogRecordMessage
  | ShutdownCompleteMessage;

// Coordinator and risk actor ---------------------------------------------------------

/** The risk actor's end of its direct channel to one symbol actor. */
export interface SymbolPortMessage {
  readonly kind: "SYMBOL_PORT";
  readonly symbol: string;
  readonly port: MessagePort;
}

/** `mms.control.all.<command>`: fanned out by the risk actor, so a kill does not queue behind the coordinator. */
export interface ControlAllMessage {
  readonly kind: "CONTROL_ALL";
  readonly requestId: string;
  readonly command: string;
  readonly body: unknown;
  readonly traceCarrier?: TraceCarrier;
}

export type CoordinatorToRisk = SymbolPortMessage | ControlAllMessage;

export interface RiskStartedMessage {
  readonly kind: "STARTED";
}

/** A global limit breached (reason set) or cleared (reason null). */
export interface RiskBreachMessage {
  readonly kind: "BREACH";
  readonly reason: GlobalBreachReason | null;
  readonly detail: string | null;
}

/** A finished log line of the risk actor's (see LogRecordMessage). */
export interface RiskLogRecordMessage {
  readonly kind: "LOG_RECORD";
  readonly record: LogRecord;
}

export type RiskToCoordinator = RiskStartedMessage | RiskBreachMessage | RiskLogRecordMessage;

// Over the direct port between a symbol actor and the risk actor ------------------------

export interface SymbolRiskMessage {
  readonly kind: "SYMBOL_RISK";
  readonly symbol: string;
  readonly report: SymbolRiskReport;
}

export type SymbolToRisk = SymbolRiskMessage;
export type RiskToSymbol = ActorEventMessage;
