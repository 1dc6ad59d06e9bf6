import { ROOT_CONTEXT, trace, TraceFlags, type SpanContext } from "@opentelemetry/api";
import { TraceState } from "@opentelemetry/core";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace";
import { extractTraceContext, injectTraceContext, readTraceHeaders, writeTraceHeaders, type MessageHeaders } from "../src/carriers";
import { startTracing, withSpan } from "../src/tracing";

const parentSpan: SpanContext = {
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  traceFlags: TraceFlags.SAMPLED,
  traceState: new TraceState("mms=worker-1"),
};
const withParent = trace.setSpanContext(ROOT_CONTEXT, parentSpan);

/** Behaves like nats.js MsgHdrs: a missing header reads as "". */
class FakeHeaders implements MessageHeaders {
  readonly values = new Map<string, string>();
  get(key: string): string {
    return this.values.get(key) ?? "";
  }
  set(key: string, value: string): void {
    this.values.set(key, value);
  }
}

describe("trace carriers", () => {
  it("inject writes W3C traceparent and tracestate as a plain object of strings", () => {
    expect(injectTraceContext(withParent)).toEqual({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: "mms=worker-1" });
  });

  it("a carrier survives structured cloning (postMessage) and extracts to the same trace and parent span", () => {
    const cloned = structuredClone(injectTraceContext(withParent));
    const extracted = trace.getSpanContext(extractTraceContext(cloned));
    expect(extracted).toMatchObject({ traceId: parentSpan.traceId, spanId: parentSpan.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(extracted?.traceState?.get("mms")).toBe("worker-1");
  });

  it("inject gives an empty carrier when no span is active", () => {
    expect(injectTraceContext(ROOT_CONTEXT)).toEqual({});
  });

  it.each([
    ["undefined", undefined],
    ["an empty carrier", {}],
    ["a malformed traceparent", { traceparent: "00-not-a-trace-01" }],
    ["an all-zero trace id", { traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01" }],
    ["a traceparent that is not a string", { traceparent: 42 }],
  ])("extract of %s returns the base context without a span", (_name, carrier) => {
    const extracted = extractTraceContext(carrier as Record<string, unknown> | undefined);
    expect(trace.getSpanContext(extracted)).toBeUndefined();
  });

  it("writes to and reads from NATS-style headers without importing nats", () => {
    const headers = new FakeHeaders();
    writeTraceHeaders(headers, withParent);
    expect(headers.values.get("traceparent")).toBe("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    expect(trace.getSpanContext(readTraceHeaders(headers))).toMatchObject({ traceId: parentSpan.traceId, spanId: parentSpan.spanId });
    expect(trace.getSpanContext(readTraceHeaders(new FakeHeaders()))).toBeUndefined();
    expect(trace.getSpanContext(readTraceHeaders(undefined))).toBeUndefined();
  });

  it("a span started from an extracted carrier is a child of the sender's span in the same trace", async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ serviceName: "mms", instance: "test", environment: {}, exporter });
    try {
      // Main thread side: a span whose context travels to a worker.
      const carrier = withSpan("route market data", {}, () => structuredClone(injectTraceContext()));
      // Worker side: the received carrier is the parent.
      withSpan("decide quotes", { symbol: "BTCUSDT-PERP" }, () => undefined, { parent: extractTraceContext(carrier) });
      await tracing.forceFlush();
      const [sender, receiver] = exporter.getFinishedSpans();
      expect(receiver?.spanContext().traceId).toBe(sender?.spanContext().traceId);
      expect(receiver?.parentSpanContext?.spanId).toBe(sender?.spanContext().spanId);
      expect(carrier.traceparent).toBe(`00-${sender?.spanContext().traceId}-${sender?.spanContext().spanId}-01`);
    } finally {
      await tracing.shutdown();
    }
  });
});
