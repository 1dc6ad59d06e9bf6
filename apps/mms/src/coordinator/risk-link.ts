import type { MessagePort, Worker } from "node:worker_threads";
import type { Logger } from "@mms/logging";
import type { ControlAllMessage, CoordinatorToRisk, RiskToCoordinator, RiskWorkerData } from "../thread-protocol";
import { spawnWorker } from "../worker-spawn";

/** The coordinator's side of the risk actor's thread. */
export class RiskWorkerLink {
  private worker: Worker | undefined;
  private alive = false;

  constructor(private readonly logger: Logger) {}

  /** `onExit` is called if the thread ends; without it no global limit is watched. */
  start(data: RiskWorkerData, onExit: (exitCode: number) => void): void {
    const worker = spawnWorker("risk-worker", data);
    worker.on("message", (message: RiskToCoordinator) => {
      if (message.kind === "LOG_RECORD") this.logger.write(message.record);
      else if (message.kind === "BREACH") this.logger.log(message.reason ? "error" : "info", message.reason ? "global risk breach" : "global risk cleared", { reason: message.reason, detail: message.detail });
    });
    worker.on("error", (error) => this.logger.error("risk worker failed", { error: error.stack ?? error.message }));
    worker.on("exit", (code) => {
      this.alive = false;
      onExit(code);
    });
    this.alive = true;
    this.worker = worker;
  }

  get isAlive(): boolean {
    return this.alive;
  }

  connectSymbol(symbol: string, port: MessagePort): void {
    this.worker?.postMessage({ kind: "SYMBOL_PORT", symbol, port } satisfies CoordinatorToRisk, [port]);
  }

  /** False when the risk actor is gone: the caller must reach every actor itself. */
  controlAll(message: ControlAllMessage): boolean {
    if (!this.alive || !this.worker) return false;
    this.worker.postMessage(message satisfies CoordinatorToRisk);
    return true;
  }

  async terminate(): Promise<void> {
    await this.worker?.terminate();
  }
}
