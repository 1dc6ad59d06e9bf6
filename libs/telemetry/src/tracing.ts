import {
  context as contextApi,
  diag,
  INVALID_SPAN_CONTEXT,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from "@opentelemetry/api";
import type * as Core from "@opentelemetry/core";
import type * as ContextAsyncHooks from "@opentelemetry/context-async-hooks";
import type * as OtlpHttpExporter from "@opentelemetry/exporter-trace-otlp-http";
import type * as Resources from "@opentelemetry/resources";
import type * as SdkTrace from "@opentelemetry/sdk-trace";
import type { Sampler, SpanExporter } from "@opentelemetry/sdk-trace";
import type * as SemanticConventions from "@opentelemetry/semantic-conventions";

/**
 * The SDK, exporter and context manager load only when tracing starts: with tracing
 * off (the default) every worker thread is spared their memory and load time.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, see above */
function loadSdk() {
  return {
    ...(require("@opentelemetry/sdk-trace") as typeof SdkTrace),
    ...(require("@opentelemetry/context-async-hooks") as typeof ContextAsyncHooks),
    ...(require("@opentelemetry/exporter-trace-otlp-http") as typeof OtlpHttpExporter),
    ...(require("@opentelemetry/resources") as typeof Resources),
    W3CTraceContextPropagator: (require("@opentelemetry/core") as typeof Core).W3CTraceContextPropagator,
    ATTR_SERVICE_NAME: (require("@opentelemetry/semantic-conventions") as typeof SemanticConventions).ATTR_SERVICE_NAME,
  };
}
/* eslint-enable @typescript-eslint/no-require-imports */

export type Environment = Readonly<Record<string, string | undefined>>;

export interface TracingOptions {
  readonly serviceName: string;
  /** Unique to this run of the process: the `service.instance.id` resource attribute. */
  readonly instance: string;
  /** Read for the OTEL_* variables; the process environment by default. */
  readonly environment?: Environment;
  /** Replaces the OTLP/HTTP exporter (tests); tracing is then on even without an endpoint. */
  readonly exporter?: SpanExporter;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Why tracing is off, for the start-up log line. */
  readonly disabledReason?: string;
  forceFlush(): Promise<void>;
  /** Exports what is buffered, then unregisters the provider. */
  shutdown(): Promise<void>;
}

export interface SpanOptions {
  /** The parent, e.g. from extractTraceContext; the active context by default. */
  readonly parent?: Context;
  readonly kind?: SpanKind;
}

export const TRACER_NAME = "mms";
const SERVICE_INSTANCE_ID = "service.instance.id";
const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

// Read on every withSpan: while tracing is off the hot path skips the API entirely.
let tracingStarted = false;

/**
 * Starts tracing from the standard OTEL_* variables. With no endpoint, or
 * OTEL_SDK_DISABLED=true, nothing is registered and the API's no-op tracer stays.
 */
export function startTracing(options: TracingOptions): Tracing {
  const environment = options.environment ?? process.env;
  const disabledReason = reasonTracingIsOff(environment, options.exporter !== undefined);
  if (disabledReason !== undefined) return { enabled: false, disabledReason, forceFlush: async () => {}, shutdown: async () => {} };
  if (tracingStarted) throw new Error("startTracing: tracing already started in this thread; shut it down first");

  const { OTLPTraceExporter, TracerProvider, resourceFromAttributes, ATTR_SERVICE_NAME, BatchSpanProcessor, AsyncLocalStorageContextManager, W3CTraceContextPropagator } = loadSdk();
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: tracesEndpoint(environment) });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: nonEmpty(environment.OTEL_SERVICE_NAME) ?? options.serviceName,
      [SERVICE_INSTANCE_ID]: options.instance,
    }),
    sampler: samplerFromEnvironment(environment),
    spanProcessors: [new BatchSpanProcessor({ exporter, ...batchSettings(environment) })],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  contextApi.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  if (!trace.setGlobalTracerProvider(provider)) diag.warn("startTracing: another tracer provider was already registered; spans go there");
  tracingStarted = true;

  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => {
      stopped ??= provider.shutdown().finally(() => {
        trace.disable();
        propagation.disable();
        contextApi.disable();
        tracingStarted = false;
      });
      return stopped;
    },
  };
}

