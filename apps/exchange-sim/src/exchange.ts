import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import {
  LIMITS,
  STREAMS,
  decodeAndValidate,
  decodeJson,
  formatIssues,
  subjects,
  validators,
  type ExecutionReport,
  type OrderIntent,
} from "@mms/contracts";
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import { nanos, type Msg, type NatsConnection, type Subscription } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { Big, ZERO, decimalString } from "./decimal";
import { FillLedger } from "./ledger";
import { MarketDataFeed } from "./market-data-feed";
import { MarketDriver, type MarketDriverSettings } from "./market-driver";
import { CANCEL_REASONS, MatchingEngine, commandFromIntent, type EngineEvent } from "./matching-engine";
import { parseControl, type SimControlCommand, type SimControlReply } from "./sim-control";
import { resolveSymbol, type SimulatedSymbol, type SymbolSetup } from "./symbols";

export interface SimulatorLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One JSON line per entry: info to stdout, warnings and errors to stderr. */
export const consoleLogger: SimulatorLogger = {
  info: (message, fields) => console.log(JSON.stringify({ level: "info", message, ...fields })),
  warn: (message, fields) => console.error(JSON.stringify({ level: "warn", message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: "error", message, ...fields })),
};

export interface ExchangeSimulatorOptions {
  /** NATS server URL(s). Never the machine's own 4222 in tests. */
  readonly natsUrl: string | readonly string[];
  readonly symbols: readonly (string | SymbolSetup)[];
  /** Seed of the background market: same seed, same market. Default 1. */
  readonly seed?: number;
  /** Fees in bps as decimal strings; maker may be negative (a rebate). Default maker "-1", taker "5". */
  readonly fees?: { readonly makerBps: string; readonly takerBps: string };
  /** Milliseconds since the epoch for every `ts`. Default Date.now. */
  readonly clock?: () => number;
  /** Prefix of every id this run makes (execId, orderId, ...); default unique per start. */
  readonly runId?: string;
  /** Durable consumer on ORDERS. Default "exchange-sim". */
  readonly consumerName?: string;
  /** Background makers and takers; `enabled: false` starts every symbol with its driver paused. */
  readonly driver?: { readonly enabled?: boolean; readonly intervalMs?: number; readonly settings?: Partial<MarketDriverSettings> };
  /** Status heartbeat period. Default 500 ms (the contract asks for at least one a second). */
  readonly statusIntervalMs?: number;
  /** Periodic snapshot period; 0 publishes snapshots only at start, on request and on repair. Default 5000. */
  readonly snapshotIntervalMs?: number;
  /** How often lapsed COUNTDOWNs are checked. Default 50 ms. */
  readonly countdownCheckIntervalMs?: number;
  /** Duplicate window of the ORDERS stream when this run creates it. Default 2 minutes. */
  readonly duplicateWindowMs?: number;
  /** Also publish the reports of the simulator's own accounts on exec.>. Default false. */
  readonly publishSimulatorReports?: boolean;
  readonly logger?: SimulatorLogger;
}

export interface SimulatorStats {
  readonly intentsApplied: number;
  readonly intentsInvalid: number;
  readonly reportsPublished: number;
  readonly reportPublishFailures: number;
}

export interface ExchangeSimulatorHandle {
  readonly runId: string;
  readonly symbols: readonly string[];
  /** Applies a fault as `sim.control.<target>.<fault>` would; target is a symbol or "all". */
  control(target: string, fault: string, body?: unknown): SimControlReply;
  stats(): SimulatorStats;
  /** Stops timers and consumers, flushes pending reports, closes the connection. Idempotent. */
  stop(): Promise<void>;
}

/** Subjects of the simulator's own request/reply API (not part of the contract). */
export const simulatorSubjects = {
  control: (target: string, fault: string) => `sim.control.${target}.${fault}`,
  controlWildcard: "sim.control.>",
  ledger: (account: string) => `sim.ledger.${account}`,
  ledgerWildcard: "sim.ledger.*",
  openOrders: (account: string) => `sim.orders.${account}`,
  openOrdersWildcard: "sim.orders.*",
} as const;

