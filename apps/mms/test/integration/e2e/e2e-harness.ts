import { connect } from "@nats-io/transport-node";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import Big from "big.js";
import type { AuditEvent, ControlReply, ServiceConfig, StatusReply, SymbolConfigInput, SymbolStatus } from "@mms/contracts";
import { startExchangeSimulator, type ExchangeSimulatorHandle, type ExchangeSimulatorOptions, type LedgerReply } from "@mms/exchange-sim";
import { startNatsServer, waitFor, type SimOrder, type StartedNatsServer } from "@mms/test-support";
import type { Coordinator } from "../../../src/service";
import { serviceConfig, startTestService, type CapturedLogs } from "../../support/service-harness";

/**
 * End-to-end runs: the real MMS (in-process, worker threads and all) against the exchange
 * simulator (in-process), over a real NATS server in a container. Only the wire is shared:
 * the test looks at the MMS through `mms.status`, `mms.control.*` and `mms.events.>`, and
 * at the exchange through `sim.*`, as an operator would.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();


export interface Snapshot {
  readonly seq: number;
  readonly bids: [string, string][];
  readonly asks: [string, string][];
}

/**
 * The simulator's takers fill the MMS's quotes at random, and a run of quick fills is a fill
 * burst: for tests about other behaviour, the fill-burst stop (tested in protection/) is out of reach.
 */
export const NO_FILL_BURST_STOP = { windowMs: 1000, maxFills: 1000, maxFillQty: "1000", maxNetQty: "1000", frozenMs: 5000 };

export type RiskOverrides = Partial<ServiceConfig["risk"]>;

export interface E2eOptions {
  readonly symbols: SymbolConfigInput[];
  readonly risk?: RiskOverrides;
  readonly simulator: Omit<ExchangeSimulatorOptions, "natsUrl" | "symbols" | "logger">;
}

export class E2eRun {
  private constructor(
    /** Every audit event of the run, in arrival order. */
    readonly events: AuditEvent[],
    readonly simulatorLog: string[],
    readonly nats: StartedNatsServer,
    readonly client: NatsConnection,
    readonly simulator: ExchangeSimulatorHandle,
    readonly service: Coordinator,
    readonly logs: CapturedLogs,
    readonly account: string,
    private readonly subscription: Subscription,
  ) {}

