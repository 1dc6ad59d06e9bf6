// First: later imports are compiled through the cache.
import "./compile-cache";
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { createLogger, type LogRecord } from "@mms/logging";
import { initialRiskState, stepRisk, type RiskActorEvent } from "@mms/trading-core";
import { checkProtocolVersion, type CoordinatorToRisk, type RiskToCoordinator, type RiskToSymbol, type RiskWorkerData, type SymbolToRisk } from "./thread-protocol";

// The risk actor's thread: a direct port to every symbol actor, so a kill never waits
// for the coordinator's event loop.
checkProtocolVersion(workerData);
const data = workerData as RiskWorkerData;
const port = parentPort!;
// Finished lines go to the coordinator, whose winston writes them (see RiskLogRecordMessage).
const write = (record: LogRecord) => port.postMessage({ kind: "LOG_RECORD", record } satisfies RiskToCoordinator);
const logger = createLogger({ level: data.logging.level, service: "mms", instance: data.instanceName, write }).child({ actor: "risk" });
const state = initialRiskState(data.risk);
const symbolPorts = new Map<string, MessagePort>();

function dispatch(event: RiskActorEvent, traceCarrier?: Readonly<Record<string, string>>): void {
  const { commands } = stepRisk(state, event);
  for (const command of commands) {
    if (command.kind === "BROADCAST") {
      // A fanned-out control command keeps the trace of the request that caused it.
      const carrier = traceCarrier ? { traceCarrier } : {};
      for (const [symbol, symbolPort] of symbolPorts) symbolPort.postMessage({ kind: "ACTOR_EVENT", symbol, event: command.event, ...carrier } satisfies RiskToSymbol);
      if (command.event.kind === "GLOBAL_RISK") {
        const breach = command.event.breach;
        const report: RiskToCoordinator = { kind: "BREACH", reason: breach?.reason ?? null, detail: breach?.detail ?? null };
        port.postMessage(report);
      }
    } else {
      logger.log(command.level, command.message, command.fields);
    }
  }
}

port.on("message", (message: CoordinatorToRisk) => {
  if (message.kind === "SYMBOL_PORT") {
    symbolPorts.set(message.symbol, message.port);
    message.port.on("message", (fromSymbol: SymbolToRisk) => dispatch({ kind: "SYMBOL_RISK", report: fromSymbol.report }));
  } else {
    dispatch({ kind: "CONTROL_ALL", requestId: message.requestId, command: message.command, body: message.body }, message.traceCarrier);
  }
});

port.postMessage({ kind: "STARTED" } satisfies RiskToCoordinator);
