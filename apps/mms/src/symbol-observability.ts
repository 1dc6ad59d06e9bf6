import { SpanKind, TimerLateness, withSpan, type Context, type WorkerMetricsRecorder } from "@mms/telemetry";
import { MARKET_DATA_STOP_REASONS, type AuditEvent, type ExecutionReport, type OrderIntent, type SymbolStatus } from "@mms/contracts/runtime";
import { Big, type SymbolCommand, type SymbolEvent, type SymbolFigures } from "@mms/trading-core";
import { LiquidityObserver, type LiquidityMoment } from "./liquidity-observer";
import type { SteppedOutput } from "./symbol-stepper";

/** Inputs traced on every occurrence; market data is sampled, timer ticks are not traced. */
const ALWAYS_TRACED = new Set<SymbolEvent["kind"]>(["CONTROL", "EXECUTION_REPORT", "GLOBAL_RISK", "SUBMISSION_FAILED", "CONNECTION_LOST", "CONNECTION_RESTORED", "OWNERSHIP", "SHUTDOWN", "RECOVERY_COMPLETE"]);
const MARKET_DATA = new Set<SymbolEvent["kind"]>(["BOOK_SNAPSHOT", "BOOK_DELTA", "PUBLIC_TRADE", "MARKET_STATUS"]);
/** Inputs counted even when the actor decided nothing on them. */
const COUNTED_WITHOUT_COMMANDS = new Set<SymbolEvent["kind"]>(["MARKET_DATA_INVALID", "EXECUTION_REPORT", "SUBMISSION_FAILED"]);
const MARKET_DATA_REASONS: ReadonlySet<string> = new Set(MARKET_DATA_STOP_REASONS);
const STATE_VALUES = { ACTIVE: 0, PAUSED: 1, HALTED: 2 } as const;
const MILLISECONDS_PER_SECOND = 1000;
const MAX_CACHED_REASONS = 64;

function sendsIntent(commands: readonly SymbolCommand[]): boolean {
  for (const command of commands) if (command.kind === "SEND_INTENT") return true;
  return false;
}

/** Metrics are floats by nature; only monitoring reads this, never a trading decision. */
function gauge(decimalText: string): number {
  return Number(decimalText);
}

/**
 * What a symbol worker shows Jaeger and Prometheus. It reads the actor's inputs and
 * outputs and never changes them. With tracing off every span path returns at once.
 */
export class SymbolObservability {
  private marketDataSeen = 0;
  private readonly labels: { readonly symbol: string };
  private readonly liquidity = new LiquidityObserver();
  /** The latest two-sided quote since the last snapshot: its spread gauge is worked out then, not per quote. */
  private unreportedQuote: { readonly bid: string; readonly ask: string; readonly mid: string } | undefined;
  /** One attributes object per reason: the recorder memoises series keys by object, so a fresh one per report cost a key build each. */
  private readonly reasonLabels = new Map<string, { readonly symbol: string; readonly reason: string }>();
  /** The thread's event-loop delay, from the lateness of the status check interval (see startThreadRuntimeMetrics). */
  readonly loopDelay = new TimerLateness();
  /** Runs at each status check after the status: the thread's runtime sample and the metrics flush ride on that one wake-up. */
  onStatusCheck: (() => void) | undefined;

  constructor(
    symbol: string,
    private readonly metrics: WorkerMetricsRecorder | undefined,
    readonly tracingEnabled: boolean,
    /** One market-data message in this many gets a span. */
    private readonly marketDataSampleEvery = 100,
  ) {
    this.labels = { symbol };
  }

  /** Runs one actor step, inside a span when this input is traced. */
  traced<T>(event: SymbolEvent, parent: Context | undefined, step: () => T): T {
    if (!this.tracingEnabled || !this.isTraced(event)) return step();
    return withSpan(`mms.symbol.${event.kind.toLowerCase()}`, { "mms.symbol": this.labels.symbol, "mms.input": event.kind }, () => step(), { ...(parent ? { parent } : {}), kind: SpanKind.CONSUMER });
  }

