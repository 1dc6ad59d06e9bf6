import type { NatsConnection } from "@nats-io/nats-core";
import type { ControlReply, ServiceConfigInput, SymbolConfigInput } from "@mms/contracts";
import { control, waitFor } from "@mms/test-support";
import type { ScriptedExchange } from "@mms/test-support";

/**
 * The scenarios behind the golden replays (apps/mms/test/golden/<name>): each drives a real
 * service over NATS with the scripted exchange, step by step, waiting for the service's
 * answer before the next step, so the recording holds what that behaviour looks like.
 * scripts/record-golden.ts runs them.
 */
export interface GoldenScenario {
  readonly name: string;
  readonly symbol: Partial<SymbolConfigInput>;
  readonly risk?: Partial<ServiceConfigInput["risk"]>;
  /** EXEC history written before the service starts. */
  prepare?(exchange: ScriptedExchange, context: { symbol: string; account: string }): Promise<void>;
  drive(run: ScenarioRun): Promise<void>;
}

/** Client order ids of the resting bid and ask. */
export interface RestingQuotes {
  readonly bid: string;
  readonly ask: string;
}

const OPERATOR = { operator: "golden", reason: "golden scenario" } as const;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What a scenario may do to the running service and the exchange. */
export class ScenarioRun {
  private heartbeatStop: (() => void) | undefined;

  constructor(
    readonly client: NatsConnection,
    readonly exchange: ScriptedExchange,
    readonly symbol: string,
  ) {}

  startHeartbeat(everyMs = 300): void {
    this.stopHeartbeat();
    this.exchange.publishStatus(this.symbol);
    this.heartbeatStop = this.exchange.heartbeat(this.symbol, everyMs);
  }

  stopHeartbeat(): void {
    this.heartbeatStop?.();
    this.heartbeatStop = undefined;
  }

  command(command: string, body: unknown = OPERATOR, target: string = this.symbol): Promise<ControlReply> {
    return control(this.client, `mms.control.${target}.${command}`, body);
  }

  /** A resume that must be refused with `reason`. */
  async resumeRefused(reason: string): Promise<void> {
    const result = (await this.command("resume")).results?.[0];
    if (result?.accepted !== false || result.reason !== reason) throw new Error(`expected resume refused with ${reason}, got ${JSON.stringify(result)}`);
  }

  /** Resume, asking again while the service still has a reason to refuse (e.g. data on its way). */
  async resume(): Promise<void> {
    await waitFor(
      async () => {
        const result = (await this.command("resume")).results?.[0];
        return result?.accepted ? true : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 250, description: `${this.symbol} resumed` },
    );
  }

  async waitForCancelAll(reason: string): Promise<void> {
    await this.exchange.waitForIntents((intents) => intents.some((intent) => intent.kind === "CANCEL_ALL" && intent.reason === reason), `CANCEL_ALL ${reason}`);
    await waitFor(() => this.exchange.openOrders(this.symbol).length === 0, { timeoutMs: 5000, description: "no order resting" });
  }

  /** Both quotes rest; with `replacing`, both are other orders than those (they were requoted). */
  async waitForQuotes(replacing?: RestingQuotes): Promise<RestingQuotes> {
    return waitFor(
      () => {
        const orders = this.exchange.openOrders(this.symbol);
        const bid = orders.find((order) => order.side === "BUY")?.clientOrderId;
        const ask = orders.find((order) => order.side === "SELL")?.clientOrderId;
        if (orders.length !== 2 || !bid || !ask) return undefined;
        return !replacing || (bid !== replacing.bid && ask !== replacing.ask) ? { bid, ask } : undefined;
      },
      { timeoutMs: 10_000, description: `${this.symbol}: both quotes resting${replacing ? " (requoted)" : ""}` },
    );
  }

  sleep(ms: number): Promise<void> {
    return sleep(ms);
  }
}