  static async start(options: E2eOptions): Promise<E2eRun> {
    const nats = await startNatsServer();
    const cleanup: Array<() => Promise<unknown>> = [() => nats.stop()];
    try {
      const client = await connect({ servers: nats.url, name: "e2e-test" });
      cleanup.unshift(() => client.close());
      const events: AuditEvent[] = [];
      const subscription = client.subscribe("mms.events.>", {
        callback: (error, message) => {
          if (!error) events.push(JSON.parse(decoder.decode(message.data)) as AuditEvent);
        },
      });
      const simulatorLog: string[] = [];
      const record = (level: string) => (message: string, fields?: Record<string, unknown>) => {
        simulatorLog.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
      };
      const simulator = await startExchangeSimulator({
        ...options.simulator,
        natsUrl: nats.url,
        // The exchange's tick and lot are the MMS's.
        symbols: options.symbols.map((symbol) => ({ symbol: symbol.symbol, tickSize: symbol.tickSize, lotSize: symbol.lotSize })),
        logger: { info: record("info"), warn: record("warn"), error: record("error") },
      });
      cleanup.unshift(() => simulator.stop());
      const base = serviceConfig(nats.url, options.symbols);
      // The default lease (10 s) and a 10 s worker-silence limit (default 3 s): this 2-core machine
      // is shared and at times loaded far beyond its cores, and neither watchdog is under test here.
      const config = serviceConfig(nats.url, options.symbols, { account: base.account, leaseMs: 10_000, risk: { ...base.risk, ...options.risk } });
      const { service, logs } = await startTestService(config, { useLeases: true, workerSilenceMs: 10_000 });
      cleanup.unshift(() => service.stop());
      const run = new E2eRun(events, simulatorLog, nats, client, simulator, service, logs, config.account, subscription);
      await waitFor(() => service.isReady().ready, { timeoutMs: 60_000, description: "MMS ready (recovery done)" });
      return run;
    } catch (error) {
      for (const step of cleanup) await step().catch(() => undefined);
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.subscription.unsubscribe();
    await this.service.stop().catch(() => undefined);
    await this.simulator.stop().catch(() => undefined);
    await this.client.close().catch(() => undefined);
    await this.nats.stop();
  }

  async request<T>(subject: string, body?: unknown, timeout = 5000): Promise<T> {
    const reply = await this.client.request(subject, body === undefined ? new Uint8Array(0) : encoder.encode(JSON.stringify(body)), { timeout });
    return JSON.parse(decoder.decode(reply.data)) as T;
  }

  async status(symbol: string): Promise<SymbolStatus> {
    const reply = await this.request<StatusReply>("mms.status");
    const status = reply.symbols.find((entry) => entry.symbol === symbol);
    if (!status) throw new Error(`mms.status has no ${symbol}`);
    return status;
  }

  control(symbol: string, command: string, body?: unknown): Promise<ControlReply> {
    return this.request<ControlReply>(`mms.control.${symbol}.${command}`, body);
  }

  /** A fault or helper on the simulator, over NATS as an operator would send it. */
  async sim(symbol: string, fault: string, body?: unknown): Promise<Record<string, unknown>> {
    const reply = await this.request<Record<string, unknown>>(`sim.control.${symbol}.${fault}`, body);
    if (reply.ok !== true) throw new Error(`sim.control.${symbol}.${fault} refused: ${JSON.stringify(reply)}`);
    return reply;
  }

  async mmsOrders(symbol: string): Promise<SimOrder[]> {
    const reply = await this.request<{ orders: SimOrder[] }>(`sim.orders.${this.account}`);
    return reply.orders.filter((order) => order.symbol === symbol);
  }

  async ledger(symbol: string): Promise<LedgerReply["symbols"][number] | undefined> {
    const reply = await this.request<LedgerReply>(`sim.ledger.${this.account}`);
    return reply.symbols.find((entry) => entry.symbol === symbol);
  }

  snapshot(symbol: string): Promise<Snapshot> {
    return this.request<Snapshot>(`md.${symbol}.snapshot.get`, undefined, 2000);
  }

  /**
   * Every move of the symbol into PAUSED or HALTED since `from` whose reason is not one the
   * test expects, with the alert that explained it: a false MD_GAP, BUS_LAG, MD_STALE... is
   * a finding, never something to resume from.
   */
  unexpectedStops(symbol: string, expected: readonly string[], from = 0): string[] {
    const alerts = this.eventsOf("alert", symbol, from);
    return this.eventsOf("state", symbol, from)
      .filter((event) => (event.to === "PAUSED" || event.to === "HALTED") && !expected.includes(event.reason ?? ""))
      .map((event) => `${event.from} -> ${event.to} ${event.reason}${alerts.find((alert) => alert.reason === event.reason)?.message ? `: ${alerts.find((alert) => alert.reason === event.reason)!.message}` : ""}`);
  }

  /** Fails with the reason when the symbol stopped for anything but `expected` since `from`. */
  expectOnlyStops(symbol: string, expected: readonly string[], from = 0): void {
    const unexpected = this.unexpectedStops(symbol, expected, from);
    if (unexpected.length > 0) throw new Error(`${symbol} stopped for a reason the test does not expect (expected only ${expected.join(", ")}): ${unexpected.join("; ")}`);
  }

  /**
   * Resume, asked again while refused (the first status heartbeat, a repaired book...).
   * `onlyFrom`: the stops the test expects; a symbol stopped for any other reason fails at once with it.
   */
  async resume(symbol: string, timeoutMs = 15_000, onlyFrom?: readonly string[]): Promise<void> {
    let last: ControlReply | undefined;
    // Found inside the wait, thrown after it: a throwing predicate would only be retried.
    let unexpected: string | undefined;
    await waitFor(
      async () => {
        if (onlyFrom) {
          const stops = this.unexpectedStops(symbol, onlyFrom);
          const status = await this.status(symbol);
          if (stops.length > 0) unexpected = stops.join("; ");
          else if (status.state !== "ACTIVE" && !onlyFrom.includes(status.reason ?? "")) unexpected = `${status.state} with ${status.reason} (resume blockers ${JSON.stringify(status.resumeBlockers)})`;
          if (unexpected) return true;
        }
        last = await this.control(symbol, "resume", { operator: "e2e", reason: "end-to-end test" });
        return last.results?.[0]?.accepted === true;
      },
      { timeoutMs, intervalMs: 200, description: `resume ${symbol} accepted (last reply ${JSON.stringify(last)})` },
    );
    if (unexpected) throw new Error(`${symbol} stopped for a reason the test does not expect (expected only ${onlyFrom!.join(", ")}): ${unexpected}`);
  }

  eventsOf<T extends AuditEvent["type"]>(type: T, symbol: string, from = 0): Extract<AuditEvent, { type: T }>[] {
    return this.events.slice(from).filter((event): event is Extract<AuditEvent, { type: T }> => event.type === type && event.symbol === symbol);
  }

  /** Runs a test body; when it fails, prints the MMS's and the simulator's warnings first. */
  async explainFailure(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      console.log(this.diagnostics());
      throw error;
    }
  }

  /** What to print when a test fails: the MMS's warnings and errors, and the simulator's. */
  diagnostics(): string {
    const mms = this.logs.lines.filter((line) => line.level !== "info" && line.level !== "debug").slice(-30).map((line) => JSON.stringify(line));
    const sim = this.simulatorLog.filter((line) => !line.startsWith("info")).slice(-10);
    return [`MMS log (last warnings/errors):`, ...mms, `simulator log:`, ...sim].join("\n");
  }
}

/** Best price of a book side, optionally without some resting quantity (the MMS's own orders). */
export function bestPrice(levels: readonly [string, string][], side: "BUY" | "SELL", without: readonly SimOrder[] = []): Big | undefined {
  let best: Big | undefined;
  for (const [pxText, qtyText] of levels) {
    const px = new Big(pxText);
    const own = without.filter((order) => order.side === side && new Big(order.px).eq(px)).reduce((sum, order) => sum.plus(order.leavesQty), new Big(0));
    if (new Big(qtyText).minus(own).lte(0)) continue;
    if (!best || (side === "BUY" ? px.gt(best) : px.lt(best))) best = px;
  }
  return best;
}

export function roundUpToStep(value: Big, step: Big): Big {
  return value.div(step).round(0, Big.roundUp).times(step);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
