import type { Context } from "@mms/telemetry";
import type { SymbolEvent } from "@mms/trading-core";

export interface MarketDataQueueOptions {
  /** Deltas and trades queued beyond this are dropped (snapshots and statuses never are). */
  readonly maxQueued: number;
  readonly dispatch: (event: SymbolEvent, parent: Context | undefined, receivedAt: number) => void;
  /** The queue overflowed: called once until it has drained again (the actor pauses BUS_LAG). */
  readonly overflowed: () => void;
  /** Runs the drain after the current I/O callbacks; setImmediate unless a test injects one. */
  readonly schedule?: (drain: () => void) => void;
}

/** Kinds that later messages make up for: a dropped delta shows as a gap, a dropped trade only as a missed print. */
const DROPPABLE = new Set<SymbolEvent["kind"]>(["BOOK_DELTA", "PUBLIC_TRADE"]);

/**
 * Market data between the NATS callback and the actor. Messages are queued in wire order
 * and drained in one go once the socket read that brought them is done, so the actor sees
 * everything that has arrived together: a BOOK_DELTA with another one right behind it is
 * marked `moreQueued` and the actor quotes once, at the last one (conflation). Nothing is
 * skipped: every delta is applied. Snapshot replies go through here too, or deltas sent after
 * a snapshot could overtake it.
 */
export class MarketDataQueue {
  private readonly events: SymbolEvent[] = [];
  private readonly parents: Array<Context | undefined> = [];
  private readonly receivedAt: number[] = [];
  private readonly schedule: (drain: () => void) => void;
  private scheduled = false;
  private overflowing = false;
  private deepest = 0;
  private droppedCount = 0;
  private readonly drainNow = () => this.drain();

  constructor(private readonly options: MarketDataQueueOptions) {
    this.schedule = options.schedule ?? ((drain) => void setImmediate(drain));
  }

  /** Queues one message; false when it was dropped (the queue is full). */
  push(event: SymbolEvent, parent: Context | undefined, receivedAt: number): boolean {
    if (this.events.length >= this.options.maxQueued && DROPPABLE.has(event.kind)) {
      this.droppedCount += 1;
      if (!this.overflowing) {
        this.overflowing = true;
        this.options.overflowed();
      }
      return false;
    }
    this.events.push(event);
    this.parents.push(parent);
    this.receivedAt.push(receivedAt);
    if (this.events.length > this.deepest) this.deepest = this.events.length;
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(this.drainNow);
    }
    return true;
  }

  get depth(): number {
    return this.events.length;
  }

  /** The most messages queued at once since the last call, and the drops since then. */
  takeFigures(): { readonly deepest: number; readonly dropped: number } {
    const figures = { deepest: this.deepest, dropped: this.droppedCount };
    this.deepest = this.events.length;
    this.droppedCount = 0;
    return figures;
  }

  private drain(): void {
    this.scheduled = false;
    const { events, parents, receivedAt } = this;
    try {
      // Read the length each time: whatever a dispatch might queue is drained in this pass too.
      for (let index = 0; index < events.length; index++) {
        const event = events[index]!;
        const conflated = event.kind === "BOOK_DELTA" && events[index + 1]?.kind === "BOOK_DELTA";
        this.options.dispatch(conflated ? { kind: "BOOK_DELTA", delta: event.delta, moreQueued: true } : event, parents[index], receivedAt[index]!);
      }
    } finally {
      events.length = 0;
      parents.length = 0;
      receivedAt.length = 0;
      this.overflowing = false;
    }
  }
}
