import { availableParallelism } from "node:os";
import { MessageChannel, type MessagePort, type Worker } from "node:worker_threads";
import type { CoordinatorToSymbol, SymbolToCoordinator, SymbolWorkerData } from "../thread-protocol";
import { ACTOR_RESOURCE_LIMITS, spawnWorker } from "../worker-spawn";
import type { SymbolSlot } from "./symbol-slots";

export interface WorkerPoolSettings {
  /** Workers loading at the same time; by default four per core. */
  readonly maxConcurrentStarts?: number;
  readonly workerData: (slot: SymbolSlot) => SymbolWorkerData;
  /** Hands the risk actor its end of the symbol's direct channel. */
  readonly connectRisk: (symbol: string, port: MessagePort) => void;
  readonly onSpawned: (slot: SymbolSlot) => void;
  readonly onMessage: (slot: SymbolSlot, message: SymbolToCoordinator) => void;
  readonly onError: (slot: SymbolSlot, error: Error) => void;
  /** The slot's current worker exited; a worker already replaced or dropped is not reported. */
  readonly onExit: (slot: SymbolSlot, exitCode: number) => void;
}

/**
 * Gives each symbol its worker thread. Spawning every symbol at once on a small machine
 * starves them all, so a few load at a time and the next starts when one has loaded
 * (STARTED) or exited. A worker now costs about 0.25 CPU s and spends most of its start
 * waiting on NATS round trips (connect, checkpoint, consumer), so four per core keep the
 * cores busy: 100 symbols on 2 cores were ready in 24 s with 8 at once, 40 s with 2.
 */
export class SymbolWorkerPool {
  private readonly startQueue: SymbolSlot[] = [];
  private readonly loading = new Set<SymbolSlot>();
  private readonly maxConcurrentStarts: number;
  private closed = false;

  constructor(private readonly settings: WorkerPoolSettings) {
    this.maxConcurrentStarts = settings.maxConcurrentStarts ?? 4 * availableParallelism();
  }

  /** Queued slots start in order as loading capacity frees up; their held messages follow. */
  enqueue(slots: readonly SymbolSlot[]): void {
    this.startQueue.push(...slots);
    this.startNext();
  }

  /** Starts a worker for the slot now, outside the queue (a restart after reset). */
  spawn(slot: SymbolSlot): void {
    const worker = spawnWorker("symbol-worker", this.settings.workerData(slot), ACTOR_RESOURCE_LIMITS);
    slot.worker = worker;
    const channel = new MessageChannel();
    worker.postMessage({ kind: "RISK_PORT", symbol: slot.symbol, port: channel.port1 } satisfies CoordinatorToSymbol, [channel.port1]);
    this.settings.connectRisk(slot.symbol, channel.port2);
    worker.on("message", (message: SymbolToCoordinator) => this.settings.onMessage(slot, message));
    worker.on("error", (error) => this.settings.onError(slot, error));
    worker.on("exit", (code) => this.onExit(slot, worker, code));
    this.settings.onSpawned(slot);
  }

  /** The slot's worker has loaded (or is gone): the next one may load. */
  loaded(slot: SymbolSlot): void {
    if (this.loading.delete(slot)) this.startNext();
  }

  /** Takes the worker away from the slot and ends it; its exit is not reported. */
  async drop(slot: SymbolSlot): Promise<void> {
    const worker = slot.worker;
    slot.worker = undefined;
    this.loaded(slot);
    await worker?.terminate();
  }

  /** Nothing more starts (shutdown). */
  close(): void {
    this.closed = true;
  }

  private onExit(slot: SymbolSlot, worker: Worker, exitCode: number): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    this.loaded(slot);
    this.settings.onExit(slot, exitCode);
  }

  private startNext(): void {
    while (this.loading.size < this.maxConcurrentStarts && this.startQueue.length > 0 && !this.closed) {
      const slot = this.startQueue.shift()!;
      this.loading.add(slot);
      slot.waitingToStart = false;
      this.spawn(slot);
      for (const message of slot.queued.splice(0)) slot.worker?.postMessage(message);
    }
  }
}
