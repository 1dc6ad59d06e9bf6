import { DeliverPolicy, jetstream, type ConsumerMessages } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { STREAMS, validators, type AuditEvent, type CancelAllIntent, type ControlReply, type NewOrderIntent, type OrderIntent, type ServiceConfigInput, type StatusReply, type SymbolConfigInput, type SymbolStatus } from "@mms/contracts";
import { control, isCancelAll, isNew, requestStatus, RESUME_BODY, ScriptedExchange, symbolConfig, useNatsServer, waitFor, type LogLine, type NatsSuite } from "@mms/test-support";
import type { Coordinator } from "../../src/service";
import { serviceConfig, startTestService, type CapturedLogs } from "./service-harness";

const decoder = new TextDecoder();

type Levels = ReadonlyArray<readonly [string, string]>;

/**
 * Log lines written to the process's standard output. The service's own threads hand their
 * lines to the coordinator's logger (an in-process service writes them to its CapturedLogs:
 * see MmsFixture.lines); this keeps whatever else prints a log line to stdout. Install once per file.
 */
export class WorkerOutput {
  readonly lines: LogLine[] = [];
  private original: typeof process.stdout.write | undefined;
  private partial = "";

  install(): void {
    if (this.original) return;
    const original = process.stdout.write.bind(process.stdout) as typeof process.stdout.write;
    this.original = original;
    const capture = (chunk: unknown, ...rest: unknown[]): boolean => {
      const text = this.partial + (typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString());
      const parts = text.split("\n");
      this.partial = parts.pop() ?? "";
      let passthrough = "";
      for (const part of parts) {
        try {
          const parsed = JSON.parse(part) as LogLine;
          if (parsed && typeof parsed === "object" && "level" in parsed) {
            this.lines.push(parsed);
            continue;
          }
        } catch {
          // not a log line
        }
        passthrough += `${part}\n`;
      }
      if (passthrough) return (original as (chunk: string, ...args: unknown[]) => boolean)(passthrough, ...rest);
      const callback = rest.find((argument) => typeof argument === "function") as (() => void) | undefined;
      callback?.();
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
  }

  uninstall(): void {
    if (this.original) process.stdout.write = this.original;
    this.original = undefined;
  }

  of(instance: string): LogLine[] {
    return this.lines.filter((line) => line.instance === instance);
  }
}

/** The MMS's audit trail for one instance, read from MMS_EVENTS with an ordered JetStream consumer. */
export class AuditTrail {
  readonly events: AuditEvent[] = [];
  /** Events that fail the contract's schema (or sit on the wrong subject). */
  readonly invalid: Array<{ subject: string; body: unknown; issues: unknown }> = [];
  private constructor(private readonly messages: ConsumerMessages) {}

