import type { Logger } from "@mms/logging";
import { SYMBOL_STATE_VALUES, type MetricsRegistry } from "@mms/telemetry";
import type { Clock } from "./clock";
import { describeWorkerFailure, type WorkerFailure } from "./supervisor";
import { startupStatus, type SymbolSlot } from "./symbol-slots";
import type { SymbolVoice } from "./symbol-voice";

/**
 * The coordinator speaks for a dead actor: cancel everything, HALTED, alert. It never
 * revives one on its own; only an operator's reset starts a fresh worker.
 */
export class WorkerFailureResponse {
  constructor(
    private readonly voice: SymbolVoice,
    private readonly metrics: MetricsRegistry,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The slot counts as HALTED at once (before anything is published); once per failed worker. */
  async halt(slot: SymbolSlot, failure: WorkerFailure): Promise<void> {
    if (slot.failed) return;
    slot.failed = true;
    const { symbol } = slot;
    const detail = describeWorkerFailure(failure);
    this.metrics.add("worker_failures", 1, { symbol, reason: failure.cause });
    this.metrics.set("symbol_state", SYMBOL_STATE_VALUES.HALTED, { symbol });
    const from = slot.lastStatus.state;
    this.logger.error("symbol worker failed: cancelling and halting", { symbol, reason: failure.kind, cause: failure.cause, detail, ...(failure.cause === "EXITED" && failure.error ? { error: failure.error } : {}) });
    const message = `symbol worker failed: ${detail}`;
    slot.lastStatus = { ...slot.lastStatus, state: "HALTED", reason: "WORKER_FAILED", stoppedAt: this.clock.now(), detail: message, operator: null, resumeBlockers: ["WORKER_FAILED"] };
    await this.voice.cancelAll(slot, "WORKER_FAILED");
    await this.voice.publishEvents(slot, [
      { type: "state", from, to: "HALTED", reason: "WORKER_FAILED" },
      { type: "alert", reason: "WORKER_FAILED", from, to: "HALTED", message },
    ]);
  }

  /** Makes the slot ready for a fresh actor: it replays EXEC, cancels leftovers, waits PAUSED. */
  prepareRestart(slot: SymbolSlot): void {
    this.logger.warn("restarting a failed symbol worker after reset", { symbol: slot.symbol });
    this.metrics.add("worker_restarts", 1, { symbol: slot.symbol });
    slot.failed = false;
    slot.recovered = false;
    // The fresh actor rebuilds the inventory: until it reports, nothing is known of it (null, not the old figure).
    slot.lastStatus = startupStatus(slot.config, this.clock.now());
    slot.restarts += 1;
  }
}
