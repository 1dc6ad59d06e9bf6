/** The ids of the span active where a line is logged, in W3C hex form. */
export interface TraceIds {
  readonly trace_id: string;
  readonly span_id: string;
}

export type TraceContextProvider = () => TraceIds | undefined;

let currentProvider: TraceContextProvider | undefined;

/**
 * Installs the lookup every logger of this thread uses for `trace_id`/`span_id`.
 * A hook rather than an import keeps this package free of OpenTelemetry; the shell
 * passes `getActiveTraceIds` from @mms/telemetry. Each worker thread sets its own.
 */
export function setTraceContextProvider(provider: TraceContextProvider | undefined): void {
  currentProvider = provider;
}

export function currentTraceIds(override?: TraceContextProvider): TraceIds | undefined {
  const provider = override ?? currentProvider;
  if (provider === undefined) return undefined;
  try {
    return provider();
  } catch {
    // A broken hook must not cost the log line.
    return undefined;
  }
}
