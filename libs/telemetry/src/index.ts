export { extractTraceContext, injectTraceContext, readTraceHeaders, writeTraceHeaders, TRACE_HEADER_NAMES, type MessageHeaders, type TraceCarrier } from "./carriers";
export {
  describeMetrics,
  instrumentName,
  isMetricName,
  prometheusMetricName,
  DEFAULT_METRIC_PREFIX,
  METRIC_ATTRIBUTE_NAMES,
  METRIC_CATALOGUE,
  SYMBOL_STATE_VALUES,
  type CounterName,
  type GaugeName,
  type HistogramName,
  type MetricAttributeName,
  type MetricAttributes,
  type MetricDefinition,
  type MetricDocumentation,
  type MetricKind,
  type MetricName,
} from "./metric-catalogue";
export { presetSeriesOf, PRESET_COUNTER_SERIES } from "./metric-presets";
export { ProcessRuntimeSampler, startThreadRuntimeMetrics, ThreadRuntimeSampler, type MetricSink, type ThreadLabels } from "./runtime-metrics";
export { isMetricSample, metricSampleProblem, SAMPLE_KIND_OF_METRIC, type MetricSample, type MetricSampleKind } from "./metric-samples";
export { createMetrics, MetricsRegistry, type MetricsOptions } from "./metrics-registry";
export {
  getActiveTraceIds,
  isTracingStarted,
  samplerFromEnvironment,
  startTracing,
  tracesEndpoint,
  withSpan,
  TRACER_NAME,
  type Environment,
  type SpanOptions,
  type Tracing,
  type TracingOptions,
} from "./tracing";
export { WorkerMetricsRecorder, type WorkerMetricsRecorderOptions } from "./worker-metrics-recorder";
export { SpanKind, type Context, type Span } from "@opentelemetry/api";
