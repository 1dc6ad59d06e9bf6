import { availableParallelism } from "node:os";
import { MessageChannel, type Worker } from "node:worker_threads";
import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import {
  ALL_SYMBOLS,
  CONTROL_COMMANDS,
  subjects,
  type AuditEventBody,
  type ControlReply,
  type ControlResult,
  type ServiceConfig,
  type StatusReply,
  type SymbolConfig,
  type SymbolStatus,
} from "@mms/contracts";
import { connectNats, ensureEventsStream, LeaseManager, publishIntent, watchConnectionStatus, type LeaseEvent, type StatusWatch } from "@mms/nats-adapter";
import type { Logger } from "@mms/logging";
import { createMetrics, injectTraceContext, readTraceHeaders, SpanKind, withSpan, type MetricsRegistry } from "@mms/telemetry";
import { EventStamper } from "./event-stamper";
import { newRunId } from "./run-id";
import type { CoordinatorToRisk, CoordinatorToSymbol, RiskToCoordinator, RiskWorkerData, SymbolToCoordinator, SymbolWorkerData } from "./thread-protocol";
import { ACTOR_RESOURCE_LIMITS, spawnWorker } from "./worker-spawn";

export interface ServiceOptions {
  readonly logger: Logger;
  /** Use the MMS_OWNERS leases (default true). Off only for single-instance tests. */
  readonly useLeases?: boolean;
  /** Record every symbol actor's inputs into this folder, one file per symbol. */
  readonly recordingDirectory?: string;
  /** A worker silent for this long is taken as dead. */
  readonly workerSilenceMs?: number;
  readonly controlReplyTimeoutMs?: number;
  /** Spans for control commands are made when tracing was started in this thread. */
  readonly tracing?: boolean;
}

export interface ServiceHandle {
  /** Unique to this run of the process: instance name plus run id. */
  readonly instance: string;
  readonly runId: string;
  status(): Promise<StatusReply>;
  isReady(): { ready: boolean; reasons: string[] };
  /** Kills a symbol's worker thread: what a crash looks like to the coordinator. */
  terminateWorker(symbol: string): Promise<void>;
  stop(): Promise<void>;
  readonly stopped: Promise<void>;
}

interface SymbolSlot {
  readonly config: SymbolConfig;
  worker: Worker | undefined;
  failed: boolean;
  started: boolean;
  recovered: boolean;
  lastStatus: SymbolStatus;
  lastHeartbeatAt: number;
  lastEventSeq: number;
  leaseHeld: boolean;
  shutdownComplete: (() => void) | undefined;
  /** Workers started after a failure: each gets its own id prefix. */
  restarts: number;
  /** Not spawned yet (start-up is staggered): messages for it wait here. */
  waitingToStart: boolean;
  readonly queued: CoordinatorToSymbol[];
}

interface PendingControl {
  readonly expected: Set<string>;
  readonly results: ControlResult[];
  readonly done: (results: ControlResult[]) => void;
}

interface PendingStatus {
  readonly expected: Set<string>;
  readonly statuses: Map<string, SymbolStatus>;
  readonly done: () => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function startupStatus(config: SymbolConfig): SymbolStatus {
  return { symbol: config.symbol, state: "PAUSED", reason: "STARTUP", mode: config.mode, position: "0", avgEntryPx: null, realizedPnl: "0", unrealizedPnl: "0", fees: "0", openOrders: [] };
}

/** Empty body: undefined; JSON: the value, flattened; anything else: the raw text (the actor refuses it). */
function controlBodyOf(message: Msg): unknown {
  if (message.data.byteLength === 0) return undefined;
  const text = decoder.decode(message.data);
  if (text.trim() === "") return undefined;
  try {
    return flatBody(JSON.parse(text) as unknown);
  } catch {
    return text;
  }
}

/**
 * A valid control body is one flat object of strings and a boolean, so a nested value becomes
 * null (still refused: INVALID_BODY). A body nested thousands deep would otherwise make
 * postMessage (structured clone) throw inside the NATS callback, which closes the connection:
 * no more control, not even kill.
 */
function flatBody(value: unknown): unknown {
  const flat = (field: unknown) => (typeof field === "object" && field !== null ? null : field);
  if (Array.isArray(value)) return value.map(flat);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, flat(field)]));
}

