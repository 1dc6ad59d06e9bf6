import { subjects, type AuditEvent } from "@mms/contracts/runtime";
import type { Logger } from "@mms/logging";
import type { StreamPublisher } from "@mms/nats-adapter";

const encoder = new TextEncoder();

export interface AuditEventStoreSettings {
  readonly symbol: string;
  readonly publisher: () => StreamPublisher | undefined;
  /** The actor believes the bus is there: otherwise events are held. */
  readonly connected: () => boolean;
  /** During shutdown a failed publish is logged, not held for a retry. */
  readonly stopping: () => boolean;
  readonly publishTimeoutMs: number;
  /** Held events beyond this: the oldest is dropped, counted and logged. */
  readonly maxHeld: number;
  /** Every publish, so the shell can wait for it at shutdown. */
  readonly track: (promise: Promise<unknown>) => void;
  readonly logger: Logger;
  /** How many events are held now, after every change (for the held gauge). */
  readonly onHeldChanged?: (held: number) => void;
  /** An event was dropped (for the dropped counter). */
  readonly onDropped?: () => void;
}

/**
 * A symbol's audit events on their way to MMS_EVENTS. Emitted while disconnected, before the
 * first connection, or after a failed publish they are held, and go out in seq order once the
 * bus is back, so an alert is not lost to the very outage it reports; `Nats-Msg-Id` makes a
 * retried event land once.
 */
export class AuditEventStore {
  private readonly held: AuditEvent[] = [];
  private flushing = false;
  private dropped = 0;

  constructor(private readonly settings: AuditEventStoreSettings) {
    // The gauge exists from the start: a dashboard shows 0, not "No data".
    settings.onHeldChanged?.(0);
  }

  publish(event: AuditEvent): void {
    // While the bus is away or not up yet, or behind events already held (order): hold it.
    if (!this.settings.publisher() || !this.settings.connected() || this.held.length > 0 || this.flushing) this.hold(event);
    else void this.store(event);
  }

  /** Stores held events one at a time, in seq order, until one fails (it is held again). */
  flush(): void {
    if (this.flushing || this.held.length === 0 || !this.settings.connected() || !this.settings.publisher()) return;
    this.flushing = true;
    const next = (): void => {
      const event = this.settings.connected() ? this.held.shift() : undefined;
      if (event) this.settings.onHeldChanged?.(this.held.length);
      if (!event) {
        this.flushing = false;
        return;
      }
      void this.store(event).then((stored) => {
        if (stored) next();
        else this.flushing = false;
      });
    };
    next();
  }

  /** One JetStream publish; a failure holds the event for a retry (except during shutdown). */
  private store(event: AuditEvent): Promise<boolean> {
    const publisher = this.settings.publisher();
    if (!publisher) {
      this.hold(event);
      return Promise.resolve(false);
    }
    const { logger } = this.settings;
    const options = { timeoutMs: this.settings.publishTimeoutMs, messageId: `${event.instance}-${event.symbol}-${event.seq}` };
    const publish = publisher.publish(subjects.event(this.settings.symbol, event.type), encoder.encode(JSON.stringify(event)), options).then((result) => {
      if (result.kind === "ACKED") return true;
      const error = `${result.reason}: ${result.message}`;
      if (this.settings.stopping()) {
        logger.warn("audit event not stored", { type: event.type, seq: event.seq, error });
      } else {
        if (this.settings.connected()) logger.warn("audit event not stored yet: held for a retry", { type: event.type, seq: event.seq, error });
        this.hold(event);
      }
      return false;
    });
    this.settings.track(publish);
    return publish;
  }

  private hold(event: AuditEvent): void {
    let index = this.held.length;
    while (index > 0 && this.held[index - 1]!.seq > event.seq) index -= 1;
    this.held.splice(index, 0, event);
    if (this.held.length > this.settings.maxHeld) {
      const dropped = this.held.shift()!;
      this.dropped += 1;
      this.settings.logger.error("audit event dropped: too many held while NATS is away", { type: dropped.type, seq: dropped.seq, droppedSoFar: this.dropped });
      this.settings.onDropped?.();
    }
    this.settings.onHeldChanged?.(this.held.length);
  }
}
