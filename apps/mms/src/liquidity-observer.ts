import type { WorkerMetricsRecorder } from "@mms/telemetry";
import { LiquidityMetrics, type SymbolCommand, type SymbolEvent } from "@mms/trading-core";

/** The actor's time of a step or heartbeat, and (computed only when needed) whether its quotes are present. */
export interface LiquidityMoment {
  readonly at: number;
  readonly quotesPresent: () => boolean;
}

/**
 * Feeds the liquidity metrics (contract "Liquidity metrics") from what the worker sees:
 * presence is looked at after every step that sent an intent or applied a live report (only
 * those change what rests) and on every heartbeat (which also follows the mid), never on a
 * plain book change; intents and fills are counted as they happen.
 */
export class LiquidityObserver {
  private metrics: LiquidityMetrics | undefined;

  stepped(event: SymbolEvent, commands: readonly SymbolCommand[], moment: LiquidityMoment): void {
    const metrics = this.started(moment.at);
    let sentIntent = false;
    for (const command of commands) {
      if (command.kind !== "SEND_INTENT") continue;
      sentIntent = true;
      if (command.intent.kind === "NEW" || command.intent.kind === "CANCEL") metrics.recordIntent(moment.at);
    }
    const report = event.kind === "EXECUTION_REPORT" && !event.replay ? event.report : undefined;
    if (report?.kind === "FILL") metrics.recordFill(moment.at);
    if (report || sentIntent) metrics.observePresence(moment.quotesPresent(), moment.at);
  }

  /** Gauges: mms_quote_presence_ratio always, mms_order_to_trade_ratio once there was a fill. */
  publish(recorder: WorkerMetricsRecorder, labels: { readonly symbol: string }, moment: LiquidityMoment): void {
    const metrics = this.started(moment.at);
    metrics.observePresence(moment.quotesPresent(), moment.at);
    recorder.set("quote_presence_ratio", metrics.presenceRatio(moment.at), labels);
    const ratio = metrics.orderToTrade(moment.at).ratio;
    if (ratio !== undefined) recorder.set("order_to_trade_ratio", ratio, labels);
  }

  private started(at: number): LiquidityMetrics {
    this.metrics ??= new LiquidityMetrics(at);
    return this.metrics;
  }
}
