import type { MessagePort } from "node:worker_threads";
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import { formatIssues, type OrderIntent } from "@mms/contracts/runtime";
import { connectNats, publishIntent, readLatestCheckpoint, startExecutionReportFeed, StreamPublisher, watchConnectionStatus, type ExecutionReportFeed, type StatusWatch } from "@mms/nats-adapter";
import { describeSymbol, isConnected, nextTimerDueAt, quotesPresentNow, symbolFigures, type SymbolActorSettings, type SymbolActorState, type SymbolCommand, type SymbolEvent, type SymbolRiskReport } from "@mms/trading-core";
import type { Logger } from "@mms/logging";
import { extractTraceContext, injectTraceContext, readTraceHeaders, type Context } from "@mms/telemetry";
import { performance } from "node:perf_hooks";
import { workerClosingMs, withinMs } from "./shutdown-budget";
import { ActorTimer } from "./actor-timer";
import { AuditEventStore } from "./audit-event-store";
import { MarketDataIntake } from "./market-data-intake";
import { sendCancelAll } from "./cancel-all-sender";
import { NewOrderGate } from "./new-order-gate";
import { SymbolObservability } from "./symbol-observability";
import { InputRecorder } from "./recording";
import { SymbolStepper } from "./symbol-stepper";
import { WorkerProgress } from "./worker-progress";
import type { RiskToSymbol, SymbolToCoordinator, SymbolToRisk, SymbolWorkerData } from "./thread-protocol";

export const RUNTIME_TIMINGS = {
  /**
   * How often the worker looks whether its status changed (then sends it, with fresh gauges);
   * also its proof of life for the supervisor when nothing else happens, and its loop-delay sample.
   */
  statusCheckMs: 1000,
  /** A status is sent at least this often even when nothing but time moved (order ages). */
  statusRefreshMs: 10_000,
  intentAckTimeoutMs: 2000,
  /** Pending market-data messages before nats.js flags the subscription a slow consumer. */
  slowConsumerPending: 20_000,
  /** Market data queued for the actor beyond this: deltas and trades are dropped and the actor pauses (BUS_LAG). */
  maxQueuedMarketData: 20_000,
  /** Audit events held while the bus is away or not yet connected; beyond this the oldest are dropped (counted and logged). */
  maxHeldEvents: 10_000,
} as const;


const monotonicNow = (): number => performance.now();
const TIMER_EVENT: SymbolEvent = Object.freeze({ kind: "TIMER" });


/** A countdown refresh (its intent and that intent's audit event) or a risk report: nothing the status shows. */
function keepsTimeOnly(command: SymbolCommand): boolean {
  if (command.kind === "RISK_REPORT") return true;
  if (command.kind === "SEND_INTENT") return command.intent.kind === "COUNTDOWN";
  return command.kind === "EMIT_EVENT" && command.event.type === "intent" && command.event.intent.kind === "COUNTDOWN";
}

/**
 * The shell around one symbol actor: it owns the symbol's NATS connection, turns every
 * input into an actor event, and carries out the actor's commands. All decisions are in
 * `stepSymbol`; nothing here decides.
 */
export class SymbolRuntime {
  private readonly actor: SymbolActorState;
  private readonly stepper: SymbolStepper;
  private readonly symbol: string;
  private readonly instance: string;
  private connection: NatsConnection | undefined;
  private jetStream: JetStreamClient | undefined;
  /** Intents and audit events: JetStream publishes whose acks share one subscription. */
  private publisher: StreamPublisher | undefined;
  private feed: ExecutionReportFeed | undefined;
  private statusWatch: StatusWatch | undefined;
  private readonly timer: ActorTimer;
  private statusTimer: ReturnType<typeof setInterval> | undefined;
  /** Something other than a quiet TIMER step happened since the last STATUS_UPDATE. */
  private statusChanged = true;
  private lastStatusAt = Number.NEGATIVE_INFINITY;
  private lastMarketStatus: string | undefined;
  private lastQueueDepth = -1;
  private readonly progress: WorkerProgress;
  private readonly marketData: MarketDataIntake;
  /** Reused by every step: no closure or object per message. */
  private readonly moment: { at: number; readonly quotesPresent: () => boolean } = { at: 0, quotesPresent: () => quotesPresentNow(this.actor) };
  private riskPort: MessagePort | undefined;
  private lastRiskReport: SymbolRiskReport | undefined;
  private lastRiskReportAt = Number.NEGATIVE_INFINITY;
  private recorder: InputRecorder | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopping = false;
  private readonly newOrderGate: NewOrderGate;
  private readonly events: AuditEventStore;
  /** Replayed reports not yet added to the progress metric (an integer per report, the metric once a second). */
  private replayedUncounted = 0;

