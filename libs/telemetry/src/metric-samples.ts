import { METRIC_CATALOGUE, isMetricName, type CounterName, type GaugeName, type HistogramName, type MetricAttributes, type MetricDefinition, type MetricKind } from "./metric-catalogue";

/**
 * What a worker thread sends the main thread so its measurements reach the one
 * /metrics endpoint. Plain data: structured-clone safe for postMessage.
 */
export type MetricSample =
  | { readonly kind: "COUNTER_ADD"; readonly name: CounterName; readonly value: number; readonly attributes: MetricAttributes }
  | { readonly kind: "GAUGE_SET"; readonly name: GaugeName; readonly value: number; readonly attributes: MetricAttributes }
  /** `count`: the value was measured this many times (a worker sends one sample per bucket, see WorkerMetricsRecorder). */
  | { readonly kind: "HISTOGRAM_RECORD"; readonly name: HistogramName; readonly value: number; readonly attributes: MetricAttributes; readonly count?: number };

export type MetricSampleKind = MetricSample["kind"];

export const SAMPLE_KIND_OF_METRIC: Readonly<Record<MetricKind, MetricSampleKind>> = {
  counter: "COUNTER_ADD",
  gauge: "GAUGE_SET",
  histogram: "HISTOGRAM_RECORD",
};

const MAX_ATTRIBUTE_VALUE_LENGTH = 64;
/** Far above a second of any worker's measurements: one bad sample cannot stall the main thread. */
const MAX_HISTOGRAM_COUNT = 1_000_000;

/**
 * Why a value received from another thread is not a usable sample, or undefined when
 * it is: a known name whose kind matches, a finite value (not negative for a
 * counter) and only the metric's declared labels, with short string values.
 */
export function metricSampleProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return "is not an object";
  const sample = value as Record<string, unknown>;
  if (!isMetricName(sample.name)) return `names no metric of the catalogue (${String(sample.name)})`;
  const definition: MetricDefinition = METRIC_CATALOGUE[sample.name];
  const expected = SAMPLE_KIND_OF_METRIC[definition.kind];
  if (sample.kind !== expected) return `has kind ${String(sample.kind)} but ${sample.name} takes ${expected}`;
  if (typeof sample.value !== "number" || !Number.isFinite(sample.value)) return "has a value that is not a finite number";
  if (expected === "COUNTER_ADD" && sample.value < 0) return "adds a negative value to a counter";
  if (sample.count !== undefined && (expected !== "HISTOGRAM_RECORD" || !Number.isSafeInteger(sample.count) || (sample.count as number) < 1 || (sample.count as number) > MAX_HISTOGRAM_COUNT)) {
    return `has a count that is not an integer from 1 to ${MAX_HISTOGRAM_COUNT} of a histogram`;
  }
  const attributes = sample.attributes;
  if (attributes === undefined) return undefined;
  if (typeof attributes !== "object" || attributes === null) return "has attributes that are not an object";
  for (const [key, attribute] of Object.entries(attributes)) {
    if (!(definition.attributes as readonly string[]).includes(key)) return `has attribute ${key}, which ${sample.name} does not declare`;
    if (typeof attribute !== "string" || attribute.length > MAX_ATTRIBUTE_VALUE_LENGTH) return `has attribute ${key} that is not a string of at most ${MAX_ATTRIBUTE_VALUE_LENGTH} characters`;
  }
  return undefined;
}

export function isMetricSample(value: unknown): value is MetricSample {
  return metricSampleProblem(value) === undefined;
}