const BOOK_ACCOUNT = "SIM_BOOK";
const CONTROL_TAKER_ACCOUNT = "SIM_CONTROL_TAKER";
const PUBLISH_ATTEMPTS = 5;
/** JetStream API error: a stream with this name but another config exists. */
const STREAM_NAME_IN_USE = 10058;
const PUBLISH_TIMEOUT_MS = 5000;

interface SymbolRuntime {
  readonly setup: SimulatedSymbol;
  readonly feed: MarketDataFeed;
  readonly driver: MarketDriver;
  driverPaused: boolean;
  /** `silence`: order intents (bar COUNTDOWN) are taken and dropped, unanswered. */
  ordersSilent: boolean;
  marketDataStopped: boolean;
  marketDataDelayMs: number;
  /** Market data held back by delay-md, oldest first; released in order. */
  readonly delayed: { releaseAt: number; subject: string; payload: string }[];
  delayTimer: NodeJS.Timeout | undefined;
}

/** Starts the simulator on NATS; resolves once streams, subscriptions and the consumer are up. */
export async function startExchangeSimulator(options: ExchangeSimulatorOptions): Promise<ExchangeSimulatorHandle> {
  const simulator = new ExchangeSimulator(options);
  await simulator.start();
  return simulator;
}

class ExchangeSimulator implements ExchangeSimulatorHandle {
  readonly runId: string;
  readonly symbols: readonly string[];
  private readonly clock: () => number;
  private readonly logger: SimulatorLogger;
  private readonly engine: MatchingEngine;
  private readonly ledger = new FillLedger();
  private readonly runtimes = new Map<string, SymbolRuntime>();
  private readonly simulatorAccounts: ReadonlySet<string>;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly subscriptions: Subscription[] = [];
  private connection: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private messages: ConsumerMessages | undefined;
  private consumeLoop: Promise<void> | undefined;
  /** Reports go out one after another, in the order the engine made them. */
  private reportChain: Promise<void> = Promise.resolve();
  private controlCounter = 0;
  private stopping = false;
  private counters = { intentsApplied: 0, intentsInvalid: 0, reportsPublished: 0, reportPublishFailures: 0 };

  constructor(private readonly options: ExchangeSimulatorOptions) {
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? consoleLogger;
    this.runId = options.runId ?? `sim-${randomUUID().slice(0, 8)}`;
    const setups = options.symbols.map((setup) => resolveSymbol(setup));
    if (setups.length === 0) throw new Error("the simulator needs at least one symbol");
    this.symbols = setups.map((setup) => setup.symbol);
    const seed = options.seed ?? 1;
    const driverEnabled = options.driver?.enabled ?? true;
    for (const setup of setups) {
      const driver = new MarketDriver({
        symbol: setup.symbol,
        seed,
        tickSize: setup.tickSize,
        lotSize: setup.lotSize,
        initialFairValue: setup.initialFairValue,
        settings: { ...setup.driver, ...options.driver?.settings },
      });
      this.runtimes.set(setup.symbol, {
        setup,
        feed: new MarketDataFeed(setup.symbol),
        driver,
        driverPaused: !driverEnabled,
        ordersSilent: false,
        marketDataStopped: false,
        marketDataDelayMs: 0,
        delayed: [],
        delayTimer: undefined,
      });
    }
    const driverAccounts = [...this.runtimes.values()].flatMap((runtime) => runtime.driver.accounts());
    this.simulatorAccounts = new Set([...driverAccounts, BOOK_ACCOUNT, CONTROL_TAKER_ACCOUNT]);
    this.engine = new MatchingEngine({
      symbols: setups,
      fees: { makerBps: new Big(options.fees?.makerBps ?? "-1"), takerBps: new Big(options.fees?.takerBps ?? "5") },
      idPrefix: this.runId,
      rejectAllExemptAccounts: this.simulatorAccounts,
    });
  }

