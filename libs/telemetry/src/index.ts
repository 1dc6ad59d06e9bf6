export { extractTraceContext, injectTraceContext, readTraceHeaders } from "./carriers";
export { createMetrics, type MetricsRegistry } from "./metrics-registry";
export { getActiveTraceIds, startTracing, withSpan } from "./tracing";
export { WorkerMetricsRecorder } from "./worker-metrics-recorder";
export { startThreadRuntimeMetrics, TimerLateness } from "./runtime-metrics";
export { SpanKind, type Context } from "@opentelemetry/api";
export { SYMBOL_STATE_VALUES } from "./metric-catalogue";
export type { MetricSample } from "./metric-samples";
