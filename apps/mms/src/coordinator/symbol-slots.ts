import type { Worker } from "node:worker_threads";
import type { SymbolConfig, SymbolStatus } from "@mms/contracts/runtime";
import type { CoordinatorToSymbol } from "../thread-protocol";
import type { WorkerProgress } from "../worker-progress";

/** What the coordinator knows of one symbol and its worker. */
export interface SymbolSlot {
  readonly config: SymbolConfig;
  readonly symbol: string;
  worker: Worker | undefined;
  failed: boolean;
  recovered: boolean;
  lastStatus: SymbolStatus;
  /** Read through lastEventSeqOf: the running worker's own seqs are in its progress cells; this holds the coordinator's and those of workers before it. */
  lastEventSeq: number;
  /** The running (or last) worker's shared cells: its step counter and its last event seq. */
  progress: WorkerProgress | undefined;
  leaseHeld: boolean;
  shutdownComplete: (() => void) | undefined;
  /** Workers started after a failure: each gets its own id prefix. */
  restarts: number;
  /** Not spawned yet (start-up is staggered): messages for it wait here. */
  waitingToStart: boolean;
  readonly queued: CoordinatorToSymbol[];
}

/** Before the worker's first heartbeat nothing is known of the inventory: null figures, never "0". `now`: when its worker is (re)started. */
export function startupStatus(config: SymbolConfig, now: number): SymbolStatus {
  return { symbol: config.symbol, state: "PAUSED", reason: "STARTUP", stoppedAt: now, detail: "starting: worker not running yet", operator: null, resumeBlockers: ["STARTUP"], mode: config.mode, position: null, avgEntryPx: null, realizedPnl: null, unrealizedPnl: null, fees: null, openOrders: [] };
}

/** The last audit event seq stamped for the symbol, by its workers or by the coordinator for it. */
export function lastEventSeqOf(slot: SymbolSlot): number {
  return Math.max(slot.lastEventSeq, slot.progress?.lastEventSeq() ?? 0);
}

/** A worker runs for it, or will: messages reach its actor and it is expected to answer. */
export function isServed(slot: SymbolSlot): boolean {
  return (slot.worker !== undefined || slot.waitingToStart) && !slot.failed;
}

/** The slots of every configured symbol, in configuration order. */
export class SymbolSlots {
  private readonly slots = new Map<string, SymbolSlot>();

  constructor(symbols: readonly SymbolConfig[], now: number) {
    for (const config of symbols) {
      this.slots.set(config.symbol, {
        config,
        symbol: config.symbol,
        worker: undefined,
        failed: false,
        recovered: false,
        lastStatus: startupStatus(config, now),
        lastEventSeq: 0,
        progress: undefined,
        leaseHeld: false,
        shutdownComplete: undefined,
        waitingToStart: true,
        queued: [],
        restarts: 0,
      });
    }
  }

  get(symbol: string): SymbolSlot | undefined {
    return this.slots.get(symbol);
  }

  all(): SymbolSlot[] {
    return [...this.slots.values()];
  }

  symbols(): string[] {
    return [...this.slots.keys()];
  }

  /** To the symbol's actor; held while its worker waits to start; false when no actor will get it. */
  post(slot: SymbolSlot, message: CoordinatorToSymbol): boolean {
    if (slot.failed) return false;
    if (!slot.worker && slot.waitingToStart) {
      slot.queued.push(message);
      return true;
    }
    if (!slot.worker) return false;
    slot.worker.postMessage(message);
    return true;
  }
}