  async start(): Promise<void> {
    const servers = typeof this.options.natsUrl === "string" ? [this.options.natsUrl] : [...this.options.natsUrl];
    const connection = await connect({ servers, name: `exchange-sim ${this.runId}` });
    this.connection = connection;
    try {
      const manager = await jetstreamManager(connection);
      await this.ensureStreams(manager);
      this.js = jetstream(connection);
      this.subscribeRequests(connection);
      for (const runtime of this.runtimes.values()) {
        // One driver step first, so the first snapshot already shows a book.
        if (!runtime.driverPaused) this.stepDriver(runtime);
        this.publishSnapshot(runtime);
        this.publishStatus(runtime);
      }
      await this.startConsuming(manager);
      this.startTimers();
      this.logger.info("exchange simulator started", { runId: this.runId, symbols: this.symbols, servers });
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  control(target: string, fault: string, body?: unknown): SimControlReply {
    const parsed = parseControl(fault, body);
    if (!parsed.ok) return parsed;
    const runtimes = target === "all" ? [...this.runtimes.values()] : [this.runtimes.get(target)].filter((runtime) => runtime !== undefined);
    if (runtimes.length === 0) return { ok: false, error: `unknown symbol ${JSON.stringify(target)}; running: ${this.symbols.join(", ")}` };
    const replies = runtimes.map((runtime) => this.applyControl(runtime, parsed.command));
    const failed = replies.find((reply) => !reply.ok);
    if (failed) return failed;
    return replies.length === 1 && replies[0] ? replies[0] : { ok: true, symbols: replies };
  }

  stats(): SimulatorStats {
    return { ...this.counters };
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const runtime of this.runtimes.values()) clearTimeout(runtime.delayTimer);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    await this.messages?.close().catch(() => undefined);
    await this.consumeLoop;
    await this.reportChain;
    await this.connection?.drain().catch(() => undefined);
    this.logger.info("exchange simulator stopped", { runId: this.runId, ...this.counters });
  }

  private async ensureStreams(manager: JetStreamManager): Promise<void> {
    const duplicateWindow = nanos(this.options.duplicateWindowMs ?? 120_000);
    for (const stream of [
      { name: STREAMS.orders.name, subjects: [...STREAMS.orders.subjects], duplicate_window: duplicateWindow },
      { name: STREAMS.executionReports.name, subjects: [...STREAMS.executionReports.subjects] },
    ]) {
      try {
        await manager.streams.info(stream.name);
      } catch (error) {
        if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
        await manager.streams.add(stream).catch((addError: unknown) => {
          // Another process created it between our look and our add: that is fine.
          if (!(addError instanceof JetStreamApiError && addError.code === STREAM_NAME_IN_USE)) throw addError;
        });
        this.logger.info("created stream", { stream: stream.name, subjects: stream.subjects });
      }
    }
  }

  /** One durable pull consumer on orders.> (nats-server 2.9 has no multi-filter consumers). */
  private async startConsuming(manager: JetStreamManager): Promise<void> {
    const name = this.options.consumerName ?? "exchange-sim";
    try {
      await manager.consumers.info(STREAMS.orders.name, name);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
      // A new consumer starts at this run: intents left over from before it existed are history.
      await manager.consumers.add(STREAMS.orders.name, {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.StartTime,
        opt_start_time: new Date(Date.now() - 1000).toISOString(),
        filter_subject: "orders.>",
      });
    }
    const js = this.js;
    if (!js) throw new Error("JetStream client missing");
    const consumer = await js.consumers.get(STREAMS.orders.name, name);
    const messages = await consumer.consume({ max_messages: 256 });
    this.messages = messages;
    this.consumeLoop = (async () => {
      for await (const message of messages) {
        try {
          this.onIntent(message);
        } catch (error) {
          // A bug must not stop the gateway: drop this intent, keep consuming.
          this.logger.error("order intent failed", { subject: message.subject, error: String(error) });
          message.term();
        }
      }
    })().catch((error: unknown) => {
      if (!this.stopping) this.logger.error("order consumer failed", { error: String(error) });
    });
  }

  private onIntent(message: JsMsg): void {
    const decoded = decodeAndValidate(message.data, validators.orderIntent);
    if (!decoded.ok) {
      this.counters.intentsInvalid++;
      this.logger.warn("invalid order intent dropped", { subject: message.subject, issues: formatIssues(decoded.issues) });
      message.term();
      return;
    }
    const intent: OrderIntent = decoded.value;
    if (message.subject !== subjects.orders(intent.symbol)) {
      this.counters.intentsInvalid++;
      this.logger.warn("order intent on the wrong subject dropped", { subject: message.subject, symbol: intent.symbol, intentId: intent.intentId });
      message.term();
      return;
    }
    if (intent.kind !== "COUNTDOWN" && this.runtimes.get(intent.symbol)?.ordersSilent) {
      this.logger.info("order intent dropped unanswered (silence)", { symbol: intent.symbol, intentId: intent.intentId, intentKind: intent.kind });
      message.ack();
      return;
    }
    this.counters.intentsApplied++;
    this.handleEvents(this.engine.submit(commandFromIntent(intent), this.clock()));
    message.ack();
  }

  private subscribeRequests(connection: NatsConnection): void {
    const subscribe = (subject: string, handler: (message: Msg) => void): void => {
      this.subscriptions.push(
        connection.subscribe(subject, {
          callback: (error, message) => {
            if (error) {
              this.logger.error("subscription failed", { subject, error: String(error) });
              return;
            }
            try {
              handler(message);
            } catch (handlerError) {
              this.logger.error("request failed", { subject: message.subject, error: String(handlerError) });
              message.respond(JSON.stringify({ ok: false, error: String(handlerError) }));
            }
          },
        }),
      );
    };
    for (const runtime of this.runtimes.values()) {
      subscribe(subjects.snapshotRequest(runtime.setup.symbol), (message) => {
        // A dead feed answers nothing either; a delayed one answers in line with its deltas.
        if (message.reply) this.emitMarketData(runtime, message.reply, this.snapshotBody(runtime));
      });
    }
    subscribe(simulatorSubjects.controlWildcard, (message) => {
      const [, , target, fault, ...rest] = message.subject.split(".");
      let reply: SimControlReply;
      if (target === undefined || fault === undefined || rest.length > 0) {
        reply = { ok: false, error: "subject must be sim.control.<SYMBOL|all>.<fault>" };
      } else {
        const body = message.data.length === 0 ? { ok: true as const, value: undefined } : decodeJson(message.data);
        reply = body.ok ? this.control(target, fault, body.value) : { ok: false, error: `body ${formatIssues(body.issues)}` };
      }
      if (!reply.ok) this.logger.warn("sim control refused", { subject: message.subject, error: reply.error });
      else this.logger.info("sim control applied", { subject: message.subject });
      message.respond(JSON.stringify(reply));
    });
    subscribe(simulatorSubjects.ledgerWildcard, (message) => {
      const account = message.subject.split(".")[2] ?? "";
      message.respond(JSON.stringify(this.ledger.reply(account)));
    });
    subscribe(simulatorSubjects.openOrdersWildcard, (message) => {
      const account = message.subject.split(".")[2] ?? "";
      const orders = this.engine.openOrders(account).map((order) => ({
        symbol: order.symbol,
        clientOrderId: order.clientOrderId,
        orderId: order.orderId,
        side: order.side,
        px: decimalString(order.px),
        qty: decimalString(order.qty),
        leavesQty: decimalString(order.leavesQty),
      }));
      message.respond(JSON.stringify({ ok: true, account, orders }));
    });
  }

  private startTimers(): void {
    const every = (ms: number, action: () => void): void => {
      if (ms > 0) this.timers.push(setInterval(() => this.guarded(action), ms));
    };
    every(this.options.driver?.intervalMs ?? 200, () => {
      for (const runtime of this.runtimes.values()) this.stepDriver(runtime);
    });
    every(this.options.countdownCheckIntervalMs ?? 50, () => this.handleEvents(this.engine.tick(this.clock())));
    every(this.options.statusIntervalMs ?? 500, () => {
      for (const runtime of this.runtimes.values()) this.publishStatus(runtime);
    });
    every(this.options.snapshotIntervalMs ?? 5000, () => {
      for (const runtime of this.runtimes.values()) this.publishSnapshot(runtime);
    });
  }

  private guarded(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.logger.error("timer task failed", { error: String(error) });
    }
  }

