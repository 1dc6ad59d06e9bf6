import type { JetStreamClient } from "@nats-io/jetstream";
import { subjects, type AuditEventBody, type CancelAllIntent, type StopReason } from "@mms/contracts";
import { publishIntent } from "@mms/nats-adapter";
import type { Logger } from "@mms/logging";
import { EventStamper } from "../event-stamper";
import type { Clock } from "./clock";
import type { SymbolSlot } from "./symbol-slots";

const encoder = new TextEncoder();
const PUBLISH_TIMEOUT_MS = 2000;

export interface SymbolVoiceSettings {
  readonly runId: string;
  readonly instance: string;
  readonly account: string;
  readonly jetStream: () => JetStreamClient | undefined;
  /** Leases in use: a symbol whose lease this instance does not hold gets no cancel from it. */
  readonly leasesInUse: () => boolean;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * What the coordinator publishes in the name of a symbol whose actor cannot: a cancel-all
 * intent and audit events, numbered on from the symbol's last seq.
 */
export class SymbolVoice {
  private lastIntent = 0;

  constructor(private readonly settings: SymbolVoiceSettings) {}

  async cancelAll(slot: SymbolSlot, reason: Extract<StopReason, "WORKER_FAILED" | "MANUAL_KILL" | "MANUAL_PAUSE">): Promise<void> {
    const jetStream = this.settings.jetStream();
    if (!jetStream || (this.settings.leasesInUse() && !slot.leaseHeld)) return;
    const { symbol } = slot;
    const intent: CancelAllIntent = { kind: "CANCEL_ALL", intentId: `MM-${this.settings.runId}-${symbol}-C${++this.lastIntent}`, account: this.settings.account, symbol, reason, ts: this.settings.clock.now() };
    const shadow = slot.lastStatus.mode === "shadow";
    if (!shadow) {
      const result = await publishIntent(jetStream, intent, { timeoutMs: PUBLISH_TIMEOUT_MS });
      if (result.kind === "FAILED") this.settings.logger.error("cancel-all for a failed worker not acknowledged", { symbol, reason: result.reason, message: result.message });
    }
    await this.publishEvents(slot, [{ type: "intent", shadow, intent }], slot.lastStatus.mode);
  }

  /** Stored in order; a failure is logged, not retried (the symbol is already HALTED). */
  async publishEvents(slot: SymbolSlot, bodies: readonly AuditEventBody[], mode = slot.config.mode): Promise<void> {
    const stamper = new EventStamper(slot.symbol, this.settings.instance, slot.lastEventSeq);
    for (const body of bodies) {
      const event = stamper.stamp(body, this.settings.clock.now(), mode);
      try {
        await this.settings.jetStream()?.publish(subjects.event(event.symbol, event.type), encoder.encode(JSON.stringify(event)), { timeout: PUBLISH_TIMEOUT_MS });
      } catch (error) {
        this.settings.logger.warn("audit event not stored", { symbol: event.symbol, type: event.type, error: (error as Error).message });
      }
    }
    slot.lastEventSeq = stamper.lastSeq;
  }
}
