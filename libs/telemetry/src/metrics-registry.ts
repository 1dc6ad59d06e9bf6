import type { IncomingMessage, ServerResponse } from "node:http";
import type { Counter, Gauge, Histogram } from "@opentelemetry/api";
import type * as ExporterPrometheus from "@opentelemetry/exporter-prometheus";
import type { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import type * as SdkMetrics from "@opentelemetry/sdk-metrics";
import type { MeterProvider } from "@opentelemetry/sdk-metrics";

// Only the coordinator builds a registry; worker threads never load the metrics SDK.
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, see above */
const loadExporter = () => require("@opentelemetry/exporter-prometheus") as typeof ExporterPrometheus;
const loadMetricsSdk = () => require("@opentelemetry/sdk-metrics") as typeof SdkMetrics;
/* eslint-enable @typescript-eslint/no-require-imports */
import {
  DEFAULT_METRIC_PREFIX,
  METRIC_CATALOGUE,
  instrumentName,
  type CounterName,
  type GaugeName,
  type HistogramName,
  type MetricAttributes,
  type MetricDefinition,
  type MetricName,
} from "./metric-catalogue";
import { presetSeriesOf } from "./metric-presets";
import { metricSampleProblem, type MetricSample } from "./metric-samples";
import { ProcessRuntimeSampler, ThreadRuntimeSampler } from "./runtime-metrics";

export interface MetricsOptions {
  /** Prepended with an underscore to every instrument name; "mms" by default. */
  readonly prefix?: string;
  /** Told about every sample refused by apply (e.g. to count or log it). */
  readonly onRejectedSample?: (problem: string, sample: unknown) => void;
  /** Process and main-thread runtime metrics, sampled at each scrape; on by default. */
  readonly runtimeMetrics?: boolean;
}

type Instrument = { readonly kind: "counter"; readonly counter: Counter } | { readonly kind: "gauge"; readonly gauge: Gauge } | { readonly kind: "histogram"; readonly histogram: Histogram };

/**
 * The main thread's metrics: instruments declared from the catalogue, measured here
 * or applied from worker samples, scraped through the service's own HTTP port.
 */
export class MetricsRegistry {
  private readonly exporter: PrometheusExporter;
  private readonly provider: MeterProvider;
  private readonly serializer = new (loadExporter().PrometheusSerializer)("", false, undefined, true, true);
  private readonly instruments = new Map<MetricName, Instrument>();
  private readonly declaredSymbols = new Set<string>();
  private readonly runtimeSamplers: readonly { sample(): void; stop?(): void }[];
  private rejected = 0;

  constructor(private readonly options: MetricsOptions = {}) {
    // No server of its own: /metrics is one more route of the service's HTTP server.
    this.exporter = new (loadExporter().PrometheusExporter)({ preventServerStart: true, withoutScopeInfo: true, withoutTargetInfo: true });
    this.provider = new (loadMetricsSdk().MeterProvider)({ readers: [this.exporter] });
    const meter = this.provider.getMeter(options.prefix ?? DEFAULT_METRIC_PREFIX);
    const prefix = options.prefix ?? DEFAULT_METRIC_PREFIX;
    for (const name of Object.keys(METRIC_CATALOGUE) as MetricName[]) {
      const definition: MetricDefinition = METRIC_CATALOGUE[name];
      const instrumentOptions = { description: definition.description, unit: exportedUnit(definition.unit) };
      const fullName = instrumentName(name, prefix);
      switch (definition.kind) {
        case "counter":
          this.instruments.set(name, { kind: "counter", counter: meter.createCounter(fullName, instrumentOptions) });
          break;
        case "gauge":
          this.instruments.set(name, { kind: "gauge", gauge: meter.createGauge(fullName, instrumentOptions) });
          break;
        case "histogram":
          this.instruments.set(name, {
            kind: "histogram",
            histogram: meter.createHistogram(fullName, { ...instrumentOptions, advice: { explicitBucketBoundaries: [...(definition.buckets ?? [])] } }),
          });
          break;
      }
    }
    this.runtimeSamplers = options.runtimeMetrics === false ? [] : [new ProcessRuntimeSampler(this), new ThreadRuntimeSampler(this, { thread: "coordinator" })];
  }

  /**
   * Creates the symbol's counters at zero for every label value they are known to take
   * (metric-presets.ts). Done on the first sample naming the symbol; callable earlier.
   */
  declareSymbol(symbol: string): void {
    if (this.declaredSymbols.has(symbol)) return;
    this.declaredSymbols.add(symbol);
    for (const { name, attributes } of presetSeriesOf(symbol)) this.add(name, 0, attributes);
  }

  /** Samples refused by apply since start. */
  get rejectedSamples(): number {
    return this.rejected;
  }

  add(name: CounterName, value = 1, attributes: MetricAttributes = {}): void {
    const instrument = this.instruments.get(name);
    if (instrument?.kind === "counter") instrument.counter.add(value, attributes);
  }

  set(name: GaugeName, value: number, attributes: MetricAttributes = {}): void {
    const instrument = this.instruments.get(name);
    if (instrument?.kind === "gauge") instrument.gauge.record(value, attributes);
  }

  record(name: HistogramName, value: number, attributes: MetricAttributes = {}): void {
    const instrument = this.instruments.get(name);
    if (instrument?.kind === "histogram") instrument.histogram.record(value, attributes);
  }

  /**
   * Applies one sample from a worker. It crossed a thread boundary, so it is checked
   * like any input; a bad one is counted and reported, never thrown.
   */
  apply(sample: unknown): boolean {
    const problem = metricSampleProblem(sample);
    if (problem !== undefined) {
      this.rejected += 1;
      this.options.onRejectedSample?.(problem, sample);
      return false;
    }
    const valid = sample as MetricSample;
    const attributes = valid.attributes ?? {};
    if (attributes.symbol !== undefined) this.declareSymbol(attributes.symbol);
    switch (valid.kind) {
      case "COUNTER_ADD":
        this.add(valid.name, valid.value, attributes);
        break;
      case "GAUGE_SET":
        this.set(valid.name, valid.value, attributes);
        break;
      case "HISTOGRAM_RECORD":
        for (let times = valid.count ?? 1; times > 0; times--) this.record(valid.name, valid.value, attributes);
        break;
    }
    return true;
  }

  /** Applies a batch as flushed by a WorkerMetricsRecorder; returns how many were applied. */
  applyAll(samples: readonly unknown[]): number {
    let applied = 0;
    for (const sample of samples) if (this.apply(sample)) applied += 1;
    return applied;
  }

  /** The /metrics route: Prometheus text format of every instrument. */
  handleMetricsRequest(request: IncomingMessage, response: ServerResponse): void {
    this.sampleRuntime();
    this.exporter.getMetricsRequestHandler(request, response);
  }

  /** The same text as a scrape, for tests and diagnostics. */
  async collectText(): Promise<string> {
    this.sampleRuntime();
    const { resourceMetrics } = await this.exporter.collect();
    return this.serializer.serialize(resourceMetrics);
  }

  shutdown(): Promise<void> {
    for (const sampler of this.runtimeSamplers) sampler.stop?.();
    return this.provider.shutdown();
  }

  private sampleRuntime(): void {
    for (const sampler of this.runtimeSamplers) sampler.sample();
  }
}

export function createMetrics(options: MetricsOptions = {}): MetricsRegistry {
  return new MetricsRegistry(options);
}

const PROMETHEUS_UNITS: Readonly<Record<string, string>> = { s: "seconds", By: "bytes" };

/** `# UNIT` in Prometheus words, matching the name's suffix; annotations such as `{order}` and "1" are left out. */
function exportedUnit(unit: string): string {
  return PROMETHEUS_UNITS[unit] ?? (unit.startsWith("{") || unit === "1" ? "" : unit);
}