  private stepDriver(runtime: SymbolRuntime): void {
    const symbol = runtime.setup.symbol;
    if (runtime.driverPaused || this.engine.status(symbol) !== "TRADING") return;
    const view = { openOrders: (account: string, viewSymbol: string) => this.engine.openOrders(account, viewSymbol) };
    for (const command of runtime.driver.step(view)) this.handleEvents(this.engine.submit(command, this.clock()));
  }

  /** Routes engine events: reports to exec.> and the ledger, the rest to market data. */
  private handleEvents(events: readonly EngineEvent[]): void {
    for (const event of events) {
      switch (event.kind) {
        case "REPORT":
          if (event.report.kind === "FILL") this.ledger.record(event.report);
          this.publishReport(event.report);
          break;
        case "TRADE": {
          const runtime = this.runtimes.get(event.trade.symbol);
          if (runtime) this.emitMarketData(runtime, subjects.trade(event.trade.symbol), event.trade);
          break;
        }
        case "BOOK_CHANGE": {
          const runtime = this.runtimes.get(event.symbol);
          if (runtime) this.emitMarketData(runtime, subjects.delta(event.symbol), runtime.feed.delta(event.bids, event.asks, this.clock()));
          break;
        }
        case "STATUS": {
          const runtime = this.runtimes.get(event.symbol);
          if (runtime) this.publishStatus(runtime);
          break;
        }
      }
    }
  }