  static async open(client: NatsConnection, instance: string | ((event: AuditEvent) => boolean)): Promise<AuditTrail> {
    const js = jetstream(client);
    const consumer = await js.consumers.get(STREAMS.events.name, { filter_subjects: "mms.events.>", deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume();
    const trail = new AuditTrail(messages);
    const keep = typeof instance === "string" ? (event: AuditEvent) => event.instance === instance : instance;
    void (async () => {
      for await (const message of messages) {
        const body = JSON.parse(decoder.decode(message.data)) as unknown;
        const parsed = validators.auditEvent(body);
        const event = body as AuditEvent;
        if (!keep(event)) continue;
        if (!parsed.ok) trail.invalid.push({ subject: message.subject, body, issues: parsed.issues });
        else if (message.subject !== `mms.events.${event.symbol}.${event.type}`) trail.invalid.push({ subject: message.subject, body, issues: "wrong subject" });
        trail.events.push(event);
      }
    })();
    return trail;
  }

  of<T extends AuditEvent["type"]>(type: T, symbol?: string): Array<Extract<AuditEvent, { type: T }>> {
    return this.events.filter((event): event is Extract<AuditEvent, { type: T }> => event.type === type && (symbol === undefined || event.symbol === symbol));
  }

  async waitFor<T extends AuditEvent["type"]>(type: T, predicate: (event: Extract<AuditEvent, { type: T }>) => boolean, description: string, timeoutMs = 10_000): Promise<Extract<AuditEvent, { type: T }>> {
    return waitFor(() => this.of(type).find(predicate), { timeoutMs, description: `audit event: ${description}` });
  }

  async close(): Promise<void> {
    await this.messages.close().catch(() => undefined);
  }
}

export interface FixtureSymbol {
  readonly symbol: string;
  readonly config?: Partial<SymbolConfigInput>;
  /** Initial book; default 50000.0 / 50010.0, one of each. */
  readonly bids?: Levels;
  readonly asks?: Levels;
}

export interface FixtureOptions {
  readonly symbols: readonly FixtureSymbol[];
  readonly service?: Partial<ServiceConfigInput>;
  readonly risk?: Partial<ServiceConfigInput["risk"]>;
  readonly workerSilenceMs?: number;
  /** Spans for control commands (start tracing in the test thread first). */
  readonly tracing?: boolean;
}

/**
 * One in-process MMS against a scripted exchange, with its audit trail and the logs of
 * its coordinator and symbol workers. Every fixture gets a fresh account, so EXEC
 * history never leaks between tests.
 */
export class MmsFixture {
  private readonly heartbeats = new Map<string, () => void>();

  private constructor(
    readonly client: NatsConnection,
    readonly exchange: ScriptedExchange,
    readonly service: Coordinator,
    readonly logs: CapturedLogs,
    readonly audit: AuditTrail,
    readonly account: string,
    private readonly output: WorkerOutput,
    readonly symbols: readonly string[],
  ) {}

  static async start(client: NatsConnection, natsUrl: string, output: WorkerOutput, options: FixtureOptions): Promise<MmsFixture> {
    const exchange = await ScriptedExchange.start(
      client,
      options.symbols.map((entry) => entry.symbol),
    );
    for (const entry of options.symbols) exchange.publishSnapshot(entry.symbol, entry.bids ?? [["50000.0", "1"]], entry.asks ?? [["50010.0", "1"]]);
    const base = serviceConfig(natsUrl, [symbolConfig("PLACEHOLDER")]);
    const config = serviceConfig(
      natsUrl,
      options.symbols.map((entry) => symbolConfig(entry.symbol, entry.config)),
      { ...options.service, risk: { ...base.risk, ...options.risk } },
    );
    const { service, logs } = await startTestService(config, { ...(options.workerSilenceMs !== undefined ? { workerSilenceMs: options.workerSilenceMs } : {}), ...(options.tracing ? { tracing: true } : {}) });
    const audit = await AuditTrail.open(client, service.instance);
    const fixture = new MmsFixture(
      client,
      exchange,
      service,
      logs,
      audit,
      config.account,
      output,
      options.symbols.map((entry) => entry.symbol),
    );
    for (const entry of options.symbols) fixture.startHeartbeat(entry.symbol);
    await waitFor(() => service.isReady().ready, { timeoutMs: 20_000, description: "service ready" });
    return fixture;
  }

  startHeartbeat(symbol: string, everyMs = 200): void {
    this.heartbeats.get(symbol)?.();
    this.exchange.publishStatus(symbol);
    this.heartbeats.set(symbol, this.exchange.heartbeat(symbol, everyMs));
  }

  stopHeartbeat(symbol: string): void {
    this.heartbeats.get(symbol)?.();
    this.heartbeats.delete(symbol);
  }

  control(subject: string, body?: unknown, timeoutMs?: number): Promise<ControlReply> {
    return control(this.client, subject, body, timeoutMs);
  }

  status(): Promise<StatusReply> {
    return requestStatus(this.client);
  }

  async symbolStatus(symbol: string): Promise<SymbolStatus> {
    const found = (await this.status()).symbols.find((entry) => entry.symbol === symbol);
    if (!found) throw new Error(`no status for ${symbol}`);
    return found;
  }

  /**
   * Resume once the actor has seen the book and a TRADING status: right after start-up
   * those may still be on their way, and resume is refused (NO_BOOK, MARKET_HALTED).
   */
  async resume(symbol: string): Promise<ControlReply> {
    return waitFor(
      async () => {
        const reply = await this.control(`mms.control.${symbol}.resume`, RESUME_BODY);
        const result = reply.results?.[0];
        if (result?.accepted) return reply;
        if (result?.reason !== "NO_BOOK" && result?.reason !== "NO_MARKET_STATUS" && result?.reason !== "STARTUP") throw new Error(`resume refused: ${JSON.stringify(reply)}`);
        return undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, description: `${symbol} resumed` },
    );
  }

  /** Resume and wait until both quotes rest at the exchange. */
  async quoting(symbol: string): Promise<{ bid: ReturnType<ScriptedExchange["openOrders"]>[number]; ask: ReturnType<ScriptedExchange["openOrders"]>[number] }> {
    await this.resume(symbol);
    await waitFor(() => this.exchange.openOrders(symbol).length === 2, { timeoutMs: 10_000, description: `${symbol}: both quotes resting` });
    const orders = this.exchange.openOrders(symbol);
    return { bid: orders.find((order) => order.side === "BUY")!, ask: orders.find((order) => order.side === "SELL")! };
  }

  intents(symbol: string): OrderIntent[] {
    return this.exchange.intents.filter((intent) => intent.symbol === symbol && intent.account === this.account);
  }

  news(symbol: string): NewOrderIntent[] {
    return this.intents(symbol).filter(isNew);
  }

  cancelAlls(symbol: string, reason?: string): CancelAllIntent[] {
    return this.intents(symbol).filter(isCancelAll).filter((intent) => reason === undefined || intent.reason === reason);
  }

  async waitForCancelAll(symbol: string, reason: string, timeoutMs = 10_000): Promise<CancelAllIntent> {
    return waitFor(() => this.cancelAlls(symbol, reason)[0], { timeoutMs, description: `${symbol}: CANCEL_ALL ${reason} on ORDERS` });
  }

  async waitForState(symbol: string, state: SymbolStatus["state"], reason?: string | null, timeoutMs = 10_000): Promise<SymbolStatus> {
    return waitFor(
      async () => {
        const current = await this.symbolStatus(symbol);
        return current.state === state && (reason === undefined || current.reason === reason) ? current : undefined;
      },
      { timeoutMs, description: `${symbol} ${state}${reason ? ` (${reason})` : ""}` },
    );
  }

  /**
   * The kill-switch check the contract asks for: a CANCEL_ALL with the reason on ORDERS,
   * the state in mms.status, and an alert on mms.events.<SYMBOL>.alert.
   */
  async expectStopped(symbol: string, state: "PAUSED" | "HALTED", reason: string, options: { cancelAll?: boolean } = {}): Promise<void> {
    if (options.cancelAll ?? true) await this.waitForCancelAll(symbol, reason);
    await this.waitForState(symbol, state, reason);
    const alert = await this.audit.waitFor("alert", (event) => event.symbol === symbol && event.reason === reason, `${symbol} alert ${reason}`);
    expect(alert).toMatchObject({ symbol, to: state, reason, instance: this.service.instance });
    await waitFor(() => this.exchange.openOrders(symbol).length === 0, { timeoutMs: 10_000, description: `${symbol}: no order left at the exchange` });
  }

  /** Every log line of this instance: the coordinator's logger writes its workers' lines too. */
  lines(): LogLine[] {
    return [...(this.logs.lines as LogLine[]), ...this.output.of(this.service.instance)];
  }

  /** Log lines of this instance (coordinator and workers) at error level. */
  errors(): LogLine[] {
    return this.lines().filter((line) => line.level === "error");
  }

  /**
   * The audit trail of every symbol is whole: seq runs 1, 2, 3... per symbol and instance,
   * none missing (an event lost, e.g. during an outage) and none twice.
   */
  async expectAuditIntact(): Promise<void> {
    expect(this.audit.invalid).toEqual([]);
    for (const symbol of this.symbols) {
      const seqs = () => this.audit.events.filter((event) => event.symbol === symbol).map((event) => event.seq);
      await waitFor(
        () => {
          const sorted = [...seqs()].sort((a, b) => a - b);
          return sorted.length > 0 && sorted.every((seq, index) => seq === index + 1);
        },
        { timeoutMs: 10_000, description: `${symbol}: audit seq 1..n without gaps (have ${JSON.stringify([...seqs()].sort((a, b) => a - b))})` },
      );
    }
  }

  /** No unexpected error logged, and an intact audit trail. */
  async expectCleanRun(expectedErrors: ReadonlyArray<string | RegExp> = []): Promise<void> {
    this.expectNoUnexpectedErrors(expectedErrors);
    await this.expectAuditIntact();
  }

  /** Every error line must match one of `expected` (by message or reason). */
  expectNoUnexpectedErrors(expected: ReadonlyArray<string | RegExp> = []): void {
    const unexpected = this.errors().filter((line) => !expected.some((pattern) => matches(pattern, String(line.message)) || matches(pattern, String(line.reason ?? ""))));
    expect(unexpected).toEqual([]);
  }

  async stop(): Promise<void> {
    if (process.env.MMS_TEST_DUMP_LOGS) {
      const lines = this.lines();
      process.stderr.write(`--- logs of ${this.service.instance} (${expect.getState().currentTestName})\n${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
    }
    for (const stop of this.heartbeats.values()) stop();
    this.heartbeats.clear();
    try {
      await this.service.stop();
    } finally {
      await this.audit.close();
      await this.exchange.stop();
    }
  }
}

function matches(pattern: string | RegExp, text: string): boolean {
  return typeof pattern === "string" ? text === pattern : pattern.test(text);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The usual integration file: a NATS container, worker log capture, and at most one
 * in-process MMS per test, stopped after it.
 */
export function useMmsSuite(): { readonly nats: NatsSuite; readonly output: WorkerOutput; start(options: FixtureOptions): Promise<MmsFixture> } {
  const output = new WorkerOutput();
  beforeAll(() => output.install());
  const nats = useNatsServer();
  afterAll(() => output.uninstall());
  let fixture: MmsFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });
  return {
    nats,
    output,
    async start(options: FixtureOptions): Promise<MmsFixture> {
      fixture = await MmsFixture.start(nats.client, nats.url, output, options);
      return fixture;
    },
  };
}