  constructor(
    private readonly data: SymbolWorkerData,
    private readonly post: (message: SymbolToCoordinator) => void,
    private readonly logger: Logger,
    private readonly observability: SymbolObservability = new SymbolObservability(data.symbol.symbol, undefined, false),
    private readonly clock: () => number = Date.now,
  ) {
    this.symbol = data.symbol.symbol;
    this.instance = data.service.instanceName;
    this.newOrderGate = new NewOrderGate(data.newOrderGate);
    this.progress = new WorkerProgress(data.progress);
    this.marketData = new MarketDataIntake({
      symbol: this.symbol,
      slowConsumerPending: RUNTIME_TIMINGS.slowConsumerPending,
      maxQueued: RUNTIME_TIMINGS.maxQueuedMarketData,
      dispatch: (event, parent, receivedAt) => this.dispatch(event, parent, receivedAt),
      received: () => this.progress.advance(),
      traceParentOf: (headers) => this.traceParentOf(headers),
      lag: (ageMs) => this.observability.marketDataReceived(ageMs),
      clock,
      logger,
    });
    this.events = new AuditEventStore({
      symbol: this.symbol,
      publisher: () => this.publisher,
      connected: () => isConnected(this.actor),
      stopping: () => this.stopping,
      publishTimeoutMs: RUNTIME_TIMINGS.intentAckTimeoutMs,
      maxHeld: RUNTIME_TIMINGS.maxHeldEvents,
      track: (promise) => this.track(promise),
      logger,
      onHeldChanged: (held) => this.observability.auditEventsHeld(held),
      onDropped: () => this.observability.auditEventDropped(),
    });
    const settings: SymbolActorSettings = {
      config: data.symbol,
      account: data.service.account,
      maxLagMs: data.service.risk.maxLagMs,
      rejectStorm: data.service.risk.rejectStorm,
      maxOrderNotional: data.service.risk.maxOrderNotional,
      idPrefix: `MM-${data.runId}-${this.symbol}`,
      leaseRequired: data.leaseRequired,
      // Control messages can arrive before the connection is up: their events wait for it.
      connectedAtStart: false,
    };
    this.stepper = new SymbolStepper(settings, this.instance, data.lastEventSeq ?? 0);
    this.actor = this.stepper.actor;
    this.timer = new ActorTimer({ dueAt: () => nextTimerDueAt(this.actor), fire: () => this.dispatch(TIMER_EVENT), clock });
    if (data.recordingPath) this.recorder = new InputRecorder(data.recordingPath, { kind: "HEADER", version: 1, instance: this.instance, settings, startedAt: clock() });
  }