/** The standard OTEL_BSP_* variables; the v3 processor no longer reads them itself. */
function batchSettings(environment: Environment): { scheduledDelayMillis?: number; maxExportBatchSize?: number; maxQueueSize?: number } {
  const read = (name: string) => {
    const value = Number.parseInt(environment[name] ?? "", 10);
    return Number.isFinite(value) && value > 0 ? value : undefined;
  };
  const settings: { scheduledDelayMillis?: number; maxExportBatchSize?: number; maxQueueSize?: number } = {};
  const delay = read("OTEL_BSP_SCHEDULE_DELAY");
  const batch = read("OTEL_BSP_MAX_EXPORT_BATCH_SIZE");
  const queue = read("OTEL_BSP_MAX_QUEUE_SIZE");
  if (delay !== undefined) settings.scheduledDelayMillis = delay;
  if (batch !== undefined) settings.maxExportBatchSize = batch;
  if (queue !== undefined) settings.maxQueueSize = queue;
  return settings;
}

export function isTracingStarted(): boolean {
  return tracingStarted;
}

function reasonTracingIsOff(environment: Environment, hasExporter: boolean): string | undefined {
  if (nonEmpty(environment.OTEL_SDK_DISABLED)?.toLowerCase() === "true") return "OTEL_SDK_DISABLED is true";
  if (nonEmpty(environment.OTEL_TRACES_EXPORTER)?.toLowerCase() === "none") return "OTEL_TRACES_EXPORTER is none";
  if (!hasExporter && tracesEndpoint(environment) === undefined) return "no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
  return undefined;
}

/** The signal-specific endpoint is used as is; the generic one gets /v1/traces appended (OTLP spec). */
export function tracesEndpoint(environment: Environment): string | undefined {
  const specific = nonEmpty(environment.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (specific !== undefined) return specific;
  const generic = nonEmpty(environment.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (generic === undefined) return undefined;
  return `${generic.replace(/\/+$/, "")}/v1/traces`;
}

/** OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG as the specification defines them. */
export function samplerFromEnvironment(environment: Environment): Sampler {
  const { AlwaysOnSampler, AlwaysOffSampler, TraceIdRatioBasedSampler, ParentBasedSampler } = loadSdk();
  const name = nonEmpty(environment.OTEL_TRACES_SAMPLER)?.toLowerCase() ?? "parentbased_always_on";
  const ratio = () => samplerRatio(environment.OTEL_TRACES_SAMPLER_ARG);
  switch (name) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(ratio());
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      diag.warn(`OTEL_TRACES_SAMPLER "${name}" is not supported; using parentbased_always_on`);
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function samplerRatio(text: string | undefined): number {
  const trimmed = nonEmpty(text);
  if (trimmed === undefined) return 1;
  const ratio = Number(trimmed);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    diag.warn(`OTEL_TRACES_SAMPLER_ARG "${trimmed}" is not a ratio in [0, 1]; using 1`);
    return 1;
  }
  return ratio;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

/**
 * Runs `fn` inside a new span that is active for its duration (and its promise's);
 * a throw or rejection marks the span as an error and is rethrown.
 */
export function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => T, options: SpanOptions = {}): T {
  if (!tracingStarted) return fn(NOOP_SPAN);
  const parent = options.parent ?? contextApi.active();
  const span = trace.getTracer(TRACER_NAME).startSpan(name, { attributes, kind: options.kind ?? SpanKind.INTERNAL }, parent);
  let result: T;
  try {
    result = contextApi.with(trace.setSpan(parent, span), fn, undefined, span);
  } catch (error) {
    endWithError(span, error);
    throw error;
  }
  if (isPromiseLike(result)) {
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        endWithError(span, error);
        throw error;
      },
    ) as T;
  }
  span.end();
  return result;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function endWithError(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.end();
}

/** The active span's ids for log lines (@mms/logging's setTraceContextProvider). */
export function getActiveTraceIds(): { trace_id: string; span_id: string } | undefined {
  if (!tracingStarted) return undefined;
  const spanContext = trace.getSpanContext(contextApi.active());
  if (spanContext === undefined || !trace.isSpanContextValid(spanContext)) return undefined;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
