import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { InMemorySpanExporter, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace";
import { getActiveTraceIds, isTracingStarted, samplerFromEnvironment, startTracing, tracesEndpoint, withSpan } from "../src/tracing";
import { SpanKind } from "@opentelemetry/api";

describe("startTracing when tracing is off", () => {
  it.each([
    ["no endpoint is configured", {}, "no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"],
    ["OTEL_SDK_DISABLED is true", { OTEL_SDK_DISABLED: "TRUE", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }, "OTEL_SDK_DISABLED is true"],
    ["OTEL_TRACES_EXPORTER is none", { OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }, "OTEL_TRACES_EXPORTER is none"],
  ])("registers nothing when %s", async (_name, environment, reason) => {
    const started = performance.now();
    const tracing = startTracing({ serviceName: "mms", instance: "test", environment });
    expect(performance.now() - started).toBeLessThan(50);
    expect(tracing).toMatchObject({ enabled: false, disabledReason: reason });
    expect(isTracingStarted()).toBe(false);
    expect(trace.getTracer("mms").startSpan("x").isRecording()).toBe(false);
    await expect(tracing.shutdown()).resolves.toBeUndefined();
  });

  it("runs withSpan's function directly with a non-recording span and reports no trace ids", () => {
    const result = withSpan("tick", { symbol: "BTCUSDT-PERP" }, (span) => {
      expect(span.isRecording()).toBe(false);
      expect(getActiveTraceIds()).toBeUndefined();
      return 42;
    });
    expect(result).toBe(42);
  });
});

describe("environment configuration", () => {
  it.each([
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/custom" }, "http://collector:4318/custom"],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }, "http://collector:4318/v1/traces"],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }, "http://collector:4318/v1/traces"],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b:4318/v1/traces" }, "http://b:4318/v1/traces"],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "  " }, undefined],
  ])("the traces endpoint for %j is %s", (environment, expected) => {
    expect(tracesEndpoint(environment)).toBe(expected);
  });

  it.each([
    [{}, "ParentBased{root=AlwaysOnSampler"],
    [{ OTEL_TRACES_SAMPLER: "always_off" }, "AlwaysOffSampler"],
    [{ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.25" }, "TraceIdRatioBased{0.25}"],
    [{ OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.1" }, "ParentBased{root=TraceIdRatioBased{0.1}"],
    [{ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "2" }, "TraceIdRatioBased{1}"],
    [{ OTEL_TRACES_SAMPLER: "jaeger_remote" }, "ParentBased{root=AlwaysOnSampler"],
  ])("the sampler for %j starts with %s", (environment, expected) => {
    expect(samplerFromEnvironment(environment).toString().startsWith(expected)).toBe(true);
  });
});

/** Keeps what it was given even after shutdown, unlike InMemorySpanExporter. */
class RecordingExporter implements SpanExporter {
  readonly spans: ReadableSpan[] = [];
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.spans.push(...spans);
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

describe("startTracing when tracing is on", () => {
  it("records nested spans with attributes, kind and the trace ids logs need", async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ serviceName: "mms", instance: "mms-0", environment: {}, exporter });
    try {
      expect(tracing.enabled).toBe(true);
      let inner: ReturnType<typeof getActiveTraceIds>;
      withSpan("control", { command: "resume" }, () => {
        withSpan("publish intent", { symbol: "BTCUSDT-PERP" }, () => (inner = getActiveTraceIds()), { kind: SpanKind.PRODUCER });
      });
      expect(getActiveTraceIds()).toBeUndefined();
      await tracing.forceFlush();
      const [child, parent] = exporter.getFinishedSpans();
      expect(child).toMatchObject({ name: "publish intent", kind: SpanKind.PRODUCER, attributes: { symbol: "BTCUSDT-PERP" } });
      expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
      expect(inner).toEqual({ trace_id: child?.spanContext().traceId, span_id: child?.spanContext().spanId });
      expect(parent?.resource.attributes).toMatchObject({ "service.name": "mms", "service.instance.id": "mms-0" });
    } finally {
      await tracing.shutdown();
    }
  });

  it("keeps the span open across an async function and marks a rejection as an error", async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ serviceName: "mms", instance: "mms-0", environment: { OTEL_SERVICE_NAME: "mms-from-env" }, exporter });
    try {
      const value = await withSpan("submit", {}, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return getActiveTraceIds();
      });
      expect(value).toBeDefined();
      await expect(withSpan("fails", {}, async () => Promise.reject(new Error("no ack")))).rejects.toThrow("no ack");
      expect(() => withSpan("throws", {}, () => {
        throw new Error("boom");
      })).toThrow("boom");
      await tracing.forceFlush();
      const spans = exporter.getFinishedSpans();
      expect(spans.map((span) => span.name)).toEqual(["submit", "fails", "throws"]);
      expect(spans[0]?.spanContext().spanId).toBe(value?.span_id);
      expect(spans[1]?.status).toEqual({ code: SpanStatusCode.ERROR, message: "no ack" });
      expect(spans[1]?.events[0]?.name).toBe("exception");
      expect(spans[0]?.resource.attributes["service.name"]).toBe("mms-from-env");
    } finally {
      await tracing.shutdown();
    }
  });

  it("shutdown flushes buffered spans to the exporter and unregisters everything", async () => {
    const exporter = new RecordingExporter();
    const tracing = startTracing({ serviceName: "mms", instance: "mms-0", environment: {}, exporter });
    withSpan("last words", {}, () => undefined);
    expect(exporter.spans).toHaveLength(0);
    await tracing.shutdown();
    expect(exporter.spans.map((span) => span.name)).toEqual(["last words"]);
    expect(isTracingStarted()).toBe(false);
    expect(trace.getTracer("mms").startSpan("after").isRecording()).toBe(false);
    expect(context.active()).toBeDefined();
  });

  it("starts with the OTLP exporter when only an endpoint is configured", async () => {
    const tracing = startTracing({ serviceName: "mms", instance: "mms-0", environment: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" } });
    expect(tracing.enabled).toBe(true);
    await tracing.shutdown();
  });

  it("refuses a second start in the same thread", async () => {
    const tracing = startTracing({ serviceName: "mms", instance: "mms-0", environment: {}, exporter: new RecordingExporter() });
    try {
      expect(() => startTracing({ serviceName: "mms", instance: "mms-0", environment: {}, exporter: new RecordingExporter() })).toThrow("already started");
    } finally {
      await tracing.shutdown();
    }
  });
});