  private isTraced(event: SymbolEvent): boolean {
    if (ALWAYS_TRACED.has(event.kind)) return true;
    if (!MARKET_DATA.has(event.kind)) return false;
    this.marketDataSeen += 1;
    return this.marketDataSeen % this.marketDataSampleEvery === 1;
  }

  /** Wraps a publish of an intent; the span is active while `publish` builds its headers. */
  publishSpan<T>(intent: OrderIntent, publish: () => Promise<T>): Promise<T> {
    if (!this.tracingEnabled) return publish();
    return withSpan(`mms.intent.publish`, { "mms.symbol": this.labels.symbol, "mms.intent.kind": intent.kind, "mms.intent.id": intent.intentId }, () => publish(), { kind: SpanKind.PRODUCER });
  }

  /** The periodic status check ran; its lateness is the thread's event-loop delay. */
  statusChecked(intervalMs: number): void {
    this.loopDelay.fired(intervalMs);
    this.onStatusCheck?.();
  }

  marketDataReceived(lagMs: number): void {
    const metrics = this.metrics;
    if (!metrics) return;
    metrics.add("market_data_messages", 1, this.labels);
    metrics.record("market_data_lag_seconds", Math.max(0, lagMs) / MILLISECONDS_PER_SECOND, this.labels);
  }

  /** The most market-data messages waiting for the actor at once, and those dropped, since the last call. */
  marketDataQueued(deepest: number, dropped: number): void {
    this.metrics?.set("market_data_queue_depth", deepest, this.labels);
    if (dropped > 0) this.metrics?.add("market_data_dropped", dropped, this.labels);
  }

  /** After each step: counters from what the actor decided, and a span for every kill. */
  stepped(event: SymbolEvent, output: SteppedOutput, receivedAt: number, now: () => number, moment?: LiquidityMoment): void {
    const metrics = this.metrics;
    if (!metrics) return;
    const commands = output.commands;
    if (moment) this.liquidity.stepped(event, commands, moment);
    // The common step (a delta or a timer that decided nothing) has nothing more to count.
    if (commands.length === 0 && !COUNTED_WITHOUT_COMMANDS.has(event.kind)) return;
    if (MARKET_DATA.has(event.kind) && sendsIntent(commands)) metrics.record("tick_to_intent_latency_seconds", (now() - receivedAt) / MILLISECONDS_PER_SECOND, this.labels);
    if (event.kind === "MARKET_DATA_INVALID") metrics.add("market_data_faults", 1, { ...this.labels, reason: "MD_INVALID" });
    if (event.kind === "EXECUTION_REPORT" && !event.replay) this.reportApplied(event.report);
    if (event.kind === "SUBMISSION_FAILED") metrics.add("orders_rejected", 1, this.withReason("SUBMISSION_FAILED"));
    for (const audit of output.events) this.audited(audit);
  }

  private reportApplied(report: ExecutionReport): void {
    if (report.kind === "CANCELED") this.metrics?.add("orders_cancelled", 1, this.withReason(report.reason));
    else if (report.kind === "REJECTED") this.metrics?.add("orders_rejected", 1, this.withReason(report.reason));
  }

  private withReason(reason: string): { readonly symbol: string; readonly reason: string } {
    let labels = this.reasonLabels.get(reason);
    if (!labels) {
      labels = { ...this.labels, reason };
      // Reasons are the exchange's text: a bound keeps a chatty exchange from growing this forever.
      if (this.reasonLabels.size < MAX_CACHED_REASONS) this.reasonLabels.set(reason, labels);
    }
    return labels;
  }

