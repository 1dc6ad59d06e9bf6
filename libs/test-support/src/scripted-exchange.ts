import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { STREAMS, subjects, validators, type BookLevel, type ExecutionReport, type MarketStatusValue, type OrderIntent } from "@mms/contracts";
import { waitFor } from "./wait-for";
import Big from "big.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

type Levels = ReadonlyArray<readonly [string, string]>;

type Unstamped<R> = R extends ExecutionReport ? Omit<R, "execId" | "ts"> & { execId?: string; ts?: number } : never;
export type ReportInput = Unstamped<ExecutionReport>;

/**
 * The exchange side of the contract, driven by the test line by line: it publishes
 * market data with one seq per symbol, answers snapshot requests, stores intents from
 * ORDERS and publishes execution reports into EXEC. With `autoRespond` it acknowledges
 * NEW with ACCEPTED and cancels with CANCELED, like a quiet gateway.
 */
export class ScriptedExchange {
  readonly intents: OrderIntent[] = [];
  /** The W3C `traceparent` header each intent carried, by intentId. */
  readonly traceparents = new Map<string, string>();
  private readonly books = new Map<string, { seq: number; bids: Map<string, string>; asks: Map<string, string>; status: MarketStatusValue }>();
  private readonly liveOrders = new Map<string, { symbol: string; account: string; side: "BUY" | "SELL"; px: string; qty: string; orderId: string }>();
  private readonly snapshotResponders: Subscription[] = [];
  private stopConsumer: (() => Promise<void>) | undefined;
  private execCounter = 0;
  autoRespond = true;
  /** While set, every NEW is answered with a REJECTED of this reason instead of ACCEPTED. */
  rejectNewWith: string | undefined;
  answerSnapshots = true;
  /** How many times each symbol's `md.<SYMBOL>.snapshot.get` was asked. */
  readonly snapshotRequests = new Map<string, number>();
  /** Milliseconds subtracted from `ts` of market data: simulates a lagging bus. */
  marketDataAgeMs = 0;

  private constructor(
    readonly connection: NatsConnection,
    readonly jetStream: JetStreamClient,
    private readonly manager: JetStreamManager,
    private readonly runTag: string,
  ) {}

  static async start(connection: NatsConnection, symbols: readonly string[]): Promise<ScriptedExchange> {
    const manager = await jetstreamManager(connection);
    for (const stream of [STREAMS.orders, STREAMS.executionReports]) {
      try {
        await manager.streams.info(stream.name);
      } catch {
        await manager.streams.add({ name: stream.name, subjects: [...stream.subjects], duplicate_window: 120_000_000_000 });
      }
    }
    const exchange = new ScriptedExchange(connection, jetstream(connection), manager, Math.random().toString(36).slice(2, 8));
    for (const symbol of symbols) exchange.addSymbol(symbol);
    await exchange.consumeOrders();
    return exchange;
  }

  addSymbol(symbol: string): void {
    this.books.set(symbol, { seq: 0, bids: new Map(), asks: new Map(), status: "TRADING" });
    this.snapshotResponders.push(
      this.connection.subscribe(subjects.snapshotRequest(symbol), {
        callback: (_error, message) => {
          this.snapshotRequests.set(symbol, (this.snapshotRequests.get(symbol) ?? 0) + 1);
          if (this.answerSnapshots) message.respond(encoder.encode(JSON.stringify(this.snapshotBody(symbol))));
        },
      }),
    );
  }

