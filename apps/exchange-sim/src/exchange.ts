import { randomUUID } from "node:crypto";
import { LIMITS, decodeAndValidate, decodeJson, formatIssues, subjects, validators, type OrderIntent } from "@mms/contracts";
import { jetstream, jetstreamManager, type JetStreamClient, type JsMsg } from "@nats-io/jetstream";
import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { BOOK_ACCOUNT, CONTROL_TAKER_ACCOUNT, setBook, trade, type BookControlContext } from "./book-controls";
import { fireCountdown, placeForeignOrder, type FaultOutcome } from "./account-faults";
import { Big, decimalString } from "./decimal";
import { FillLedger } from "./ledger";
import type { MarketDataFeed } from "./market-data-feed";
import { MatchingEngine, commandFromIntent, type EngineEvent } from "./matching-engine";
import { consumeOrderIntents, ensureExchangeStreams, openOrdersReply, ReportPublisher, type OrderConsumer } from "./order-gateway";
import { simulatedMarket, type SimulatedMarket } from "./simulated-market";
import { parseControl, type SimControlCommand, type SimControlReply } from "./sim-control";
import { consoleLogger, simulatorSubjects, type ExchangeSimulatorHandle, type ExchangeSimulatorOptions, type SimulatorLogger, type SimulatorStats } from "./simulator-api";
import { resolveSymbol } from "./symbols";


const MARKET_STATUS_OF = { halt: "HALTED", "resume-trading": "TRADING", close: "CLOSED" } as const;

type SymbolRuntime = SimulatedMarket;

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
  private orderConsumer: OrderConsumer | undefined;
  private readonly reports: ReportPublisher;
  private controlCounter = 0;
  private stopping = false;
  private counters = { intentsApplied: 0, intentsInvalid: 0 };

  constructor(private readonly options: ExchangeSimulatorOptions) {
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? consoleLogger;
    this.runId = options.runId ?? `sim-${randomUUID().slice(0, 8)}`;
    this.reports = new ReportPublisher(() => this.js, () => this.connection?.isClosed() ?? true, this.logger);
    const setups = options.symbols.map((setup) => resolveSymbol(setup));
    if (setups.length === 0) throw new Error("the simulator needs at least one symbol");
    this.symbols = setups.map((setup) => setup.symbol);
    const seed = options.seed ?? 1;
    const driverEnabled = options.driver?.enabled ?? true;
    const send = (subject: string, payload: string): void => {
      if (!this.stopping) this.connection?.publish(subject, payload);
    };
    for (const setup of setups) this.runtimes.set(setup.symbol, simulatedMarket(setup, { seed, driverEnabled, driver: options.driver?.settings }, send));
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
      await ensureExchangeStreams(manager, this.options.duplicateWindowMs ?? 120_000, this.logger);
      this.js = jetstream(connection);
      this.subscribeRequests(connection);
      for (const runtime of this.runtimes.values()) {
        // One driver step first, so the first snapshot already shows a book.
        if (!runtime.driverPaused) this.stepDriver(runtime);
        this.publishSnapshot(runtime);
        this.publishStatus(runtime);
      }
      this.orderConsumer = await consumeOrderIntents(manager, this.js, { name: this.options.consumerName ?? "exchange-sim", logger: this.logger, stopping: () => this.stopping }, (message) => this.onIntent(message));
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
    return { ...this.counters, reportsPublished: this.reports.published, reportPublishFailures: this.reports.failures };
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const runtime of this.runtimes.values()) runtime.outlet.close();
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    await this.orderConsumer?.messages.close().catch(() => undefined);
    await this.orderConsumer?.loop;
    await this.reports.flushed();
    await this.connection?.drain().catch(() => undefined);
    this.logger.info("exchange simulator stopped", { runId: this.runId, ...this.stats() });
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
      message.respond(JSON.stringify(openOrdersReply(this.engine, account)));
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
          if (!this.simulatorAccounts.has(event.report.account) || this.options.publishSimulatorReports) this.reports.publish(event.report);
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

  private emitMarketData(runtime: SymbolRuntime, subject: string, body: object): void {
    if (!this.stopping) runtime.outlet.emit(subject, body);
  }

  private applyControl(runtime: SymbolRuntime, command: SimControlCommand): SimControlReply {
    const symbol = runtime.setup.symbol;
    const now = this.clock();
    switch (command.kind) {
      case "halt":
      case "resume-trading":
      case "close": {
        const status = MARKET_STATUS_OF[command.kind];
        this.handleEvents(this.engine.setStatus(symbol, status, now));
        return { ok: true, symbol, status };
      }
      case "stop-md":
        runtime.outlet.stopped = true;
        return { ok: true, symbol };
      case "start-md":
        if (runtime.outlet.stopped) {
          runtime.outlet.stopped = false;
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
        runtime.outlet.delayMs = command.ms;
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
      case "set-book": {
        const reply = setBook(this.controlContext(runtime), command.bids, command.asks);
        if (reply.ok) this.publishSnapshot(runtime);
        return reply.ok ? { ...reply, seq: runtime.feed.latestSeq() } : reply;
      }
      case "trade":
        return trade(this.controlContext(runtime), command.side, command.qty, command.px);
      case "fire-countdown":
        return this.applyFault(symbol, fireCountdown(this.engine, symbol, command.account, this.nextControlId(), now));
      case "foreign-order":
        return this.applyFault(symbol, placeForeignOrder(this.engine, symbol, command.order, `EXT-${this.nextControlId()}`, now));
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
          marketDataStopped: runtime.outlet.stopped,
          marketDataDelayMs: runtime.outlet.delayMs,
          ordersSilent: runtime.ordersSilent,
        };
    }
  }

  private applyFault(symbol: string, outcome: FaultOutcome): SimControlReply {
    this.handleEvents(outcome.events);
    return { ok: true, symbol, ...outcome.details };
  }

  private controlContext(runtime: SymbolRuntime): BookControlContext {
    return {
      engine: this.engine,
      setup: runtime.setup,
      simulatorAccounts: this.simulatorAccounts,
      now: this.clock(),
      apply: (events) => this.handleEvents(events),
      nextControlId: () => this.nextControlId(),
      pauseDriver: () => (runtime.driverPaused = true),
    };
  }

  private nextControlId(): string {
    return `${this.runId}-control-${++this.controlCounter}`;
  }
}

function optionalDecimal(value: Big | undefined): string | null {
  return value === undefined ? null : decimalString(value);
}
