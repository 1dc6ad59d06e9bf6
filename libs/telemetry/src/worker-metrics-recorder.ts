import { METRIC_CATALOGUE, type CounterName, type GaugeName, type HistogramName, type MetricAttributes, type MetricDefinition } from "./metric-catalogue";
import type { MetricSample } from "./metric-samples";

export interface WorkerMetricsRecorderOptions {
  /** Hands a batch to the main thread, e.g. `(samples) => parentPort.postMessage({type: "metrics", samples})`. */
  readonly flush: (samples: MetricSample[]) => void;
  /** Minimum time between two timed flushes; 1000 ms by default. */
  readonly intervalMs?: number;
  /** A batch this large is flushed at once rather than growing until the timer. */
  readonly maxPendingSamples?: number;
}

/** One histogram series between flushes: per bucket of the catalogue, how many values and their sum. */
interface PendingHistogram {
  readonly name: HistogramName;
  readonly attributes: MetricAttributes;
  readonly bounds: readonly number[];
  /** One more than bounds: the last counts values above every bound. */
  readonly counts: number[];
  readonly sums: number[];
  recorded: number;
}

/**
 * Collects a worker thread's measurements and sends them in batches. Counter adds to
 * one series are summed, a gauge keeps its last value, and a histogram keeps a count and a
 * sum per bucket, so a batch is bounded by the number of series and buckets, not by the
 * number of measurements.
 */
export class WorkerMetricsRecorder {
  private readonly intervalMs: number;
  private readonly maxPendingSamples: number;
  private readonly counters = new Map<string, { name: CounterName; value: number; attributes: MetricAttributes }>();
  private readonly gauges = new Map<string, { name: GaugeName; value: number; attributes: MetricAttributes }>();
  private readonly histograms = new Map<string, PendingHistogram>();
  private pendingHistogramBuckets = 0;
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
    return this.counters.size + this.gauges.size + this.pendingHistogramBuckets;
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
    const key = seriesKey(name, attributes);
    let pending = this.histograms.get(key);
    if (pending === undefined) {
      const bounds = (METRIC_CATALOGUE[name] as MetricDefinition).buckets ?? [];
      pending = { name, attributes, bounds, counts: new Array<number>(bounds.length + 1).fill(0), sums: new Array<number>(bounds.length + 1).fill(0), recorded: 0 };
      this.histograms.set(key, pending);
    }
    const bucket = bucketOf(pending.bounds, value);
    if (pending.counts[bucket] === 0) this.pendingHistogramBuckets += 1;
    pending.counts[bucket]! += 1;
    pending.sums[bucket]! += value;
    pending.recorded += 1;
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
    for (const histogram of this.histograms.values()) samples.push(...histogramSamples(histogram));
    this.counters.clear();
    this.gauges.clear();
    this.histograms.clear();
    this.pendingHistogramBuckets = 0;
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

/** Index of the bucket a value falls in: the first bound it does not exceed (Prometheus `le`), else the last. */
function bucketOf(bounds: readonly number[], value: number): number {
  let index = 0;
  while (index < bounds.length && value > bounds[index]!) index += 1;
  return index;
}

/**
 * A bucket's values as one sample with a count: their mean, which lies inside the bucket,
 * so the main thread's histogram gets the same bucket counts and the same sum.
 */
function histogramSamples(histogram: PendingHistogram): MetricSample[] {
  const samples: MetricSample[] = [];
  const { bounds, counts, sums, name, attributes } = histogram;
  for (let bucket = 0; bucket < counts.length; bucket++) {
    const count = counts[bucket]!;
    if (count === 0) continue;
    const upper = bucket < bounds.length ? bounds[bucket]! : Number.POSITIVE_INFINITY;
    const lower = bucket > 0 ? bounds[bucket - 1]! : Number.NEGATIVE_INFINITY;
    const mean = sums[bucket]! / count;
    // Rounding may put the mean of values at a bound just past it: keep it in its bucket.
    const value = mean > upper ? upper : mean <= lower ? (Number.isFinite(upper) ? upper : lower) : mean;
    samples.push(count === 1 ? { kind: "HISTOGRAM_RECORD", name, value, attributes } : { kind: "HISTOGRAM_RECORD", name, value, attributes, count });
  }
  return samples;
}

/** Keys by attributes object: a worker passes the same labels object for every sample of a series. */
const seriesKeysByAttributes = new WeakMap<MetricAttributes, Map<string, string>>();

function seriesKey(name: string, attributes: MetricAttributes): string {
  let keys = seriesKeysByAttributes.get(attributes);
  if (keys === undefined) {
    keys = new Map();
    seriesKeysByAttributes.set(attributes, keys);
  }
  let key = keys.get(name);
  if (key === undefined) {
    key = buildSeriesKey(name, attributes);
    keys.set(name, key);
  }
  return key;
}

function buildSeriesKey(name: string, attributes: MetricAttributes): string {
  const pairs = Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return JSON.stringify([name, pairs]);
}