/**
 * The coordinator: loads nothing and decides nothing about quoting. It gives each symbol
 * actor a worker thread, holds the ownership leases, routes control and status, and
 * supervises: a dead or silent worker's symbol is cancelled and HALTED, never revived.
 */
export class Coordinator implements ServiceHandle {
  readonly runId = newRunId();
  readonly instance: string;
  private readonly slots = new Map<string, SymbolSlot>();
  private readonly pendingControls = new Map<string, PendingControl>();
  private readonly pendingStatuses = new Map<string, PendingStatus>();
  private connection: NatsConnection | undefined;
  private jetStream: JetStreamClient | undefined;
  private statusWatch: StatusWatch | undefined;
  private leases: LeaseManager | undefined;
  private riskWorker: Worker | undefined;
  private subscriptions: Subscription[] = [];
  private supervisor: ReturnType<typeof setInterval> | undefined;
  private requestCounter = 0;
  private intentCounter = 0;
  private natsConnected = false;
  private stopping: Promise<void> | undefined;
  private resolveStopped!: () => void;
  readonly stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));
  private readonly logger: Logger;
  /**
   * Loading a worker costs a second or two of CPU: spawning every symbol at once on a
   * small machine starves them all. At most one per core loads at a time.
   */
  private readonly startQueue: SymbolSlot[] = [];
  private readonly startingSlots = new Set<SymbolSlot>();
  /** Every metric of the process, fed by the workers' METRICS messages. */
  readonly metrics: MetricsRegistry = createMetrics();
  private riskWorkerAlive = false;

  constructor(
    private readonly config: ServiceConfig,
    private readonly options: ServiceOptions,
  ) {
    this.instance = `${config.instanceName}-${this.runId}`;
    this.logger = options.logger;
    for (const symbol of config.symbols) {
      this.slots.set(symbol.symbol, {
        config: symbol,
        worker: undefined,
        failed: false,
        started: false,
        recovered: false,
        lastStatus: startupStatus(symbol),
        lastHeartbeatAt: Date.now(),
        lastEventSeq: 0,
        leaseHeld: false,
        shutdownComplete: undefined,
        waitingToStart: true,
        queued: [],
        restarts: 0,
      });
    }
  }

  async start(): Promise<void> {
    const connection = await connectNats({ ...this.config.nats, name: `${this.instance}-coordinator` });
    this.connection = connection;
    this.natsConnected = true;
    this.metrics.set("nats_connected", 1);
    this.jetStream = jetstream(connection);
    this.statusWatch = watchConnectionStatus(connection, (status) => {
      if (status.kind === "DISCONNECTED") {
        this.natsConnected = false;
        this.metrics.set("nats_connected", 0);
        this.logger.warn("coordinator lost NATS", { server: status.server });
      } else if (status.kind === "RECONNECTED") {
        this.natsConnected = true;
        this.metrics.set("nats_connected", 1);
        this.logger.info("coordinator reconnected to NATS", { server: status.server });
      }
    });
    await ensureEventsStream(await jetstreamManager(connection));

    this.startRiskWorker();
    this.startQueue.push(...this.slots.values());
    this.startNextWorkers();

    this.subscriptions.push(connection.subscribe(subjects.controlWildcard, { callback: (error, message) => (error ? this.logger.warn("control subscription error", { error: error.message }) : this.onControl(message)) }));
    this.subscriptions.push(connection.subscribe(subjects.statusRequest, { callback: (error, message) => (error ? undefined : void this.onStatusRequest(message)) }));

    if (this.options.useLeases ?? true) {
      this.leases = await LeaseManager.open(this.jetStream, {
        symbols: [...this.slots.keys()],
        instanceName: this.config.instanceName,
        leaseMs: this.config.leaseMs,
        onEvent: (event) => this.onLeaseEvent(event),
        onError: (error, symbol) => this.logger.warn("lease renewal problem", { symbol, error: String(error) }),
      });
      await this.leases.start();
    }
    const silenceMs = this.options.workerSilenceMs ?? 3000;
    this.supervisor = setInterval(() => this.superviseWorkers(silenceMs), Math.min(500, silenceMs));
    this.logger.info("market maker started", { run: this.runId, symbols: [...this.slots.keys()], leases: this.leases !== undefined });
  }

  // Workers ------------------------------------------------------------------------

  private startRiskWorker(): void {
    const data: RiskWorkerData = { risk: this.config.risk, instanceName: this.instance, logging: this.config.logging };
    const worker = spawnWorker("risk-worker", data);
    worker.on("message", (message: RiskToCoordinator) => {
      if (message.kind === "BREACH") this.logger.log(message.reason ? "error" : "info", message.reason ? "global risk breach" : "global risk cleared", { reason: message.reason, detail: message.detail });
    });
    worker.on("error", (error) => this.logger.error("risk worker failed", { error: error.stack ?? error.message }));
    this.riskWorkerAlive = true;
    worker.on("exit", (code) => {
      this.riskWorkerAlive = false;
      if (!this.stopping) {
        // Without the risk actor no global limit is watched: stop everything.
        this.logger.error("risk worker exited: halting every symbol", { code });
        for (const slot of this.slots.values()) this.post(slot, { kind: "ACTOR_EVENT", event: { kind: "CONTROL", requestId: "risk-worker-exit", command: "kill", body: undefined } });
      }
    });
    this.riskWorker = worker;
  }

  private startSymbolWorker(slot: SymbolSlot): void {
    const symbol = slot.config.symbol;
    const data: SymbolWorkerData = {
      service: { account: this.config.account, instanceName: this.instance, nats: this.config.nats, risk: this.config.risk, logging: this.config.logging },
      symbol: slot.config,
      // The ORDERS stream drops a repeated Nats-Msg-Id (intentId) as a duplicate, and MMS_EVENTS a
      // repeated event id: a restarted actor must neither reuse the ids nor restart the seq.
      runId: slot.restarts === 0 ? this.runId : `${this.runId}r${slot.restarts}`,
      lastEventSeq: slot.lastEventSeq,
      leaseRequired: this.options.useLeases ?? true,
      recordingPath: this.options.recordingDirectory ? `${this.options.recordingDirectory}/${symbol}.jsonl` : undefined,
      traceCarrier: undefined,
      shutdownTimeoutMs: this.config.shutdownTimeoutMs,
    };
    const worker = spawnWorker("symbol-worker", data, ACTOR_RESOURCE_LIMITS);
    slot.worker = worker;
    slot.lastHeartbeatAt = Date.now();
    const channel = new MessageChannel();
    worker.postMessage({ kind: "RISK_PORT", port: channel.port1 } satisfies CoordinatorToSymbol, [channel.port1]);
    this.riskWorker?.postMessage({ kind: "SYMBOL_PORT", symbol, port: channel.port2 } satisfies CoordinatorToRisk, [channel.port2]);
    worker.on("message", (message: SymbolToCoordinator) => this.onSymbolMessage(slot, message));
    worker.on("error", (error) => this.logger.error("symbol worker crashed", { symbol, error: error.stack ?? error.message }));
    worker.on("exit", (code) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      this.workerLoaded(slot);
      slot.shutdownComplete?.();
      if (!this.stopping) void this.onWorkerFailed(slot, `worker exited with code ${code}`);
    });
  }

  private startNextWorkers(): void {
    const limit = Math.max(2, availableParallelism());
    while (this.startingSlots.size < limit && this.startQueue.length > 0 && !this.stopping) {
      const slot = this.startQueue.shift()!;
      this.startingSlots.add(slot);
      slot.waitingToStart = false;
      this.startSymbolWorker(slot);
      for (const message of slot.queued.splice(0)) slot.worker?.postMessage(message);
    }
  }

  private workerLoaded(slot: SymbolSlot): void {
    if (this.startingSlots.delete(slot)) this.startNextWorkers();
  }

  private onSymbolMessage(slot: SymbolSlot, message: SymbolToCoordinator): void {
    slot.lastHeartbeatAt = Date.now();
    switch (message.kind) {
      case "STARTED":
        slot.started = true;
        this.workerLoaded(slot);
        return;
      case "RECOVERED":
        slot.recovered = true;
        return;
      case "HEARTBEAT":
        slot.lastStatus = message.status;
        slot.lastEventSeq = Math.max(slot.lastEventSeq, message.lastEventSeq);
        return;
      case "EVENT_SEQ":
        slot.lastEventSeq = Math.max(slot.lastEventSeq, message.lastEventSeq);
        return;
      case "CONTROL_RESULT": {
        const pending = this.pendingControls.get(message.requestId);
        if (pending && pending.expected.delete(message.result.symbol)) {
          pending.results.push(message.result);
          if (pending.expected.size === 0) pending.done(pending.results);
        }
        slot.lastStatus = { ...slot.lastStatus, state: message.result.to };
        return;
      }
      case "STATUS": {
        slot.lastStatus = message.status;
        const pending = this.pendingStatuses.get(message.requestId);
        if (pending && pending.expected.delete(message.status.symbol)) {
          pending.statuses.set(message.status.symbol, message.status);
          if (pending.expected.size === 0) pending.done();
        }
        return;
      }
      case "METRICS":
        this.metrics.applyAll(message.samples);
        return;
      case "SHUTDOWN_COMPLETE":
        if (message.unsettledIntents > 0) this.logger.warn("symbol stopped with unacknowledged intents", { symbol: slot.config.symbol, unsettled: message.unsettledIntents });
        slot.shutdownComplete?.();
        return;
    }
  }

  private superviseWorkers(silenceMs: number): void {
    const now = Date.now();
    for (const slot of this.slots.values()) {
      // Loading a worker (and compiling it under tsx) takes a while: silence counts once it has started.
      const limit = slot.started ? silenceMs : Math.max(silenceMs, 60_000);
      if (slot.worker && !slot.failed && now - slot.lastHeartbeatAt > limit) {
        const worker = slot.worker;
        slot.worker = undefined;
        void worker.terminate();
        void this.onWorkerFailed(slot, `no heartbeat for ${now - slot.lastHeartbeatAt} ms`);
      }
    }
  }

  /** The coordinator speaks for a dead actor: cancel everything, HALTED, alert. Never revived. */
  private async onWorkerFailed(slot: SymbolSlot, detail: string): Promise<void> {
    if (slot.failed) return;
    slot.failed = true;
    const symbol = slot.config.symbol;
    this.metrics.add("worker_failures", 1, { symbol, reason: detail.startsWith("no heartbeat") ? "SILENT" : "EXITED" });
    this.metrics.set("symbol_state", 2, { symbol });
    const from = slot.lastStatus.state;
    this.logger.error("symbol worker failed: cancelling and halting", { symbol, reason: "WORKER_FAILED", detail });
    slot.lastStatus = { ...slot.lastStatus, state: "HALTED", reason: "WORKER_FAILED" };
    await this.cancelAllFor(slot, "WORKER_FAILED");
    const stamper = new EventStamper(symbol, this.instance, slot.lastEventSeq);
    const events: AuditEventBody[] = [
      { type: "state", from, to: "HALTED", reason: "WORKER_FAILED" },
      { type: "alert", reason: "WORKER_FAILED", from, to: "HALTED", message: `symbol worker failed: ${detail}` },
    ];
    for (const body of events) await this.publishEvent(stamper, body, slot.config.mode);
    slot.lastEventSeq = stamper.lastSeq;
  }

  private async cancelAllFor(slot: SymbolSlot, reason: string): Promise<void> {
    if (!this.jetStream || (this.leases && !slot.leaseHeld)) return;
    const symbol = slot.config.symbol;
    const stamper = new EventStamper(symbol, this.instance, slot.lastEventSeq);
    const intent = { kind: "CANCEL_ALL" as const, intentId: `MM-${this.runId}-${symbol}-C${++this.intentCounter}`, account: this.config.account, symbol, reason, ts: Date.now() };
    if (slot.lastStatus.mode === "live") {
      const result = await publishIntent(this.jetStream, intent, { timeoutMs: 2000 });
      if (result.kind === "FAILED") this.logger.error("cancel-all for a failed worker not acknowledged", { symbol, reason: result.reason, message: result.message });
    }
    await this.publishEvent(stamper, { type: "intent", shadow: slot.lastStatus.mode === "shadow", intent }, slot.lastStatus.mode);
    slot.lastEventSeq = stamper.lastSeq;
  }

  private async publishEvent(stamper: EventStamper, body: AuditEventBody, mode: "live" | "shadow"): Promise<void> {
    const event = stamper.stamp(body, Date.now(), mode);
    try {
      await this.jetStream?.publish(subjects.event(event.symbol, event.type), encoder.encode(JSON.stringify(event)), { timeout: 2000 });
    } catch (error) {
      this.logger.warn("audit event not stored", { symbol: event.symbol, type: event.type, error: (error as Error).message });
    }
  }

  /** A new actor for a symbol whose worker failed: it replays EXEC, cancels leftovers, waits PAUSED. */
  private restartSymbolWorker(slot: SymbolSlot): void {
    const symbol = slot.config.symbol;
    this.logger.warn("restarting a failed symbol worker after reset", { symbol });
    this.metrics.add("worker_restarts", 1, { symbol });
    slot.failed = false;
    slot.started = false;
    slot.recovered = false;
    slot.lastStatus = { ...startupStatus(slot.config), position: slot.lastStatus.position };
    slot.restarts += 1;
    this.startSymbolWorker(slot);
    if (this.leases) this.post(slot, { kind: "ACTOR_EVENT", event: { kind: "OWNERSHIP", status: slot.leaseHeld ? "HELD" : "OWNED_ELSEWHERE", ...(slot.leaseHeld ? {} : { owner: "unknown" }) } });
  }

  async terminateWorker(symbol: string): Promise<void> {
    const worker = this.slots.get(symbol)?.worker;
    if (worker) await worker.terminate();
  }

  private post(slot: SymbolSlot, message: CoordinatorToSymbol): boolean {
    if (slot.failed) return false;
    if (!slot.worker && slot.waitingToStart) {
      slot.queued.push(message);
      return true;
    }
    if (!slot.worker) return false;
    slot.worker.postMessage(message);
    return true;
  }

  // Leases -------------------------------------------------------------------------

  private onLeaseEvent(event: LeaseEvent): void {
    const slot = this.slots.get(event.symbol);
    if (!slot) return;
    slot.leaseHeld = event.kind === "ACQUIRED";
    this.logger.info("lease event", { symbol: event.symbol, lease: event.kind, owner: "owner" in event ? event.owner : this.config.instanceName });
    const status = event.kind === "ACQUIRED" ? "HELD" : event.kind === "LOST" ? "LOST" : "OWNED_ELSEWHERE";
    this.post(slot, { kind: "ACTOR_EVENT", event: { kind: "OWNERSHIP", status, ...("owner" in event && event.owner ? { owner: event.owner } : {}) } });
  }

  // Control and status -------------------------------------------------------------

  private onControl(message: Msg): void {
    try {
      this.traceControl(message);
    } catch (error) {
      // Never let a control message break the subscription (a throw here closes the connection).
      this.logger.warn("control message not handled", { subject: message.subject.slice(0, 200), error: String(error) });
      if (message.reply) message.respond(encoder.encode(JSON.stringify({ ok: false, results: [], error: `not handled: ${String(error)}` } satisfies ControlReply)));
    }
  }

  private traceControl(message: Msg): void {
    const tokens = message.subject.split(".");
    if (tokens.length !== 4) return;
    if (!this.options.tracing) return this.routeControl(message, tokens[2]!, tokens[3]!, undefined);
    // A span per command; its context travels to the actors inside the message.
    const parent = message.headers ? readTraceHeaders({ get: (key) => message.headers!.get(key), set: () => undefined }) : undefined;
    withSpan(`mms.control.${tokens[3]!.slice(0, 32)}`, { "mms.control.target": tokens[2]!, "mms.control.command": tokens[3]! }, () => this.routeControl(message, tokens[2]!, tokens[3]!, injectTraceContext()), {
      ...(parent ? { parent } : {}),
      kind: SpanKind.SERVER,
    });
  }

  private routeControl(message: Msg, target: string, command: string, traceCarrier: Record<string, string> | undefined): void {
    const body = controlBodyOf(message);
    const targets = target === ALL_SYMBOLS ? [...this.slots.values()] : this.slots.has(target) ? [this.slots.get(target)!] : [];
    // A symbol this instance does not run: another instance may, so stay silent.
    if (targets.length === 0) return;
    const requestId = `${this.runId}-${++this.requestCounter}`;
    const live = targets.filter((slot) => (slot.worker || slot.waitingToStart) && !slot.failed);
    const dead = targets.filter((slot) => !live.includes(slot));

    const collected = new Promise<ControlResult[]>((resolve) => {
      const pending: PendingControl = { expected: new Set(live.map((slot) => slot.config.symbol)), results: [], done: resolve };
      this.pendingControls.set(requestId, pending);
      if (pending.expected.size === 0) resolve([]);
      setTimeout(() => resolve(pending.results), this.options.controlReplyTimeoutMs ?? 2000).unref();
    });
    const carrier = traceCarrier ? { traceCarrier } : {};
    // `all` goes through the risk actor; should it be gone, straight to every actor.
    if (target === ALL_SYMBOLS && this.riskWorkerAlive) this.riskWorker?.postMessage({ kind: "CONTROL_ALL", requestId, command, body, ...carrier } satisfies CoordinatorToRisk);
    else for (const slot of live) this.post(slot, { kind: "ACTOR_EVENT", event: { kind: "CONTROL", requestId, command, body }, ...carrier });

    void Promise.all([collected, Promise.all(dead.map((slot) => this.controlDeadSymbol(slot, command, body)))]).then(([results, deadResults]) => {
      this.pendingControls.delete(requestId);
      const all = [...results, ...deadResults];
      for (const slot of live) {
        if (!all.some((result) => result.symbol === slot.config.symbol)) all.push({ symbol: slot.config.symbol, from: slot.lastStatus.state, to: slot.lastStatus.state, accepted: false, reason: "NO_ANSWER" });
      }
      if (message.reply) {
        const known = (CONTROL_COMMANDS as readonly string[]).includes(command);
        const reply: ControlReply = known ? { ok: all.every((result) => result.accepted), results: all } : { ok: false, results: all, error: `unknown command "${command}"; known: ${CONTROL_COMMANDS.join(", ")}` };
        message.respond(encoder.encode(JSON.stringify(reply)));
      }
    });
  }

  /**
   * A dead worker's symbol stays HALTED: kill and pause re-send the cancel; `reset` (a
   * human's acknowledgement) starts a fresh worker, which recovers and waits PAUSED.
   */
  private async controlDeadSymbol(slot: SymbolSlot, command: string, body: unknown): Promise<ControlResult> {
    const symbol = slot.config.symbol;
    const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
    const operator = typeof fields.operator === "string" && fields.operator !== "" ? fields.operator : null;
    const operatorReason = typeof fields.reason === "string" && fields.reason.trim() !== "" ? fields.reason : null;
    if (command === "reset" && operator && operatorReason) {
      const stamper = new EventStamper(symbol, this.instance, slot.lastEventSeq);
      await this.publishEvent(stamper, { type: "control", command, operator, operatorReason, accepted: true, refusal: null, from: "HALTED", to: "PAUSED" }, slot.config.mode);
      slot.lastEventSeq = stamper.lastSeq;
      this.restartSymbolWorker(slot);
      return { symbol, from: "HALTED", to: "PAUSED", accepted: true };
    }
    if (command === "kill" || command === "pause") await this.cancelAllFor(slot, command === "kill" ? "MANUAL_KILL" : "MANUAL_PAUSE");
    const accepted = command === "kill";
    const reason = accepted ? undefined : command === "reset" ? "OPERATOR_REQUIRED" : (CONTROL_COMMANDS as readonly string[]).includes(command) ? "WORKER_FAILED" : "UNKNOWN_COMMAND";
    const stamper = new EventStamper(symbol, this.instance, slot.lastEventSeq);
    await this.publishEvent(stamper, { type: "control", command, operator, operatorReason, accepted, refusal: reason ?? null, from: "HALTED", to: "HALTED" }, slot.config.mode);
    slot.lastEventSeq = stamper.lastSeq;
    return { symbol, from: "HALTED", to: "HALTED", accepted, ...(reason ? { reason } : {}) };
  }

  private async onStatusRequest(message: Msg): Promise<void> {
    const reply = await this.status();
    if (message.reply) message.respond(encoder.encode(JSON.stringify(reply)));
  }

  async status(): Promise<StatusReply> {
    const requestId = `${this.runId}-s${++this.requestCounter}`;
    const live = [...this.slots.values()].filter((slot) => (slot.worker || slot.waitingToStart) && !slot.failed);
    const pending: PendingStatus = { expected: new Set(live.map((slot) => slot.config.symbol)), statuses: new Map(), done: () => undefined };
    await new Promise<void>((resolve) => {
      (pending as { done: () => void }).done = resolve;
      this.pendingStatuses.set(requestId, pending);
      if (pending.expected.size === 0) resolve();
      for (const slot of live) this.post(slot, { kind: "STATUS_QUERY", requestId });
      setTimeout(resolve, 1000).unref();
    });
    this.pendingStatuses.delete(requestId);
    return { instance: this.instance, symbols: [...this.slots.values()].map((slot) => pending.statuses.get(slot.config.symbol) ?? slot.lastStatus) };
  }

  isReady(): { ready: boolean; reasons: string[] } {
    const reasons: string[] = [];
    if (!this.natsConnected) reasons.push("NATS_DISCONNECTED");
    const recovering = [...this.slots.values()].filter((slot) => !slot.recovered && !slot.failed).map((slot) => slot.config.symbol);
    if (recovering.length > 0) reasons.push(`RECOVERING ${recovering.join(",")}`);
    if (this.stopping) reasons.push("SHUTTING_DOWN");
    return { ready: reasons.length === 0, reasons };
  }

  // Shutdown -----------------------------------------------------------------------

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.logger.info("shutting down: cancelling every order", {});
    if (this.supervisor) clearInterval(this.supervisor);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    const timeoutMs = this.config.shutdownTimeoutMs;
    const finished = [...this.slots.values()].map(
      (slot) =>
        new Promise<void>((resolve) => {
          if (!slot.worker) return resolve();
          slot.shutdownComplete = resolve;
          slot.worker.postMessage({ kind: "SHUTDOWN" } satisfies CoordinatorToSymbol);
        }),
    );
    await Promise.race([Promise.all(finished), new Promise((resolve) => setTimeout(resolve, timeoutMs + 1000).unref())]);
    await this.leases?.stop().catch((error: unknown) => this.logger.warn("lease release failed", { error: String(error) }));
    for (const slot of this.slots.values()) await slot.worker?.terminate();
    await this.riskWorker?.terminate();
    this.statusWatch?.stop();
    await this.connection?.drain().catch(() => undefined);
    this.logger.info("stopped", {});
    this.resolveStopped();
  }
}

export async function startService(config: ServiceConfig, options: ServiceOptions): Promise<Coordinator> {
  const coordinator = new Coordinator(config, options);
  try {
    await coordinator.start();
  } catch (error) {
    await coordinator.stop().catch(() => undefined);
    throw error;
  }
  return coordinator;
}
