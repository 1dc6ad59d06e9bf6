import { InspectorClient } from "./inspector";
import { round } from "./machine";
import type { MetricSample } from "./metrics";
import { slope } from "./stats";

/** The symbol actor's bounded windows (libs/trading-core): recent execIds, fill ids, closed orders. */
export const ACTOR_WINDOW_CAPACITY = 10_000;

/** One scrape's per-thread heap (MB) and per-symbol counters, for the memory analysis. */
export interface ThreadSample {
  readonly t: number;
  /** `coordinator` or `symbol:<name>` -> heap in use, MB. */
  readonly heapMb: Readonly<Record<string, number>>;
  /** Per symbol: fills, NEW intents acknowledged, execution reports applied (acks + fills + cancels + rejects, approximately). */
  readonly symbols: Readonly<Record<string, { fills: number; ordersSent: number; reports: number }>>;
}

function threadName(labels: Readonly<Record<string, string>>): string {
  return labels.thread === "symbol" ? `symbol:${labels.symbol}` : (labels.thread ?? "unknown");
}

function perSymbol(metrics: readonly MetricSample[], name: string): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const sample of metrics) if (sample.name === name && sample.labels.symbol) totals[sample.labels.symbol] = (totals[sample.labels.symbol] ?? 0) + sample.value;
  return totals;
}

export function threadSampleOf(t: number, metrics: readonly MetricSample[]): ThreadSample {
  const heapMb: Record<string, number> = {};
  for (const sample of metrics) if (sample.name === "mms_thread_heap_used_bytes") heapMb[threadName(sample.labels)] = round(sample.value / 1048576, 2);
  const fills = perSymbol(metrics, "mms_orders_filled_total");
  const sent = perSymbol(metrics, "mms_orders_sent_total");
  const cancelled = perSymbol(metrics, "mms_orders_cancelled_total");
  const rejected = perSymbol(metrics, "mms_orders_rejected_total");
  const symbols: Record<string, { fills: number; ordersSent: number; reports: number }> = {};
  for (const symbol of Object.keys(sent)) {
    const filled = fills[symbol] ?? 0;
    symbols[symbol] = { fills: filled, ordersSent: sent[symbol] ?? 0, reports: (sent[symbol] ?? 0) + filled + (cancelled[symbol] ?? 0) + (rejected[symbol] ?? 0) };
  }
  return { t, heapMb, symbols };
}

/**
 * The heap a thread keeps after its collections: the lowest value of each window. The heap
 * gauge is a saw-tooth (young garbage piles up between scavenges); its low points are what
 * survived, so their slope is the growth, not where in the tooth a sample happened to land.
 */
export function windowMinima(samples: readonly ThreadSample[], windowSeconds: number): { t: number; heapMb: Record<string, number> }[] {
  const windows = new Map<number, { t: number; heapMb: Record<string, number> }>();
  for (const sample of samples) {
    const index = Math.floor(sample.t / windowSeconds);
    const window = windows.get(index) ?? { t: (index + 0.5) * windowSeconds, heapMb: {} };
    for (const [thread, mb] of Object.entries(sample.heapMb)) window.heapMb[thread] = Math.min(window.heapMb[thread] ?? Infinity, mb);
    windows.set(index, window);
  }
  return [...windows.values()].sort((a, b) => a.t - b.t);
}

export interface HeapAfterGc {
  readonly windowSeconds: number;
  /** MB per hour over the second half, least squares over the window minima. */
  readonly slopeMbPerHour: Readonly<Record<string, number>>;
  readonly totalSlopeMbPerHour: number;
  /** Window minimum of the first and the last window, MB, per thread. */
  readonly firstMb: Readonly<Record<string, number>>;
  readonly lastMb: Readonly<Record<string, number>>;
}

