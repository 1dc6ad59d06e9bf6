import type { CounterName, GaugeName, HistogramName, MetricAttributes } from "./metric-catalogue";
import type { MetricSample } from "./metric-samples";

export interface WorkerMetricsRecorderOptions {
  /** Hands a batch to the main thread, e.g. `(samples) => parentPort.postMessage({type: "metrics", samples})`. */
  readonly flush: (samples: MetricSample[]) => void;
  /** Minimum time between two timed flushes; 1000 ms by default. */
  readonly intervalMs?: number;
  /** A batch this large is flushed at once rather than growing until the timer. */
  readonly maxPendingSamples?: number;
}

/**
 * Collects a worker thread's measurements and sends them in batches. Counter adds to
 * one series are summed and a gauge keeps its last value, so a batch is bounded by
 * the number of series; histogram values are each kept.
 */
export class WorkerMetricsRecorder {
  private readonly intervalMs: number;
  private readonly maxPendingSamples: number;
  private readonly counters = new Map<string, { name: CounterName; value: number; attributes: MetricAttributes }>();
  private readonly gauges = new Map<string, { name: GaugeName; value: number; attributes: MetricAttributes }>();
  private histograms: MetricSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private dropped = 0;

  constructor(private readonly options: WorkerMetricsRecorderOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxPendingSamples = options.maxPendingSamples ?? 5000;
  }

  /** Samples lost because the flush callback threw (e.g. the port was closed). */
  get droppedSamples(): number {
    return this.dropped;
  }

  get pendingSamples(): number {
    return this.counters.size + this.gauges.size + this.histograms.length;
  }

  add(name: CounterName, value = 1, attributes: MetricAttributes = {}): void {
    if (this.closed) return;
    const key = seriesKey(name, attributes);
    const pending = this.counters.get(key);
    if (pending !== undefined) pending.value += value;
    else this.counters.set(key, { name, value, attributes });
    this.scheduled();
  }

  set(name: GaugeName, value: number, attributes: MetricAttributes = {}): void {
    if (this.closed) return;
    this.gauges.set(seriesKey(name, attributes), { name, value, attributes });
    this.scheduled();
  }

  record(name: HistogramName, value: number, attributes: MetricAttributes = {}): void {
    if (this.closed) return;
    this.histograms.push({ kind: "HISTOGRAM_RECORD", name, value, attributes });
    this.scheduled();
  }

  /** Sends whatever is pending now. */
  flushNow(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pendingSamples === 0) return;
    const samples: MetricSample[] = [];
    for (const counter of this.counters.values()) samples.push({ kind: "COUNTER_ADD", ...counter });
    for (const gauge of this.gauges.values()) samples.push({ kind: "GAUGE_SET", ...gauge });
    samples.push(...this.histograms);
    this.counters.clear();
    this.gauges.clear();
    this.histograms = [];
    try {
      this.options.flush(samples);
    } catch {
      // Metrics must never break the trading loop: the batch is lost and counted.
      this.dropped += samples.length;
    }
  }

  /** Flushes the last batch and stops; later measurements are ignored. */
  close(): void {
    this.flushNow();
    this.closed = true;
  }

  private scheduled(): void {
    if (this.pendingSamples >= this.maxPendingSamples) {
      this.flushNow();
      return;
    }
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushNow();
    }, this.intervalMs);
    // A pending flush must not keep a finished worker alive.
    this.timer.unref();
  }
}

function seriesKey(name: string, attributes: MetricAttributes): string {
  const pairs = Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return JSON.stringify([name, pairs]);
}