  async start(): Promise<void> {
    const connection = await connectNats({ ...this.data.service.nats, name: `${this.instance}-${this.symbol}` });
    this.connection = connection;
    this.jetStream = jetstream(connection);
    this.publisher = new StreamPublisher(connection);
    this.statusWatch = watchConnectionStatus(connection, (status) => {
      if (status.kind === "DISCONNECTED") this.dispatch({ kind: "CONNECTION_LOST" });
      else if (status.kind === "RECONNECTED") {
        // The feed's consumer may have been on the server that went away: nats.js would wait on it.
        this.feed?.restart("connection restored");
        this.onReconnected();
      }
      else if (status.kind === "SLOW_CONSUMER") this.dispatch({ kind: "SLOW_CONSUMER" });
      else if (status.kind === "ERROR") this.logger.warn("NATS client error", { error: status.error.message });
    });
    this.marketData.subscribe(connection);
    // The first connection: the actor is connected from here (it asks for a snapshot), and
    // the events of anything handled before it are stored.
    this.onReconnected();
    const fromSequence = await this.restoreCheckpoint(connection);
    this.feed = startExecutionReportFeed(this.jetStream, {
      account: this.data.service.account,
      symbol: this.symbol,
      fromSequence,
      onReport: (delivery) => {
        if (delivery.replay) this.replayedUncounted++;
        const { account, symbol } = delivery.report;
        // A report whose body names another account or symbol than its subject is not ours to apply.
        if (account !== this.data.service.account || symbol !== this.symbol) {
          this.dispatch({ kind: "EXECUTION_REPORT_INVALID", subject: delivery.subject, issues: `/account and /symbol are ${account} ${symbol}, not ${this.data.service.account} ${this.symbol} of the subject` });
          return;
        }
        this.dispatch({ kind: "EXECUTION_REPORT", report: delivery.report, replay: delivery.replay, streamSequence: delivery.streamSequence }, this.traceParentOf(delivery.headers));
      },
      onCaughtUp: (info) => {
        this.logger.info("execution history replayed", { replayed: info.replayedCount, fromSequence, streamFirstSequence: info.streamFirstSequence, streamLastSequence: info.streamLastSequence });
        this.countReplayed();
        this.dispatch({ kind: "RECOVERY_COMPLETE", streamFirstSequence: info.streamFirstSequence });
        this.post({ kind: "RECOVERED", symbol: this.symbol });
      },
      onInvalid: (issues, subject) => this.dispatch({ kind: "EXECUTION_REPORT_INVALID", subject, issues: formatIssues(issues) }),
      onStatus: (status) => {
        if (status.kind === "WAITING_FOR_STREAM") this.logger.warn("waiting for the EXEC stream", { attempt: status.attempt });
        else if (status.kind === "HANDLER_FAILED") this.logger.error("execution report handler failed", { error: String(status.error) });
        else if (status.kind === "RESTARTING") this.logger.warn("execution report consumer replaced", { fromSequence: status.fromSequence, cause: status.message });
        else if (status.kind === "CONSUMER_NOTICE") this.logger.info("execution report consumer notice", { notice: status.notice });
      },
    });
    this.timer.start();
    this.statusTimer = setInterval(() => {
      // Proof of life at idle: a worker stuck in a loop runs no interval either.
      this.progress.advance();
      this.reportStatus(false);
      this.observability.statusChecked(RUNTIME_TIMINGS.statusCheckMs);
    }, RUNTIME_TIMINGS.statusCheckMs);
    this.post({ kind: "STARTED", symbol: this.symbol });
  }

  /** The latest checkpoint goes into the actor; the EXEC replay starts after it (from 1 without one). */
  private async restoreCheckpoint(connection: NatsConnection): Promise<number> {
    const latest = await readLatestCheckpoint(await jetstreamManager(connection), this.symbol, this.data.service.account);
    if (latest.kind === "OTHER_ACCOUNT") this.logger.warn("newest checkpoint belongs to another account: replaying EXEC from the start", { account: latest.account });
    if (latest.kind === "INVALID") this.logger.warn("stored checkpoint fails its schema: replaying EXEC from the start", { streamSequence: latest.streamSequence, issues: formatIssues(latest.issues) });
    if (latest.kind !== "FOUND") return 1;
    const { position, avgEntryPx, realizedPnl, fees, execSeq } = latest.checkpoint;
    this.dispatch({ kind: "CHECKPOINT_RESTORED", checkpoint: { position, avgEntryPx, realizedPnl, fees, execSeq } });
    return execSeq + 1;
  }

  attachRiskPort(port: MessagePort): void {
    this.riskPort = port;
    port.on("message", (message: RiskToSymbol) => {
      if (message.kind === "ACTOR_EVENT") this.dispatch(message.event, this.tracing ? extractTraceContext(message.traceCarrier) : undefined);
    });
  }

  status() {
    return describeSymbol(this.actor, this.clock());
  }

  private get tracing(): boolean {
    return this.observability.tracingEnabled;
  }

