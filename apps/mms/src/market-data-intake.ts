import { createInbox, type Msg, type NatsConnection, type Subscription } from "@nats-io/nats-core";
import { decodeAndValidate, formatIssues, subjects, validators } from "@mms/contracts";
import type { SymbolEvent } from "@mms/trading-core";
import type { Logger } from "@mms/logging";
import type { Context } from "@mms/telemetry";
import { performance } from "node:perf_hooks";
import { MarketDataQueue } from "./market-data-queue";
import { MARKET_DATA_DECODERS } from "./market-data-decoders";

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
 * A symbol's market data from the wire to the actor: the `md.<SYMBOL>.*` subscription and the
 * snapshot replies, each message decoded and validated by its kind, then queued in wire order
 * (see MarketDataQueue). Nothing here decides: a bad message becomes MARKET_DATA_INVALID.
 */
export class MarketDataIntake {
  private readonly queue: MarketDataQueue;
  private subscription: Subscription | undefined;
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
    this.subscription = connection.subscribe(subjects.marketDataWildcard(symbol), {
      slow: this.settings.slowConsumerPending,
      callback: (error, message) => {
        if (error) logger.warn("market data subscription error", { error: error.message });
        else this.onMarketData(message);
      },
    });
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
    this.subscription?.unsubscribe();
    this.snapshotReplies?.unsubscribe();
  }

  private onMarketData(message: Msg): void {
    // A message taken off the socket is progress too: one socket read of a flood can hold
    // thousands, decoded here before any of them is stepped.
    this.settings.received();
    const receivedAt = performance.now();
    const kind = message.subject.slice(message.subject.lastIndexOf(".") + 1);
    const decode = MARKET_DATA_DECODERS[kind];
    if (!decode) return;
    const result = decode(message.data);
    const parent = this.settings.traceParentOf(message.headers);
    // Queued, not stepped: the actor judges lag on each message's own ts when it steps it.
    if (!result.ok) {
      this.queue.push({ kind: "MARKET_DATA_INVALID", subject: message.subject, issues: formatIssues(result.issues) }, parent, receivedAt);
    } else if (result.value.symbol !== this.settings.symbol) {
      this.queue.push({ kind: "MARKET_DATA_INVALID", subject: message.subject, issues: `/symbol is ${result.value.symbol}, not ${this.settings.symbol}` }, parent, receivedAt);
    } else {
      this.settings.lag(this.settings.clock() - result.value.ts);
      this.queue.push(result.value.event, parent, receivedAt);
    }
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