export const GOLDEN_SCENARIOS: readonly GoldenScenario[] = [
  {
    // Start-up recovery from EXEC (a filled bid and a resting ask of an earlier run), resume,
    // quoting as the mid moves, fills that skew both quotes down, then a kill.
    name: "recovery-quoting-kill",
    symbol: { maxPosition: "0.1", skewBps: "20" },
    async prepare(exchange, { symbol, account }) {
      const earlier = `MM-earlierrun-${symbol}`;
      await exchange.restOrder({ symbol, account, clientOrderId: `${earlier}-O1`, side: "BUY", px: "49990.0", qty: "0.010" });
      await exchange.fill(`${earlier}-O1`);
      await exchange.restOrder({ symbol, account, clientOrderId: `${earlier}-O2`, side: "SELL", px: "50020.0", qty: "0.010" });
    },
    async drive(run) {
      await run.waitForCancelAll("STARTUP");
      await run.resume();
      const first = await run.waitForQuotes();
      run.exchange.publishDelta(run.symbol, [["50000.0", "0"], ["50020.0", "1"]], [["50010.0", "0"], ["50030.0", "1"]]);
      const up = await run.waitForQuotes(first);
      run.exchange.publishDelta(run.symbol, [["50020.0", "0"], ["49990.0", "1"]], [["50030.0", "0"], ["50000.0", "1"]]);
      const down = await run.waitForQuotes(up);
      await run.exchange.fill(down.bid);
      const skewed = await run.waitForQuotes(down);
      await run.exchange.fill(skewed.bid);
      await run.waitForQuotes(skewed);
      await run.command("kill", "");
      await run.waitForCancelAll("MANUAL_KILL");
      await run.sleep(300);
    },
  },
  {
    // Market-data faults one after another, each with a refused and then an accepted resume:
    // a gap (snapshot re-requested, first unanswered), a crossed book, stale data, a halt.
    name: "market-data-faults",
    symbol: { staleMs: 1000 },
    async drive(run) {
      await run.resume();
      await run.waitForQuotes();

      run.exchange.answerSnapshots = false;
      run.exchange.publishDelta(run.symbol, [["49999.0", "1"]], [], { skipSeq: true });
      await run.waitForCancelAll("MD_GAP");
      await run.resumeRefused("MD_GAP");
      const asked = run.exchange.snapshotRequests.get(run.symbol) ?? 0;
      run.exchange.answerSnapshots = true;
      await waitFor(() => (run.exchange.snapshotRequests.get(run.symbol) ?? 0) > asked, { timeoutMs: 5000, description: "snapshot asked again" });
      await run.sleep(200);
      await run.resume();
      await run.waitForQuotes();

      run.exchange.publishDelta(run.symbol, [["50015.0", "1"]], []);
      await run.waitForCancelAll("MD_CROSSED");
      await run.resumeRefused("MD_CROSSED");
      run.exchange.publishDelta(run.symbol, [["50015.0", "0"]], []);
      await run.sleep(200);
      await run.resume();
      await run.waitForQuotes();

      run.stopHeartbeat();
      await run.waitForCancelAll("MD_STALE");
      await run.resumeRefused("MD_STALE");
      run.startHeartbeat();
      await run.sleep(200);
      await run.resume();
      await run.waitForQuotes();

      run.exchange.publishStatus(run.symbol, "HALTED");
      await run.waitForCancelAll("MARKET_HALTED");
      await run.resumeRefused("MARKET_HALTED");
      run.exchange.publishStatus(run.symbol, "TRADING");
      await run.sleep(200);
      await run.resume();
      await run.waitForQuotes();
      await run.sleep(300);
    },
  },
  {
    // A gateway that rejects every NEW: the reject storm halts the symbol; resume is refused
    // until a reset, then while the storm window lasts; a global kill ends it.
    name: "reject-storm",
    symbol: {},
    risk: { rejectStorm: { count: 4, windowMs: 1500 } },
    async drive(run) {
      run.exchange.rejectNewWith = "POST_ONLY_WOULD_CROSS";
      await run.resume();
      await run.waitForCancelAll("REJECT_STORM");
      await run.resumeRefused("HALTED_NEEDS_RESET");
      run.exchange.rejectNewWith = undefined;
      await run.command("reset");
      await run.resumeRefused("REJECT_STORM");
      await run.resume();
      await run.waitForQuotes();
      await run.command("kill", "", "all");
      await run.waitForCancelAll("MANUAL_KILL");
      await run.sleep(300);
    },
  },
];