export function heapAfterGc(samples: readonly ThreadSample[], fromSeconds: number, windowSeconds: number): HeapAfterGc {
  // Only whole windows of the measured half: a partial last window has fewer chances of a low point.
  const minima = windowMinima(samples, windowSeconds).filter((window) => window.t - windowSeconds / 2 >= fromSeconds);
  const complete = minima.length > 1 ? minima.slice(0, -1) : minima;
  const threads = [...new Set(complete.flatMap((window) => Object.keys(window.heapMb)))].sort();
  const perHour = (points: [number, number][]) => round(slope(points) * 3600, 2);
  const slopeMbPerHour: Record<string, number> = {};
  for (const thread of threads) slopeMbPerHour[thread] = perHour(complete.filter((window) => window.heapMb[thread] !== undefined).map((window) => [window.t, window.heapMb[thread]!]));
  const total = perHour(complete.map((window) => [window.t, Object.values(window.heapMb).reduce((sum, mb) => sum + mb, 0)]));
  return { windowSeconds, slopeMbPerHour, totalSlopeMbPerHour: total, firstMb: complete[0]?.heapMb ?? {}, lastMb: complete.at(-1)?.heapMb ?? {} };
}

/**
 * When each symbol's windows became full (seconds into the soak), from its counters: after
 * that the windows evict as they add and cannot grow any more. Undefined: not full at the end.
 */
export function windowsFullAt(samples: readonly ThreadSample[]): Record<string, { fillIds?: number; closedOrders?: number; execIds?: number }> {
  const result: Record<string, { fillIds?: number; closedOrders?: number; execIds?: number }> = {};
  for (const sample of samples) {
    for (const [symbol, counts] of Object.entries(sample.symbols)) {
      const entry = (result[symbol] ??= {});
      // The counters start at the worker's start; the windows hold the same ids (replays aside).
      if (entry.fillIds === undefined && counts.fills >= ACTOR_WINDOW_CAPACITY) entry.fillIds = sample.t;
      if (entry.closedOrders === undefined && counts.ordersSent >= ACTOR_WINDOW_CAPACITY) entry.closedOrders = sample.t;
      if (entry.execIds === undefined && counts.reports >= ACTOR_WINDOW_CAPACITY) entry.execIds = sample.t;
    }
  }
  return result;
}

/**
 * Each thread's heap right after a full collection, through the MMS's inspector (it runs
 * with --inspect): the figure the saw-tooth gauge only approximates. One probe costs a full
 * GC per thread; the soak takes one a minute, just after a scrape (the per-second loop-delay
 * gauge the next scrape reads no longer covers it).
 */
export class PostGcProbe {
  readonly points: { t: number; heapMb: Record<string, number> }[] = [];

  private constructor(
    private readonly inspector: InspectorClient,
    private readonly labels: readonly string[],
  ) {}

  static async connect(port: number): Promise<PostGcProbe> {
    const inspector = await InspectorClient.connect(port);
    const labels: string[] = [];
    for (const thread of inspector.threads) labels.push(await inspector.threadLabel(thread));
    return new PostGcProbe(inspector, labels);
  }

  async sample(t: number): Promise<void> {
    const heapMb: Record<string, number> = {};
    for (const [index, thread] of this.inspector.threads.entries()) heapMb[this.labels[index]!] = round((await this.inspector.heapAfterGc(thread)) / 1048576, 3);
    this.points.push({ t, heapMb });
  }

  /** Least-squares slopes over the points from `fromSeconds` on, MB per hour, per thread and summed. */
  slopes(fromSeconds: number): { perThread: Record<string, number>; total: number; points: number } {
    const points = this.points.filter((point) => point.t >= fromSeconds);
    const perHour = (values: [number, number][]) => round(slope(values) * 3600, 2);
    const perThread: Record<string, number> = {};
    for (const thread of new Set(points.flatMap((point) => Object.keys(point.heapMb)))) perThread[thread] = perHour(points.filter((point) => point.heapMb[thread] !== undefined).map((point) => [point.t, point.heapMb[thread]!]));
    const total = perHour(points.map((point) => [point.t, Object.values(point.heapMb).reduce((sum, mb) => sum + mb, 0)]));
    return { perThread, total, points: points.length };
  }

  close(): void {
    this.inspector.close();
  }
}
