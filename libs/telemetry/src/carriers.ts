import { context as contextApi, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, type Context } from "@opentelemetry/api";
import type * as Core from "@opentelemetry/core";

/**
 * `traceparent`/`tracestate` as a plain object of strings: structured-clone safe for
 * postMessage between worker threads, and copied as-is into NATS headers.
 */
export type TraceCarrier = Record<string, string>;

/** The part of nats.js `MsgHdrs` this package needs, so it does not import nats. */
export interface MessageHeaders {
  get(key: string): string;
  set(key: string, value: string): void;
}

export const TRACE_HEADER_NAMES = ["traceparent", "tracestate"] as const;

// Our own instance, not the global one: carriers work the same whether or not tracing started.
// Made on first use: a worker with tracing off never carries a context, and @opentelemetry/core
// would cost each worker thread about 3 MB and 0.15 CPU s to load.
let w3c: Core.W3CTraceContextPropagator | undefined;
function propagator(): Core.W3CTraceContextPropagator {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
  return (w3c ??= new (require("@opentelemetry/core") as typeof Core).W3CTraceContextPropagator());
}

/** The trace context of `context` (the active one by default); empty when no valid span. */
export function injectTraceContext(context: Context = contextApi.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagator().inject(context, carrier, defaultTextMapSetter);
  return carrier;
}

/** A context whose remote parent is the carrier's span; `base` unchanged when there is none. */
export function extractTraceContext(carrier: Readonly<Record<string, unknown>> | undefined, base: Context = ROOT_CONTEXT): Context {
  if (carrier === undefined || carrier === null || typeof carrier !== "object") return base;
  const strings: TraceCarrier = {};
  for (const name of TRACE_HEADER_NAMES) {
    const value = carrier[name];
    if (typeof value === "string" && value !== "") strings[name] = value;
  }
  if (strings.traceparent === undefined) return base;
  return propagator().extract(base, strings, defaultTextMapGetter);
}

/** Copies the trace context into message headers (e.g. a NATS publish). */
export function writeTraceHeaders(headers: MessageHeaders, context: Context = contextApi.active()): void {
  for (const [name, value] of Object.entries(injectTraceContext(context))) headers.set(name, value);
}

/** Reads the trace context back from message headers; nats.js returns "" for a missing header. */
export function readTraceHeaders(headers: MessageHeaders | undefined, base: Context = ROOT_CONTEXT): Context {
  if (headers === undefined) return base;
  const carrier: TraceCarrier = {};
  for (const name of TRACE_HEADER_NAMES) {
    const value = headers.get(name);
    if (value) carrier[name] = value;
  }
  return extractTraceContext(carrier, base);
}
