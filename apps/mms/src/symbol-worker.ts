import { parentPort, workerData } from "node:worker_threads";
import { createLogger } from "@mms/logging";
import { SymbolRuntime } from "./symbol-runtime";
import type { CoordinatorToSymbol, SymbolToCoordinator, SymbolWorkerData } from "./thread-protocol";

// Entry point of one symbol actor's worker thread: it only wires the runtime to its port.
const data = workerData as SymbolWorkerData;
const port = parentPort!;
const logger = createLogger({ level: data.service.logging.level, service: "mms", instance: data.service.instanceName }).child({ symbol: data.symbol.symbol });
const post = (message: SymbolToCoordinator) => port.postMessage(message);
const runtime = new SymbolRuntime(data, post, logger);

port.on("message", (message: CoordinatorToSymbol) => {
  switch (message.kind) {
    case "ACTOR_EVENT":
      runtime.dispatch(message.event);
      return;
    case "STATUS_QUERY":
      post({ kind: "STATUS", requestId: message.requestId, status: runtime.status() });
      return;
    case "RISK_PORT":
      runtime.attachRiskPort(message.port);
      return;
    case "SHUTDOWN":
      void runtime.shutdown(data.shutdownTimeoutMs).then((unsettled) => {
        post({ kind: "SHUTDOWN_COMPLETE", unsettledIntents: unsettled });
        port.close();
      });
      return;
  }
});

runtime.start().catch((error: Error) => {
  logger.error("symbol worker failed to start", { error: error.stack ?? error.message });
  process.exit(1);
});