  private audited(event: AuditEvent): void {
    const metrics = this.metrics;
    switch (event.type) {
      case "alert":
        metrics?.add("kill_switch_triggers", 1, { ...this.labels, reason: event.reason, state: event.to });
        if (MARKET_DATA_REASONS.has(event.reason)) metrics?.add("market_data_faults", 1, { ...this.labels, reason: event.reason });
        this.killSpan(event.reason, event.to, true);
        return;
      case "control":
        metrics?.add("control_commands", 1, { ...this.labels, command: event.command, outcome: event.accepted ? "accepted" : "refused" });
        if (event.accepted && (event.command === "kill" || event.command === "pause")) this.killSpan(event.command === "kill" ? "MANUAL_KILL" : "MANUAL_PAUSE", event.to, false);
        return;
      case "fill":
        metrics?.add("orders_filled", 1, this.labels);
        return;
      case "quote":
        if (event.bid && event.ask) this.unreportedQuote = { bid: event.bid.px, ask: event.ask.px, mid: event.mid };
        return;
      default:
        return;
    }
  }

  /** A kill is always traced, sampled or not: it is what on-call looks for first. */
  private killSpan(reason: string, state: string, automatic: boolean): void {
    if (!this.tracingEnabled) return;
    withSpan("mms.kill", { "mms.symbol": this.labels.symbol, "mms.reason": reason, "mms.state": state, "mms.automatic": automatic }, () => undefined, { kind: SpanKind.INTERNAL });
  }

  /** Audit events waiting for the bus (disconnected, not connected yet, or a failed publish). */
  auditEventsHeld(held: number): void {
    this.metrics?.set("audit_events_held", held, this.labels);
  }

  /** An audit event dropped: more were held than maxHeld. */
  auditEventDropped(): void {
    this.metrics?.add("audit_events_dropped", 1, this.labels);
  }

  /** Reports replayed from EXEC since the last call: the recovery's progress, counted once a second, not per report. */
  reportsReplayed(count: number): void {
    if (count > 0) this.metrics?.add("execution_reports_replayed", count, this.labels);
  }

  /** A CANCEL_ALL goes out again: the ORDERS stream did not acknowledge it. */
  cancelAllResent(): void {
    this.metrics?.add("cancel_all_resends", 1, this.labels);
  }

  intentAcknowledged(intent: OrderIntent): void {
    if (intent.kind === "NEW") this.metrics?.add("orders_sent", 1, this.labels);
  }

  /** Gauges, whenever the worker sends its status (on a change, see SymbolRuntime.reportStatus). */
  snapshot(status: SymbolStatus, figures: SymbolFigures, moment?: LiquidityMoment): void {
    const metrics = this.metrics;
    if (!metrics) return;
    if (moment) this.liquidity.publish(metrics, this.labels, moment);
    const quote = this.unreportedQuote;
    if (quote) {
      // Decimal division per requote cost more than the gauge is worth; the status goes out within a second of a change.
      this.unreportedQuote = undefined;
      metrics.set("quoted_spread_basis_points", gauge(new Big(quote.ask).minus(quote.bid).div(quote.mid).times(10000).toFixed(4)), this.labels);
    }
    metrics.set("symbol_state", STATE_VALUES[status.state], this.labels);
    // Null while the inventory is being rebuilt: the gauges keep their last value.
    if (status.position !== null) metrics.set("position", gauge(status.position), this.labels);
    metrics.set("notional", gauge(figures.exposure), this.labels);
    if (status.realizedPnl !== null) metrics.set("realized_pnl", gauge(status.realizedPnl), this.labels);
    if (status.unrealizedPnl !== null) metrics.set("unrealized_pnl", gauge(status.unrealizedPnl), this.labels);
    if (status.fees !== null) metrics.set("fees", gauge(status.fees), this.labels);
    metrics.set("volatility_basis_points", gauge(figures.volatilityBps), this.labels);
    if (figures.mid) metrics.set("mid_price", gauge(figures.mid), this.labels);
    if (figures.marketSpreadBps) metrics.set("market_spread_basis_points", gauge(figures.marketSpreadBps), this.labels);
  }
}