  /** The sender's trace context from message headers; only read while tracing is on. */
  private traceParentOf(headers: { get(key: string): string } | undefined): Context | undefined {
    return this.tracing && headers ? readTraceHeaders({ get: (key) => headers.get(key), set: () => undefined }) : undefined;
  }

  /** Receives a message from the coordinator; its trace context, if any, becomes the parent. */
  dispatchFromCoordinator(event: SymbolEvent, carrier: Readonly<Record<string, string>> | undefined): void {
    this.dispatch(event, this.tracing && carrier ? extractTraceContext(carrier) : undefined);
  }

  /** Every input passes here: recorded, stepped, and its commands carried out in order. */
  dispatch(event: SymbolEvent, parent?: Context, receivedAt: number = performance.now()): void {
    // Progress for the supervisor: a worker busy on a flood keeps counting.
    this.progress.advance();
    if (this.tracing) this.observability.traced(event, parent, () => this.step(event, receivedAt));
    else this.step(event, receivedAt);
  }

  private step(event: SymbolEvent, receivedAt: number): void {
    const now = this.clock();
    this.recorder?.record(now, event);
    let output: ReturnType<SymbolStepper["step"]>;
    try {
      output = this.stepper.step(event, now);
      if (event.kind === "CONTROL" && event.command === "kill") this.newOrderGate.killHandled();
    } catch (error) {
      // A bug in the actor must not leave orders resting: let the coordinator see a dead worker.
      this.logger.error("symbol actor failed", { error: (error as Error).stack ?? String(error), event: event.kind });
      throw error;
    }
    let eventIndex = 0;
    for (const command of output.commands) {
      if (command.kind === "EMIT_EVENT") this.events.publish(output.events[eventIndex++]!);
      else this.execute(command);
    }
    if (eventIndex > 0) this.progress.recordEventSeq(this.stepper.lastEventSeq);
    if (!this.changedNothingShown(event, output.commands)) this.statusChanged = true;
    this.moment.at = now;
    this.observability.stepped(event, output, receivedAt, monotonicNow, this.moment);
    this.timer.arm();
  }

  /**
   * A step that changes nothing the status shows (but time itself): a TIMER that only kept
   * the countdown and the risk report going (neither is in the status), or while ACTIVE (no
   * resume blockers to show) a heartbeat repeating the market status that decided nothing.
   */
  private changedNothingShown(event: SymbolEvent, commands: readonly SymbolCommand[]): boolean {
    if (event.kind === "TIMER") return commands.every(keepsTimeOnly);
    if (event.kind !== "MARKET_STATUS") return false;
    const repeated = event.status.status === this.lastMarketStatus;
    this.lastMarketStatus = event.status.status;
    return repeated && commands.length === 0 && this.actor.state.name === "ACTIVE";
  }

  private execute(command: Exclude<SymbolCommand, { kind: "EMIT_EVENT" }>): void {
    switch (command.kind) {
      case "SEND_INTENT":
        return this.sendIntent(command.intent);
      case "REQUEST_SNAPSHOT":
        return this.marketData.requestSnapshot();
      case "CONTROL_RESULT":
        return this.post({ kind: "CONTROL_RESULT", symbol: this.symbol, requestId: command.requestId, result: command.result });
      case "RISK_REPORT":
        return this.sendRiskReport(command.report);
      case "LOG":
        return this.logger.log(command.level, command.message, command.fields);
    }
  }

  /**
   * The actor reports four times a second; the risk actor keeps only each symbol's latest
   * figures, so a report equal to the last one sent is not sent again (an idle symbol sends
   * none), except every statusRefreshMs in case one was lost.
   */
  private sendRiskReport(report: SymbolRiskReport): void {
    const port = this.riskPort;
    if (!port) return;
    const last = this.lastRiskReport;
    const now = this.clock();
    if (last && last.position === report.position && last.exposure === report.exposure && last.equity === report.equity && now - this.lastRiskReportAt < RUNTIME_TIMINGS.statusRefreshMs) return;
    this.lastRiskReport = report;
    this.lastRiskReportAt = now;
    port.postMessage({ kind: "SYMBOL_RISK", symbol: this.symbol, report } satisfies SymbolToRisk);
  }

