// First: later imports are compiled through the cache.
import "./compile-cache";
import { parentPort, workerData } from "node:worker_threads";
import { loadValidatorsNow } from "@mms/contracts/runtime";
import { createLogger, setTraceContextProvider, type LogRecord } from "@mms/logging";
import { getActiveTraceIds, startThreadRuntimeMetrics, startTracing, WorkerMetricsRecorder } from "@mms/telemetry";
import { SymbolObservability } from "./symbol-observability";
import { SymbolRuntime } from "./symbol-runtime";
import { checkProtocolVersion, type CoordinatorToSymbol, type SymbolToCoordinator, type SymbolWorkerData } from "./thread-protocol";

// Entry point of one symbol actor's worker thread: it only wires the runtime to its port.
// Start data of another build would be misread: fail at once, before anything connects.
checkProtocolVersion(workerData);
const data = workerData as SymbolWorkerData;
const port = parentPort!;
const post = (message: SymbolToCoordinator) => port.postMessage(message);
// Each thread has its own tracer provider; spans join the coordinator's through carriers.
const tracing = startTracing({ serviceName: "mms", instance: data.service.instanceName });
if (tracing.enabled) setTraceContextProvider(getActiveTraceIds);
const symbol = data.symbol.symbol;
// Finished lines go to the coordinator, whose winston writes them (see LogRecordMessage).
const write = (record: LogRecord) => post({ kind: "LOG_RECORD", symbol, record });
const logger = createLogger({ level: data.service.logging.level, service: "mms", instance: data.service.instanceName, write }).child({ symbol });
const metrics = new WorkerMetricsRecorder({ flush: (samples) => post({ kind: "METRICS", symbol, samples }), intervalMs: 1000 });
const observability = new SymbolObservability(symbol, metrics, tracing.enabled);
// The event-loop delay comes from the status check interval, which also takes the runtime sample
// and flushes the metrics: no 10 ms monitor, one wake-up a second for all three at idle.
const runtimeMetrics = startThreadRuntimeMetrics(metrics, { thread: "symbol", symbol }, 0, observability.loopDelay.histogram);
observability.onStatusCheck = () => {
  runtimeMetrics.sample();
  metrics.flushNow();
};
const runtime = new SymbolRuntime(data, post, logger, observability);
// Loaded during the (staggered) start, not in the first live step: 50 workers each compiling
// validators at their first resume kept 2 cores busy long enough to pause some BUS_LAG.
loadValidatorsNow(["bookSnapshot", "bookDelta", "publicTrade", "marketStatus", "orderIntent", "executionReport"]);

port.on("message", (message: CoordinatorToSymbol) => {
  switch (message.kind) {
    case "ACTOR_EVENT":
      runtime.dispatchFromCoordinator(message.event, message.traceCarrier);
      return;
    case "STATUS_QUERY":
      post({ kind: "STATUS", symbol, requestId: message.requestId, status: runtime.status() });
      return;
    case "RISK_PORT":
      runtime.attachRiskPort(message.port);
      return;
    case "SHUTDOWN":
      void runtime.shutdown(data.shutdownTimeoutMs).then(async (unsettled) => {
        runtimeMetrics.stop();
        metrics.flushNow();
        await tracing.shutdown().catch(() => undefined);
        post({ kind: "SHUTDOWN_COMPLETE", symbol, unsettledIntents: unsettled });
        port.close();
      });
      return;
  }
});

runtime.start().catch((error: Error) => {
  logger.error("symbol worker failed to start", { error: error.stack ?? error.message });
  process.exit(1);
});
