import { NewOrderGate } from "../new-order-gate";
import { WorkerProgress } from "../worker-progress";
import { subjects, type ControlResult, type ServiceConfig, type StatusReply, type SymbolStatus } from "@mms/contracts/runtime";
import type { Logger } from "@mms/logging";
import { createMetrics, type MetricsRegistry } from "@mms/telemetry";
import { newRunId } from "../run-id";
import { shutdownBudget } from "../shutdown-budget";
import { THREAD_PROTOCOL_VERSION, type SymbolWorkerData } from "../thread-protocol";
import { createSystemScheduler, systemClock, type Clock, type Scheduler } from "./clock";
import { ControlRouter } from "./control-router";
import { onInstanceControl } from "./instance-drain";
import { LeaseWiring } from "./lease-wiring";
import { CoordinatorNats } from "./nats-link";
import { RequestTracker } from "./request-tracker";
import { RiskWorkerLink } from "./risk-link";
import { shutDown } from "./shutdown";
import { collectStatus, readinessOf, type Readiness } from "./status-service";
import { handleSymbolMessage } from "./symbol-messages";
import { lastEventSeqOf, SymbolSlots, type SymbolSlot } from "./symbol-slots";
import { SymbolVoice } from "./symbol-voice";
import { DEFAULT_SUPERVISOR_OPTIONS, Supervisor, type WorkerFailure } from "./supervisor";
import { WorkerFailureResponse } from "./worker-failure-response";
import { SymbolWorkerPool } from "./worker-pool";

const encoder = new TextEncoder();

export interface ServiceOptions {
  readonly logger: Logger;
  /** Use the MMS_OWNERS leases (default true). Off only for single-instance tests. */
  readonly useLeases?: boolean;
  /** Record every symbol actor's inputs into this folder, one file per symbol. */
  readonly recordingDirectory?: string;
  /** A worker without progress (no step taken, nothing sent) for this long is taken as dead. */
  readonly workerSilenceMs?: number;
  /** A worker not started yet is judged only after this long (workers still load through tsx). */
  readonly workerStartGraceMs?: number;
  readonly controlReplyTimeoutMs?: number;
  /** Symbol workers loading at the same time (default four per core). */
  readonly workersStartingAtOnce?: number;
  /** Spans for control commands are made when tracing was started in this thread. */
  readonly tracing?: boolean;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
}

export interface ServiceHandle {
  /** Unique to this run of the process: instance name plus run id. */
  readonly instance: string;
  readonly runId: string;
  status(): Promise<StatusReply>;
  isReady(): Readiness;
  /** Kills a symbol's worker thread: what a crash looks like to the coordinator. */
  terminateWorker(symbol: string): Promise<void>;
  stop(): Promise<void>;
  readonly stopped: Promise<void>;
}

/**
 * The coordinator: loads nothing and decides nothing about quoting. It wires the parts that
 * give each symbol actor a worker thread, hold the ownership leases, route control and
 * status, and supervise: a dead or silent worker's symbol is cancelled and HALTED.
 */