  private publishReport(report: ExecutionReport): void {
    if (this.simulatorAccounts.has(report.account) && !this.options.publishSimulatorReports) return;
    const checked = validators.executionReport(report);
    if (!checked.ok) {
      this.logger.error("refusing to publish an invalid execution report", { execId: report.execId, issues: formatIssues(checked.issues) });
      return;
    }
    const subject = subjects.executionReports(report.account, report.symbol);
    const payload = JSON.stringify(report);
    this.reportChain = this.reportChain.then(() => this.publishWithRetry(subject, payload, report.execId));
  }

  /** Retries are safe: execId is the Nats-Msg-Id, so the stream keeps one copy. */
  private async publishWithRetry(subject: string, payload: string, execId: string): Promise<void> {
    for (let attempt = 1; attempt <= PUBLISH_ATTEMPTS; attempt++) {
      try {
        await this.js?.publish(subject, payload, { msgID: execId, timeout: PUBLISH_TIMEOUT_MS });
        this.counters.reportsPublished++;
        return;
      } catch (error) {
        if (attempt === PUBLISH_ATTEMPTS || this.connection?.isClosed()) {
          this.counters.reportPublishFailures++;
          this.logger.error("execution report not published", { subject, execId, error: String(error) });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  private snapshotBody(runtime: SymbolRuntime): ReturnType<MarketDataFeed["snapshot"]> {
    return runtime.feed.snapshot(this.engine.depth(runtime.setup.symbol, LIMITS.maxBookLevels), this.clock());
  }

  private publishSnapshot(runtime: SymbolRuntime): void {
    this.emitMarketData(runtime, subjects.snapshot(runtime.setup.symbol), this.snapshotBody(runtime));
  }

  private publishStatus(runtime: SymbolRuntime): void {
    const status = this.engine.status(runtime.setup.symbol) ?? "CLOSED";
    this.emitMarketData(runtime, subjects.status(runtime.setup.symbol), runtime.feed.status(status, this.clock()));
  }

  /** Market data is stamped when made; stop-md drops it, delay-md holds it back in order. */
  private emitMarketData(runtime: SymbolRuntime, subject: string, body: object): void {
    if (runtime.marketDataStopped || this.stopping) return;
    const payload = JSON.stringify(body);
    if (runtime.marketDataDelayMs === 0 && runtime.delayed.length === 0) {
      this.connection?.publish(subject, payload);
      return;
    }
    runtime.delayed.push({ releaseAt: performance.now() + runtime.marketDataDelayMs, subject, payload });
    this.scheduleRelease(runtime);
  }

  private scheduleRelease(runtime: SymbolRuntime): void {
    if (runtime.delayTimer !== undefined) return;
    const head = runtime.delayed[0];
    if (!head) return;
    runtime.delayTimer = setTimeout(
      () => {
        runtime.delayTimer = undefined;
        const now = performance.now();
        while (runtime.delayed[0] && runtime.delayed[0].releaseAt <= now) {
          const next = runtime.delayed.shift();
          if (next && !this.stopping) this.connection?.publish(next.subject, next.payload);
        }
        this.scheduleRelease(runtime);
      },
      Math.max(0, head.releaseAt - performance.now()),
    );
  }

  private applyControl(runtime: SymbolRuntime, command: SimControlCommand): SimControlReply {
    const symbol = runtime.setup.symbol;
    const now = this.clock();
    switch (command.kind) {
      case "halt":
        this.handleEvents(this.engine.setStatus(symbol, "HALTED", now));
        return { ok: true, symbol, status: "HALTED" };
      case "resume-trading":
        this.handleEvents(this.engine.setStatus(symbol, "TRADING", now));
        return { ok: true, symbol, status: "TRADING" };
      case "close":
        this.handleEvents(this.engine.setStatus(symbol, "CLOSED", now));
        return { ok: true, symbol, status: "CLOSED" };
      case "stop-md":
        runtime.marketDataStopped = true;
        return { ok: true, symbol };
      case "start-md":
        if (runtime.marketDataStopped) {
          runtime.marketDataStopped = false;
          this.publishSnapshot(runtime);
          this.publishStatus(runtime);
        }
        return { ok: true, symbol };
      case "crossed": {
        const delta = runtime.feed.crossedDelta(
          this.engine.bestPrice(symbol, "BUY"),
          this.engine.bestPrice(symbol, "SELL"),
          runtime.driver.fairValue(),
          runtime.setup.lotSize,
          now,
        );
        this.emitMarketData(runtime, subjects.delta(symbol), delta);
        return { ok: true, symbol, seq: delta.seq };
      }
      case "skip-seq":
        runtime.feed.skipNextSeq();
        return { ok: true, symbol };
      case "delay-md":
        runtime.marketDataDelayMs = command.ms;
        return { ok: true, symbol, ms: command.ms };
      case "reject-all":
        this.engine.setRejectAll(symbol, command.enabled ? command.reason : undefined);
        return { ok: true, symbol, enabled: command.enabled };
      case "silence":
      case "answer":
        runtime.ordersSilent = command.kind === "silence";
        return { ok: true, symbol, silent: runtime.ordersSilent };
      case "pause-driver":
        runtime.driverPaused = true;
        return { ok: true, symbol };
      case "resume-driver":
        runtime.driverPaused = false;
        return { ok: true, symbol };
      case "taker-flow":
        runtime.driver.configure({ takerFlow: command.flow, ...(command.probability === undefined ? {} : { takerProbability: command.probability }) });
        return { ok: true, symbol, flow: command.flow };
      case "set-book":
        return this.setBook(runtime, command.bids, command.asks);
      case "trade":
        return this.trade(runtime, command.side, command.qty, command.px);
      case "publish-snapshot":
        this.publishSnapshot(runtime);
        return { ok: true, symbol, seq: runtime.feed.latestSeq() };
      case "info":
        return {
          ok: true,
          symbol,
          status: this.engine.status(symbol),
          seq: runtime.feed.latestSeq(),
          fairValue: decimalString(runtime.driver.fairValue()),
          bestBid: optionalDecimal(this.engine.bestPrice(symbol, "BUY")),
          bestAsk: optionalDecimal(this.engine.bestPrice(symbol, "SELL")),
          driverPaused: runtime.driverPaused,
          ordersSilent: runtime.ordersSilent,
          marketDataStopped: runtime.marketDataStopped,
          marketDataDelayMs: runtime.marketDataDelayMs,
        };
    }
  }

  /**
   * Replaces everything the simulator itself rests with exactly these levels (orders of other
   * accounts stay) and pauses the driver, so the book stays as built until resume-driver.
   */
  private setBook(runtime: SymbolRuntime, bids: readonly { px: Big; qty: Big }[], asks: readonly { px: Big; qty: Big }[]): SimControlReply {
    const { symbol, tickSize, lotSize } = runtime.setup;
    for (const level of [...bids, ...asks]) {
      if (!level.px.mod(tickSize).eq(0)) return { ok: false, error: `px ${decimalString(level.px)} is not a multiple of tick size ${decimalString(tickSize)}` };
      if (!level.qty.mod(lotSize).eq(0)) return { ok: false, error: `qty ${decimalString(level.qty)} is not a multiple of lot size ${decimalString(lotSize)}` };
    }
    if (this.engine.status(symbol) !== "TRADING") return { ok: false, error: `market is ${this.engine.status(symbol)}` };
    runtime.driverPaused = true;
    const now = this.clock();
    this.handleEvents(this.engine.cancelAccounts(symbol, this.simulatorAccounts, CANCEL_REASONS.bookReset, now));
    for (const [side, levels] of [["BUY", bids], ["SELL", asks]] as const) {
      for (const level of levels) {
        const id = this.nextControlId();
        this.handleEvents(this.engine.submit({ kind: "NEW", intentId: id, clientOrderId: id, account: BOOK_ACCOUNT, symbol, side, tif: "GTC", px: level.px, qty: level.qty }, now));
      }
    }
    this.publishSnapshot(runtime);
    return { ok: true, symbol, seq: runtime.feed.latestSeq() };
  }

  /** A taker IOC now; without px it may sweep the whole other side. */
  private trade(runtime: SymbolRuntime, side: "BUY" | "SELL", qty: Big, px: Big | undefined): SimControlReply {
    const symbol = runtime.setup.symbol;
    const limit = px ?? this.engine.worstPrice(symbol, side === "BUY" ? "SELL" : "BUY");
    if (limit === undefined) return { ok: true, symbol, filledQty: "0", averagePx: null };
    const id = this.nextControlId();
    const events = this.engine.submit({ kind: "NEW", intentId: id, clientOrderId: id, account: CONTROL_TAKER_ACCOUNT, symbol, side, tif: "IOC", px: limit, qty }, this.clock());
    this.handleEvents(events);
    const rejected = events.find((event) => event.kind === "REPORT" && event.report.kind === "REJECTED");
    if (rejected && rejected.kind === "REPORT" && rejected.report.kind === "REJECTED") return { ok: false, error: `trade rejected: ${rejected.report.reason}` };
    let filled = ZERO;
    let notional = ZERO;
    for (const event of events) {
      if (event.kind === "REPORT" && event.report.kind === "FILL" && event.report.account === CONTROL_TAKER_ACCOUNT) {
        filled = filled.plus(event.report.qty);
        notional = notional.plus(new Big(event.report.px).times(event.report.qty));
      }
    }
    return { ok: true, symbol, filledQty: decimalString(filled), averagePx: filled.eq(0) ? null : decimalString(notional.div(filled)) };
  }

  private nextControlId(): string {
    return `${this.runId}-control-${++this.controlCounter}`;
  }
}

function optionalDecimal(value: Big | undefined): string | null {
  return value === undefined ? null : decimalString(value);
}