  private sendIntent(intent: OrderIntent): void {
    const publisher = this.publisher;
    if (!publisher) return;
    if (intent.kind === "NEW" && this.newOrderGate.closed) return this.logger.warn("NEW withheld: a stop has begun", { intentId: intent.intentId });
    // Inside the publish span, the intent's `traceparent` names that span, so the exchange
    // can continue the trace.
    const publish = this.observability
      .publishSpan(intent, () => {
        const options = { timeoutMs: RUNTIME_TIMINGS.intentAckTimeoutMs, ...(this.tracing ? { headers: injectTraceContext() } : {}) };
        // A stop must not be lost to a missing ack: a CANCEL_ALL is sent again until acknowledged.
        if (intent.kind !== "CANCEL_ALL") return publishIntent(publisher, intent, options);
        return sendCancelAll(publisher, intent, options, { stopped: () => this.connection?.isClosed() ?? true, resent: () => this.observability.cancelAllResent(), track: (sending) => this.track(sending), logger: this.logger });
      })
      .then((result) => {
        if (result.kind === "ACKED") this.observability.intentAcknowledged(intent);
        else if (!this.stopping) this.dispatch({ kind: "SUBMISSION_FAILED", intent, reason: `${result.reason}: ${result.message}` });
        else this.logger.warn("intent not acknowledged during shutdown", { intentId: intent.intentId, reason: result.reason });
      });
    this.track(publish);
  }

  private onReconnected(): void {
    this.dispatch({ kind: "CONNECTION_RESTORED" });
    this.events.flush();
  }

  /** Until nothing is in flight, including what settling work starts (held events go one by one). */
  private async settleInFlight(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private countReplayed(): void {
    this.observability.reportsReplayed(this.replayedUncounted);
    this.replayedUncounted = 0;
  }

  /**
   * Every statusCheckMs: the status goes to the coordinator, and the gauges are refreshed,
   * only when a step changed something (or statusRefreshMs passed): an idle symbol costs
   * next to nothing. `mms.status` asks the actor itself; this is what is shown when it cannot answer.
   */
  private reportStatus(force: boolean): void {
    // Held events are retried here too: a publish can fail without a disconnect.
    if (!this.stopping) this.events.flush();
    this.countReplayed();
    const queue = this.marketData.takeFigures();
    if (queue.deepest !== this.lastQueueDepth || queue.dropped > 0) {
      this.lastQueueDepth = queue.deepest;
      this.observability.marketDataQueued(queue.deepest, queue.dropped);
    }
    const now = this.clock();
    if (!force && !this.statusChanged && now - this.lastStatusAt < RUNTIME_TIMINGS.statusRefreshMs) return;
    this.statusChanged = false;
    this.lastStatusAt = now;
    const status = describeSymbol(this.actor, now);
    this.moment.at = now;
    this.observability.snapshot(status, symbolFigures(this.actor), this.moment);
    this.post({ kind: "STATUS_UPDATE", symbol: this.symbol, status });
  }

  /**
   * Cancels everything, waits for the acks, then closes the connection: all of it within
   * `timeoutMs` (the worker's share of the one shutdown deadline), whatever NATS does.
   */
  async shutdown(timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    const left = (): number => deadline - performance.now();
    const after = (delayMs: number, task: () => void) => void setTimeout(task, delayMs).unref();
    this.dispatch({ kind: "SHUTDOWN" });
    this.events.flush();
    this.stopping = true;
    this.timer.stop();
    await withinMs(this.settleInFlight(), left() - workerClosingMs(timeoutMs), after);
    const unsettled = this.inFlight.size;
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.reportStatus(true);
    this.statusWatch?.stop();
    this.marketData.unsubscribe();
    if (this.feed) await withinMs(this.feed.stop(), left() / 2, after);
    if (this.connection && (await withinMs(this.connection.drain(), left(), after)) === "TIMEOUT") void this.connection.close().catch(() => undefined);
    await this.recorder?.close();
    return unsettled;
  }
}