  private async consumeOrders(): Promise<void> {
    const info = await this.manager.streams.info(STREAMS.orders.name);
    const consumer = await this.jetStream.consumers.get(STREAMS.orders.name, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: info.state.last_seq + 1 });
    const messages = await consumer.consume();
    void (async () => {
      for await (const message of messages) {
        const parsed = validators.orderIntent(JSON.parse(decoder.decode(message.data)));
        if (!parsed.ok) throw new Error(`the MMS sent an invalid intent: ${JSON.stringify(parsed.issues)}`);
        this.intents.push(parsed.value);
        const traceparent = message.headers?.get("traceparent");
        if (traceparent) this.traceparents.set(parsed.value.intentId, traceparent);
        if (this.autoRespond) await this.respond(parsed.value);
      }
    })();
    this.stopConsumer = async () => {
      await messages.close();
    };
  }

  private async respond(intent: OrderIntent): Promise<void> {
    if (intent.kind === "NEW" && this.rejectNewWith !== undefined) {
      await this.report({ kind: "REJECTED", account: intent.account, symbol: intent.symbol, clientOrderId: intent.clientOrderId, reason: this.rejectNewWith });
    } else if (intent.kind === "NEW") {
      const orderId = `X-${this.runTag}-${intent.clientOrderId}`;
      this.liveOrders.set(intent.clientOrderId, { symbol: intent.symbol, account: intent.account, side: intent.side, px: intent.px, qty: intent.qty, orderId });
      await this.report({ kind: "ACCEPTED", account: intent.account, symbol: intent.symbol, clientOrderId: intent.clientOrderId, orderId, side: intent.side, px: intent.px, qty: intent.qty });
    } else if (intent.kind === "CANCEL") {
      const order = this.liveOrders.get(intent.clientOrderId);
      if (!order) await this.report({ kind: "REJECTED", account: intent.account, symbol: intent.symbol, clientOrderId: intent.clientOrderId, reason: "UNKNOWN_ORDER" });
      else {
        this.liveOrders.delete(intent.clientOrderId);
        await this.report({ kind: "CANCELED", account: intent.account, symbol: intent.symbol, clientOrderId: intent.clientOrderId, orderId: order.orderId, reason: "USER" });
      }
    } else if (intent.kind === "CANCEL_ALL") {
      for (const [clientOrderId, order] of [...this.liveOrders]) {
        if (order.symbol !== intent.symbol || order.account !== intent.account) continue;
        this.liveOrders.delete(clientOrderId);
        await this.report({ kind: "CANCELED", account: intent.account, symbol: intent.symbol, clientOrderId, orderId: order.orderId, reason: "CANCEL_ALL" });
      }
    }
  }

  /** An order resting at the exchange that an earlier run placed: accepted into EXEC, and live until cancelled or filled. */
  async restOrder(order: { symbol: string; account: string; clientOrderId: string; side: "BUY" | "SELL"; px: string; qty: string }): Promise<void> {
    const orderId = `X-${this.runTag}-${order.clientOrderId}`;
    this.liveOrders.set(order.clientOrderId, { symbol: order.symbol, account: order.account, side: order.side, px: order.px, qty: order.qty, orderId });
    await this.report({ kind: "ACCEPTED", account: order.account, symbol: order.symbol, clientOrderId: order.clientOrderId, orderId, side: order.side, px: order.px, qty: order.qty });
  }

  /** Fills a resting order of the MMS (maker), fully unless `quantity` says less. */
  async fill(clientOrderId: string, quantity?: string, fee = "0", stamp: { ts?: number } = {}): Promise<void> {
    const order = this.liveOrders.get(clientOrderId);
    if (!order) throw new Error(`no live order ${clientOrderId}`);
    const qty = quantity ?? order.qty;
    const leaves = new Big(order.qty).minus(qty).toFixed();
    if (leaves === "0") this.liveOrders.delete(clientOrderId);
    else order.qty = leaves;
    await this.report({ kind: "FILL", account: order.account, symbol: order.symbol, clientOrderId, orderId: order.orderId, side: order.side, fillId: `F-${this.runTag}-${++this.execCounter}`, px: order.px, qty, leavesQty: leaves, fee, liquidity: "MAKER", ...stamp });
  }

  /** The exchange's dead-man fires now: every live order of the account on the symbol is CANCELED with reason COUNTDOWN. */
  async fireCountdown(symbol: string, account: string): Promise<void> {
    for (const [clientOrderId, order] of [...this.liveOrders]) {
      if (order.symbol !== symbol || order.account !== account) continue;
      this.liveOrders.delete(clientOrderId);
      await this.report({ kind: "CANCELED", account, symbol, clientOrderId, orderId: order.orderId, reason: "COUNTDOWN" });
    }
  }

  /** Someone else trades the account: a FILL (taker) for a clientOrderId the MMS never issued. */
  async foreignFill(fill: { symbol: string; account: string; side: "BUY" | "SELL"; px: string; qty: string; clientOrderId?: string }): Promise<string> {
    const clientOrderId = fill.clientOrderId ?? `MANUAL-${this.runTag}-${++this.execCounter}`;
    const { symbol, account, side, px, qty } = fill;
    await this.report({ kind: "FILL", account, symbol, clientOrderId, orderId: `X-${clientOrderId}`, side, fillId: `F-${clientOrderId}`, px, qty, leavesQty: "0", fee: "0", liquidity: "TAKER" });
    return clientOrderId;
  }

  openOrders(symbol: string) {
    return [...this.liveOrders.entries()].filter(([, order]) => order.symbol === symbol).map(([clientOrderId, order]) => ({ clientOrderId, ...order }));
  }

  /** Publishes a report to EXEC; `execId` and `ts` are filled in when missing. */
  async report(report: ReportInput): Promise<void> {
    const full = { execId: `E-${this.runTag}-${++this.execCounter}`, ts: Date.now(), ...report } as ExecutionReport;
    await this.jetStream.publish(subjects.executionReports(full.account, full.symbol), encoder.encode(JSON.stringify(full)));
  }

  private book(symbol: string) {
    const book = this.books.get(symbol);
    if (!book) throw new Error(`unknown symbol ${symbol}`);
    return book;
  }

  private snapshotBody(symbol: string) {
    const book = this.book(symbol);
    const sorted = (levels: Map<string, string>, descending: boolean) => [...levels.entries()].sort(([a], [b]) => (descending ? new Big(b).cmp(a) : new Big(a).cmp(b)));
    return { symbol, seq: book.seq, ts: Date.now() - this.marketDataAgeMs, bids: sorted(book.bids, true), asks: sorted(book.asks, false) };
  }

  publishSnapshot(symbol: string, bids: Levels, asks: Levels): void {
    const book = this.book(symbol);
    book.seq += 1;
    book.bids = new Map(bids.map(([px, qty]) => [px, qty]));
    book.asks = new Map(asks.map(([px, qty]) => [px, qty]));
    this.publish(subjects.snapshot(symbol), this.snapshotBody(symbol));
  }

  /** Sets levels (qty "0" removes). `skipSeq` leaves a gap before this delta. */
  publishDelta(symbol: string, bids: Levels, asks: Levels, options: { skipSeq?: boolean } = {}): void {
    const book = this.book(symbol);
    book.seq += options.skipSeq ? 2 : 1;
    for (const [levels, changes] of [[book.bids, bids], [book.asks, asks]] as const) {
      for (const [px, qty] of changes) {
        if (qty === "0") levels.delete(px);
        else levels.set(px, qty);
      }
    }
    this.publish(subjects.delta(symbol), { symbol, seq: book.seq, ts: Date.now() - this.marketDataAgeMs, bids: bids as BookLevel[], asks: asks as BookLevel[] });
  }

  publishStatus(symbol: string, status?: MarketStatusValue): void {
    const book = this.book(symbol);
    if (status) book.status = status;
    this.publish(subjects.status(symbol), { symbol, ts: Date.now() - this.marketDataAgeMs, seq: book.seq, status: book.status });
  }

  publishRaw(subject: string, body: string | Uint8Array): void {
    this.connection.publish(subject, typeof body === "string" ? encoder.encode(body) : body);
  }

  private publish(subject: string, body: unknown): void {
    this.connection.publish(subject, encoder.encode(JSON.stringify(body)));
  }

  /** Keeps a symbol's market data fresh (status heartbeat) until the returned stop is called. */
  heartbeat(symbol: string, everyMs = 200): () => void {
    const timer = setInterval(() => this.publishStatus(symbol), everyMs);
    return () => clearInterval(timer);
  }

  async waitForIntents(predicate: (intents: OrderIntent[]) => boolean, description: string, timeoutMs = 10_000): Promise<void> {
    await waitFor(() => predicate(this.intents), { timeoutMs, description });
  }

  async stop(): Promise<void> {
    for (const subscription of this.snapshotResponders) subscription.unsubscribe();
    await this.stopConsumer?.();
  }
}

/** One resting order as the simulator's `sim.orders.<ACCOUNT>` inspection reply lists it. */
export interface SimOrder {
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly orderId: string;
  readonly side: "BUY" | "SELL";
  readonly px: string;
  readonly qty: string;
  readonly leavesQty: string;
}
