import { createInbox, type Msg, type NatsConnection, type Subscription } from "@nats-io/nats-core";
import { decodeAndValidate, formatIssues, subjects, validators, type ValidationIssue } from "@mms/contracts/runtime";
import type { SymbolEvent } from "@mms/trading-core";
import type { Logger } from "@mms/logging";
import type { Context } from "@mms/telemetry";
import { performance } from "node:perf_hooks";
import { MarketDataQueue } from "./market-data-queue";
import { MARKET_DATA_KINDS, type MarketDataKind, type MarketDataSink } from "./market-data-decoders";

export interface MarketDataIntakeSettings {
  readonly symbol: string;
  /** Pending messages before nats.js flags the subscription a slow consumer. */
  readonly slowConsumerPending: number;
  /** Queued for the actor beyond this: deltas and trades are dropped and the actor pauses (BUS_LAG). */
  readonly maxQueued: number;
  readonly dispatch: (event: SymbolEvent, parent: Context | undefined, receivedAt: number) => void;
  /** A message was taken off the socket: progress for the supervisor. */
  readonly received: () => void;
  /** The sender's trace context from a message's headers (undefined while tracing is off). */
  readonly traceParentOf: (headers: Msg["headers"]) => Context | undefined;
  /** The age of an accepted message, in ms of the injected clock. */
  readonly lag: (ageMs: number) => void;
  readonly clock: () => number;
  readonly logger: Logger;
}

/**
 * A symbol's market data from the wire to the actor: one subscription per kind of `md.<SYMBOL>.*` and the
 * snapshot replies, each message decoded and validated by its kind, then queued in wire order
 * (see MarketDataQueue). Nothing here decides: a bad message becomes MARKET_DATA_INVALID.
 */
export class MarketDataIntake {
  private readonly queue: MarketDataQueue;
  private readonly subscriptions: Subscription[] = [];
  /** Where snapshot replies arrive; see requestSnapshot. */
  private snapshotReplies: Subscription | undefined;
  private connection: NatsConnection | undefined;

  constructor(private readonly settings: MarketDataIntakeSettings) {
    this.queue = new MarketDataQueue({
      maxQueued: settings.maxQueued,
      dispatch: settings.dispatch,
      // The slow-consumer path: the actor pauses (BUS_LAG) and cancels; the gap the drops leave asks for a snapshot.
      overflowed: () => settings.dispatch({ kind: "SLOW_CONSUMER" }, undefined, performance.now()),
    });
  }

  subscribe(connection: NatsConnection): void {
    const { logger, symbol } = this.settings;
    this.connection = connection;
    // One subscription a kind (the contract's md.<SYMBOL>.* without the kinds it does not name):
    // one connection delivers them in wire order all the same.
    for (const kind of MARKET_DATA_KINDS) {
      const intake = new KindIntake(kind.subject(symbol), this.settings, this.queue);
      this.subscriptions.push(
        connection.subscribe(intake.subject, {
          slow: this.settings.slowConsumerPending,
          callback: (error, message) => {
            if (error) logger.warn("market data subscription error", { error: error.message });
            else intake.onMessage(kind, message);
          },
        }),
      );
    }
    this.snapshotReplies = connection.subscribe(createInbox(), {
      callback: (error, message) => {
        if (error) logger.warn("snapshot reply subscription error", { error: error.message });
        else this.onSnapshotReply(message);
      },
    });
  }

  /** The deepest the queue got and what it dropped since the last call. */
  takeFigures(): ReturnType<MarketDataQueue["takeFigures"]> {
    return this.queue.takeFigures();
  }

  unsubscribe(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.snapshotReplies?.unsubscribe();
  }

  /**
   * Asks for a snapshot; the reply comes to a subscription of its own, not to a request's
   * promise. A promise settles only after the rest of the socket read has been dispatched, so
   * deltas sent after the snapshot would reach the actor first, be dropped (no book yet), and
   * the repaired book would have a gap at once. A callback keeps the wire's order, and the
   * reply joins the same MarketDataQueue as the deltas, so it is stepped in that order too.
   * No answer: the actor asks again on its timer while it still has no book.
   */
  requestSnapshot(): void {
    const connection = this.connection;
    const replies = this.snapshotReplies;
    if (!connection || connection.isClosed() || !replies) return;
    connection.publish(subjects.snapshotRequest(this.settings.symbol), new Uint8Array(0), { reply: replies.getSubject() });
  }

  private onSnapshotReply(reply: Msg): void {
    // An empty message is the server's "no responders" status: nobody serves snapshots right now.
    if (reply.data.byteLength === 0) {
      this.settings.logger.warn("snapshot request failed", { error: "no responders" });
      return;
    }
    const receivedAt = performance.now();
    const subject = subjects.snapshotRequest(this.settings.symbol);
    const result = decodeAndValidate(reply.data, validators.bookSnapshot);
    if (!result.ok) this.queue.push({ kind: "MARKET_DATA_INVALID", subject, issues: formatIssues(result.issues) }, undefined, receivedAt);
    else if (result.value.symbol !== this.settings.symbol) this.queue.push({ kind: "MARKET_DATA_INVALID", subject, issues: `/symbol is ${result.value.symbol}` }, undefined, receivedAt);
    else this.queue.push({ kind: "BOOK_SNAPSHOT", snapshot: result.value }, undefined, receivedAt);
  }
}

/**
 * The messages of one kind's subscription, decoded into the queue. It is its own decoder's
 * sink: the message under way is held in fields, so a message costs no closure and no result object.
 */
class KindIntake implements MarketDataSink {
  private parent: Context | undefined;
  private receivedAt = 0;

  constructor(
    readonly subject: string,
    private readonly settings: MarketDataIntakeSettings,
    private readonly queue: MarketDataQueue,
  ) {}

  onMessage(kind: MarketDataKind, message: Msg): void {
    // A message taken off the socket is progress too: one socket read of a flood can hold
    // thousands, decoded here before any of them is stepped.
    this.settings.received();
    this.receivedAt = performance.now();
    this.parent = this.settings.traceParentOf(message.headers);
    // Queued, not stepped: the actor judges lag on each message's own ts when it steps it.
    kind.decode(message.data, this);
  }

  accepted(symbol: string, ts: number, event: SymbolEvent): void {
    if (symbol !== this.settings.symbol) return this.invalid(`/symbol is ${symbol}, not ${this.settings.symbol}`);
    this.settings.lag(this.settings.clock() - ts);
    this.queue.push(event, this.parent, this.receivedAt);
  }

  refused(issues: readonly ValidationIssue[]): void {
    this.invalid(formatIssues(issues));
  }

  private invalid(issues: string): void {
    this.queue.push({ kind: "MARKET_DATA_INVALID", subject: this.subject, issues }, this.parent, this.receivedAt);
  }
}
