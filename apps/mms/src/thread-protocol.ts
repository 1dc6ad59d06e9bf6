import type { ControlResult, ServiceConfig, SymbolConfig, SymbolStatus } from "@mms/contracts";
import type { SymbolEvent, SymbolFigures, SymbolRiskReport } from "@mms/trading-core";
import type { MessagePort } from "node:worker_threads";

/**
 * The messages between the coordinator, the symbol actors and the risk actor. Every one
 * is plain data (structured clone): decimals travel as strings, never as Big objects.
 */

/** Handed to a symbol worker at start. */
export interface SymbolWorkerData {
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
  readonly traceCarrier: Readonly<Record<string, string>> | undefined;
  readonly shutdownTimeoutMs: number;
}

export interface RiskWorkerData {
  readonly risk: ServiceConfig["risk"];
  readonly instanceName: string;
  readonly logging: ServiceConfig["logging"];
}

export type CoordinatorToSymbol =
  | { readonly kind: "ACTOR_EVENT"; readonly event: SymbolEvent; readonly traceCarrier?: Readonly<Record<string, string>> }
  | { readonly kind: "STATUS_QUERY"; readonly requestId: string }
  | { readonly kind: "RISK_PORT"; readonly port: MessagePort }
  | { readonly kind: "SHUTDOWN" };

export type SymbolToCoordinator =
  | { readonly kind: "STARTED" }
  | { readonly kind: "RECOVERED" }
  | { readonly kind: "CONTROL_RESULT"; readonly requestId: string; readonly result: ControlResult }
  | { readonly kind: "STATUS"; readonly requestId: string; readonly status: SymbolStatus }
  | { readonly kind: "HEARTBEAT"; readonly status: SymbolStatus; readonly figures: SymbolFigures; readonly lastEventSeq: number; readonly connected: boolean }
  | { readonly kind: "EVENT_SEQ"; readonly lastEventSeq: number }
  | { readonly kind: "METRICS"; readonly samples: readonly unknown[] }
  | { readonly kind: "SHUTDOWN_COMPLETE"; readonly unsettledIntents: number };

export type CoordinatorToRisk =
  | { readonly kind: "SYMBOL_PORT"; readonly symbol: string; readonly port: MessagePort }
  | { readonly kind: "CONTROL_ALL"; readonly requestId: string; readonly command: string; readonly body: unknown; readonly traceCarrier?: Readonly<Record<string, string>> };

export type RiskToCoordinator = { readonly kind: "STARTED" } | { readonly kind: "BREACH"; readonly reason: string | null; readonly detail: string | null };

/** Over the direct port between a symbol actor and the risk actor. */
export type SymbolToRisk = { readonly kind: "SYMBOL_RISK"; readonly report: SymbolRiskReport };
export type RiskToSymbol = { readonly kind: "ACTOR_EVENT"; readonly event: SymbolEvent; readonly traceCarrier?: Readonly<Record<string, string>> };