export class Coordinator implements ServiceHandle {
  readonly runId = newRunId();
  readonly instance: string;
  /** Every metric of the process, fed by the workers' METRICS messages. */
  readonly metrics: MetricsRegistry = createMetrics();
  private readonly slots: SymbolSlots;
  private readonly scheduler: Scheduler;
  private readonly clock: Clock;
  private readonly nats: CoordinatorNats;
  private readonly risk: RiskWorkerLink;
  private readonly leases: LeaseWiring | undefined;
  private readonly voice: SymbolVoice;
  private readonly failures: WorkerFailureResponse;
  /** One per running worker, by symbol (a restarted worker gets a fresh one). */
  private readonly newOrderGates = new Map<string, NewOrderGate>();
  private readonly supervisor: Supervisor;
  private readonly pool: SymbolWorkerPool;
  private readonly controlRequests: RequestTracker<ControlResult>;
  private readonly statusRequests: RequestTracker<SymbolStatus>;
  private readonly control: ControlRouter;
  private stopping: Promise<void> | undefined;
  private resolveStopped!: () => void;
  readonly stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));

  constructor(
    private readonly config: ServiceConfig,
    private readonly options: ServiceOptions,
  ) {
    const { logger } = options;
    const clock = options.clock ?? systemClock;
    this.scheduler = options.scheduler ?? createSystemScheduler();
    this.clock = clock;
    this.instance = `${config.instanceName}-${this.runId}`;
    this.slots = new SymbolSlots(config.symbols, clock.now());
    // Every known series exists at zero from the start: a first trigger is a step a rate() sees.
    for (const slot of this.slots.all()) this.metrics.declareSymbol(slot.symbol);
    this.nats = new CoordinatorNats(logger, this.metrics);
    this.risk = new RiskWorkerLink(logger);
    this.leases = (options.useLeases ?? true) ? new LeaseWiring(this.slots, { instanceName: config.instanceName, leaseMs: config.leaseMs }, logger) : undefined;
    this.voice = new SymbolVoice({ runId: this.runId, instance: this.instance, account: config.account, publisher: () => this.nats.publisher, closed: () => this.nats.closed, leasesInUse: () => this.leases?.inUse ?? false, resent: (symbol) => this.metrics.add("cancel_all_resends", 1, { symbol }), clock, logger });
    this.failures = new WorkerFailureResponse(this.voice, this.metrics, clock, logger);
    const supervision = { ...DEFAULT_SUPERVISOR_OPTIONS, ...(options.workerSilenceMs !== undefined ? { silenceMs: options.workerSilenceMs } : {}), ...(options.workerStartGraceMs !== undefined ? { workerStartGraceMs: options.workerStartGraceMs } : {}) };
    this.supervisor = new Supervisor(supervision, clock, this.scheduler, (symbol, failure) => this.onWorkerFailed(symbol, failure));
    this.controlRequests = new RequestTracker(this.scheduler, `${this.runId}-`);
    this.statusRequests = new RequestTracker(this.scheduler, `${this.runId}-s`);
    this.pool = new SymbolWorkerPool({
      ...(options.workersStartingAtOnce !== undefined ? { maxConcurrentStarts: options.workersStartingAtOnce } : {}),
      workerData: (slot) => this.symbolWorkerData(slot),
      connectRisk: (symbol, port) => this.risk.connectSymbol(symbol, port),
      onSpawned: (slot) => {
        const progress = slot.progress;
        this.supervisor.watch(slot.symbol, progress ? () => progress.read() : undefined);
      },
      onMessage: (slot, message) => handleSymbolMessage(slot, message, { supervisor: this.supervisor, pool: this.pool, controlRequests: this.controlRequests, statusRequests: this.statusRequests, metrics: this.metrics, logger }),
      onError: (slot, error) => {
        logger.error("symbol worker crashed", { symbol: slot.symbol, error: error.stack ?? error.message });
        this.supervisor.errored(slot.symbol, error.message);
      },
      onExit: (slot, exitCode) => {
        slot.shutdownComplete?.();
        if (!this.stopping) this.supervisor.exited(slot.symbol, exitCode);
      },
    });
    this.control = new ControlRouter({
      slots: this.slots,
      requests: this.controlRequests,
      risk: this.risk,
      voice: this.voice,
      restart: (slot) => this.restartSymbolWorker(slot),
      killing: (symbols) => this.killAtOnce(symbols),
      replyTimeoutMs: options.controlReplyTimeoutMs ?? 2000,
      tracing: options.tracing ?? false,
      logger,
      instance: this.instance,
      instanceCommand: (message, name, command) =>
        void onInstanceControl(message, name, command, { instanceName: config.instanceName, instance: this.instance, slots: this.slots, control: this.control, leases: this.leases, logger }).catch((error: unknown) => logger.warn("instance command not handled", { command, error: String(error) })),
    });
  }

  async start(): Promise<void> {
    const { logger } = this.options;
    const jetStream = await this.nats.open(this.config.nats, `${this.instance}-coordinator`);
    this.risk.start({ protocolVersion: THREAD_PROTOCOL_VERSION, risk: this.config.risk, instanceName: this.instance, logging: this.config.logging }, (code) => this.onRiskWorkerExit(code));
    this.pool.enqueue(this.slots.all());
    await this.nats.serve({
      instance: this.instance,
      endpoints: [
        { name: "control", subject: subjects.controlWildcard, handle: (message) => this.control.onControl(message) },
        { name: "status", subject: subjects.statusRequest, handle: (message) => void this.status().then((reply) => message.reply && message.respond(encoder.encode(JSON.stringify(reply)))) },
      ],
    });
    await this.leases?.start(jetStream);
    this.supervisor.start();
    logger.info("market maker started", { run: this.runId, symbols: this.slots.symbols(), leases: this.leases !== undefined });
  }

  status(): Promise<StatusReply> {
    return collectStatus(this.instance, this.slots, this.statusRequests);
  }

  isReady(): Readiness {
    return readinessOf(this.slots, { natsConnected: this.nats.connected, stopping: this.stopping !== undefined });
  }

  async terminateWorker(symbol: string): Promise<void> {
    await this.slots.get(symbol)?.worker?.terminate();
  }

  stop(): Promise<void> {
    // Before any message: a worker busy with market data must not send one more NEW.
    for (const gate of this.newOrderGates.values()) gate.closeForShutdown();
    this.stopping ??= shutDown({ slots: this.slots, pool: this.pool, supervisor: this.supervisor, risk: this.risk, leases: this.leases, nats: this.nats, scheduler: this.scheduler, clock: this.clock, logger: this.options.logger, shutdownTimeoutMs: this.config.shutdownTimeoutMs }).then(() => this.resolveStopped());
    return this.stopping;
  }

  private symbolWorkerData(slot: SymbolSlot): SymbolWorkerData {
    const { config, options } = this;
    const gate = new NewOrderGate();
    this.newOrderGates.set(slot.symbol, gate);
    // Read before the new worker's cells replace the last one's: it numbers on from there.
    const lastEventSeq = lastEventSeqOf(slot);
    slot.lastEventSeq = lastEventSeq;
    const progress = new WorkerProgress();
    slot.progress = progress;
    return {
      newOrderGate: gate.buffer,
      progress: progress.buffer,
      protocolVersion: THREAD_PROTOCOL_VERSION,
      service: { account: config.account, instanceName: this.instance, nats: config.nats, risk: config.risk, logging: config.logging },
      symbol: slot.config,
      // The ORDERS stream drops a repeated Nats-Msg-Id (intentId) as a duplicate, and MMS_EVENTS a
      // repeated event id: a restarted actor must neither reuse the ids nor restart the seq.
      runId: slot.restarts === 0 ? this.runId : `${this.runId}r${slot.restarts}`,
      lastEventSeq,
      leaseRequired: options.useLeases ?? true,
      recordingPath: options.recordingDirectory ? `${options.recordingDirectory}/${slot.symbol}.jsonl` : undefined,
      traceCarrier: undefined,
      // The worker's share of the one shutdown deadline; the coordinator keeps the rest.
      shutdownTimeoutMs: shutdownBudget(config.shutdownTimeoutMs).workerMs,
    };
  }

  /**
   * A kill for these symbols' actors is on its way. No NEW of theirs may go out from now on,
   * and this thread sends every symbol's CANCEL_ALL at once, before the actors hear of it:
   * on a small machine the last of 50 worker threads to wake would send its own far later.
   * The actors still halt and send theirs; a second CANCEL_ALL finds nothing left to cancel.
   */
  private killAtOnce(symbols: readonly string[]): void {
    for (const symbol of symbols) this.newOrderGates.get(symbol)?.closeForKill();
    for (const symbol of symbols) {
      const slot = this.slots.get(symbol);
      if (slot) void this.voice.cancelAll(slot, "MANUAL_KILL", "BESIDE_LIVE_ACTOR");
    }
  }

  private onWorkerFailed(symbol: string, failure: WorkerFailure): void {
    const slot = this.slots.get(symbol);
    if (!slot) return;
    // A silent worker may still be running: it must not send another order.
    if (failure.cause === "SILENT") void this.pool.drop(slot);
    // halt marks the slot HALTED before its first await: what waited for this actor is answered as such.
    void this.failures.halt(slot, failure);
    this.controlRequests.partyGone(symbol);
    this.statusRequests.partyGone(symbol);
  }

  /** A new actor for a symbol whose worker failed: it replays EXEC, cancels leftovers, waits PAUSED. */
  private restartSymbolWorker(slot: SymbolSlot): void {
    this.failures.prepareRestart(slot);
    this.pool.spawn(slot);
    this.leases?.tellCurrentOwnership(slot);
  }

  private onRiskWorkerExit(code: number): void {
    if (this.stopping) return;
    // Without the risk actor no global limit is watched: stop everything.
    this.options.logger.error("risk worker exited: halting every symbol", { code });
    for (const slot of this.slots.all()) this.slots.post(slot, { kind: "ACTOR_EVENT", symbol: slot.symbol, event: { kind: "CONTROL", requestId: "risk-worker-exit", command: "kill", body: undefined } });
  }
}
