import { subjects, type AuditEventBody, type CancelAllIntent, type StopReason } from "@mms/contracts/runtime";
import type { Logger } from "@mms/logging";
import type { StreamPublisher } from "@mms/nats-adapter";
import { sendCancelAll } from "../cancel-all-sender";
import { EventStamper } from "../event-stamper";
import type { Clock } from "./clock";
import { lastEventSeqOf, type SymbolSlot } from "./symbol-slots";

const encoder = new TextEncoder();
const PUBLISH_TIMEOUT_MS = 2000;

export interface SymbolVoiceSettings {
  readonly runId: string;
  readonly instance: string;
  readonly account: string;
  /** The CANCEL_ALLs: JetStream publishes with their intentId as message id. */
  readonly publisher: () => StreamPublisher | undefined;
  /** The coordinator's connection is closed (shutdown): a CANCEL_ALL is not sent again. */
  readonly closed: () => boolean;
  /** Leases in use: a symbol whose lease this instance does not hold gets no cancel from it. */
  readonly leasesInUse: () => boolean;
  /** A CANCEL_ALL is being sent again for lack of an ack (counted in a metric). */
  readonly resent: (symbol: string) => void;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Who the coordinator speaks for. For a dead actor it writes in the actor's name, numbered on
 * from its last seq. Beside a live actor (the kill fast path) it must not take the actor's seq:
 * its events go under an instance of its own, `<instance>.coordinator`, numbered from 1 per symbol.
 */
export type Speaker = "FOR_DEAD_ACTOR" | "BESIDE_LIVE_ACTOR";

/**
 * What the coordinator publishes in the name of a symbol: a cancel-all intent and audit
 * events, for an actor that cannot (its worker failed) or before one can (a kill).
 */
export class SymbolVoice {
  private lastIntent = 0;
  private readonly ownSeq = new Map<string, number>();

  constructor(private readonly settings: SymbolVoiceSettings) {}

  /**
   * Sends a CANCEL_ALL and records it; resolves once the first attempt is answered. Without
   * an ack it is sent again (same intentId: stored once) with backoff until acknowledged or
   * the connection closes, so a stop is never lost to a missing ack.
   */
  async cancelAll(slot: SymbolSlot, reason: Extract<StopReason, "WORKER_FAILED" | "MANUAL_KILL" | "MANUAL_PAUSE">, speaker: Speaker = "FOR_DEAD_ACTOR"): Promise<void> {
    const publisher = this.settings.publisher();
    if (!publisher || (this.settings.leasesInUse() && !slot.leaseHeld)) return;
    const { symbol } = slot;
    const intent: CancelAllIntent = { kind: "CANCEL_ALL", intentId: `MM-${this.settings.runId}-${symbol}-C${++this.lastIntent}`, account: this.settings.account, symbol, reason, ts: this.settings.clock.now() };
    const shadow = slot.lastStatus.mode === "shadow";
    if (!shadow) {
      const { closed: stopped, logger } = this.settings;
      const first = await sendCancelAll(publisher, intent, { timeoutMs: PUBLISH_TIMEOUT_MS }, { stopped, resent: () => this.settings.resent(symbol), logger });
      if (first.kind === "FAILED") logger.error("cancel-all not acknowledged at once: it is being sent again until it is", { symbol, reason: first.reason, message: first.message });
    }
    const body: AuditEventBody = { type: "intent", shadow, intent };
    if (speaker === "FOR_DEAD_ACTOR") await this.publishEvents(slot, [body], slot.lastStatus.mode);
    else await this.publishOwnEvent(slot, body);
  }

  /** Stored in order; a failure is logged, not retried (the symbol is already HALTED). */
  async publishEvents(slot: SymbolSlot, bodies: readonly AuditEventBody[], mode = slot.config.mode): Promise<void> {
    const stamper = new EventStamper(slot.symbol, this.settings.instance, lastEventSeqOf(slot));
    for (const body of bodies) await this.store(stamper, body, mode);
    slot.lastEventSeq = stamper.lastSeq;
  }

  private async publishOwnEvent(slot: SymbolSlot, body: AuditEventBody): Promise<void> {
    const stamper = new EventStamper(slot.symbol, `${this.settings.instance}.coordinator`, this.ownSeq.get(slot.symbol) ?? 0);
    // Taken before the await: concurrent kills of one symbol get distinct seqs.
    this.ownSeq.set(slot.symbol, stamper.lastSeq + 1);
    await this.store(stamper, body, slot.lastStatus.mode);
  }

  private async store(stamper: EventStamper, body: AuditEventBody, mode: SymbolSlot["lastStatus"]["mode"]): Promise<void> {
    const event = stamper.stamp(body, this.settings.clock.now(), mode);
    const publisher = this.settings.publisher();
    if (!publisher) return;
    // With Nats-Msg-Id as every audit event (the workers' AuditEventStore uses the same id).
    const result = await publisher.publish(subjects.event(event.symbol, event.type), encoder.encode(JSON.stringify(event)), { messageId: `${event.instance}-${event.symbol}-${event.seq}`, timeoutMs: PUBLISH_TIMEOUT_MS });
    if (result.kind === "FAILED") this.settings.logger.warn("audit event not stored", { symbol: event.symbol, type: event.type, error: `${result.reason}: ${result.message}` });
  }
}
