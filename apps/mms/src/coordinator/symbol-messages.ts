import type { ControlResult, SymbolStatus } from "@mms/contracts/runtime";
import type { Logger } from "@mms/logging";
import type { MetricsRegistry } from "@mms/telemetry";
import type { SymbolToCoordinator } from "../thread-protocol";
import type { RequestTracker } from "./request-tracker";
import type { Supervisor } from "./supervisor";
import type { SymbolSlot } from "./symbol-slots";
import type { SymbolWorkerPool } from "./worker-pool";

export interface SymbolMessageSinks {
  readonly supervisor: Supervisor;
  readonly pool: SymbolWorkerPool;
  readonly controlRequests: RequestTracker<ControlResult>;
  readonly statusRequests: RequestTracker<SymbolStatus>;
  readonly metrics: MetricsRegistry;
  readonly logger: Logger;
}

/** What the coordinator does with each message of a symbol actor; every one is a sign of life. */
export function handleSymbolMessage(slot: SymbolSlot, message: SymbolToCoordinator, sinks: SymbolMessageSinks): void {
  sinks.supervisor.heard(slot.symbol);
  switch (message.kind) {
    case "STARTED":
      sinks.supervisor.started(slot.symbol);
      sinks.pool.loaded(slot);
      return;
    case "RECOVERED":
      slot.recovered = true;
      return;
    case "STATUS_UPDATE":
      slot.lastStatus = message.status;
      return;
    case "CONTROL_RESULT":
      sinks.controlRequests.answer(message.requestId, message.result.symbol, message.result);
      slot.lastStatus = { ...slot.lastStatus, state: message.result.to };
      return;
    case "STATUS":
      slot.lastStatus = message.status;
      sinks.statusRequests.answer(message.requestId, message.status.symbol, message.status);
      return;
    case "METRICS":
      sinks.metrics.applyAll(message.samples);
      return;
    case "LOG_RECORD":
      sinks.logger.write(message.record);
      return;
    case "SHUTDOWN_COMPLETE":
      if (message.unsettledIntents > 0) sinks.logger.warn("symbol stopped with unacknowledged intents", { symbol: slot.symbol, unsettled: message.unsettledIntents });
      slot.shutdownComplete?.();
      return;
  }
}
