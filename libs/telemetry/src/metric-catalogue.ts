export type MetricKind = "counter" | "gauge" | "histogram";

/** The only labels the service uses: every one has a small, known set of values. */
/** `thread` is `coordinator` or `symbol` (then with `symbol`); see runtime-metrics.ts. */
export const METRIC_ATTRIBUTE_NAMES = ["symbol", "reason", "command", "outcome", "state", "thread"] as const;
export type MetricAttributeName = (typeof METRIC_ATTRIBUTE_NAMES)[number];
export type MetricAttributes = Readonly<Partial<Record<MetricAttributeName, string>>>;

export interface MetricDefinition {
  readonly kind: MetricKind;
  /** UCUM-style unit; `s` and `By` are shown as `# UNIT seconds`/`bytes`, the suffix the name ends with. */
  readonly unit: string;
  readonly description: string;
  readonly attributes: readonly MetricAttributeName[];
  /** Histogram bucket upper bounds, in the metric's unit. */
  readonly buckets?: readonly number[];
  /** A standard process metric: exported under its own name, without the service prefix. */
  readonly unprefixed?: true;
}

// Prometheus base units: latencies in seconds (the workers measure milliseconds and convert).
const LATENCY_BUCKETS_SECONDS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] as const;
const LAG_BUCKETS_SECONDS = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10] as const;
const THREAD_LABELS = ["thread", "symbol"] as const satisfies readonly MetricAttributeName[];

/** Value of `symbol_state`: a gauge is cheaper to alert on than a one-hot set of series. */
export const SYMBOL_STATE_VALUES = { ACTIVE: 0, PAUSED: 1, HALTED: 2 } as const;

/**
 * Every instrument of the service. Keys are instrument names without the prefix; the
 * Prometheus exporter appends `_total` to counters and nothing else, so units that
 * matter are spelled out in the name. Docs are generated from this object.
 */
export const METRIC_CATALOGUE = {
  symbol_state: {
    kind: "gauge",
    unit: "1",
    description: "State of the symbol: 0 ACTIVE, 1 PAUSED, 2 HALTED.",
    attributes: ["symbol"],
  },
  position: { kind: "gauge", unit: "{base}", description: "Signed position in base units.", attributes: ["symbol"] },
  notional: { kind: "gauge", unit: "{quote}", description: "Absolute position times mid, in quote currency.", attributes: ["symbol"] },
  realized_pnl: { kind: "gauge", unit: "{quote}", description: "Realized profit and loss, in quote currency, before fees.", attributes: ["symbol"] },
  unrealized_pnl: { kind: "gauge", unit: "{quote}", description: "Unrealized profit and loss at mid, in quote currency.", attributes: ["symbol"] },
  fees: { kind: "gauge", unit: "{quote}", description: "Fees paid so far, in quote currency; negative when rebates dominate.", attributes: ["symbol"] },
  quoted_spread_basis_points: { kind: "gauge", unit: "{bp}", description: "Spread between our bid and ask, in basis points of mid.", attributes: ["symbol"] },
  market_spread_basis_points: { kind: "gauge", unit: "{bp}", description: "Spread between best bid and best ask, in basis points of mid.", attributes: ["symbol"] },
  mid_price: { kind: "gauge", unit: "{quote}", description: "Mid of the best bid and best ask.", attributes: ["symbol"] },
  volatility_basis_points: { kind: "gauge", unit: "{bp}", description: "Short-horizon volatility estimate of the mid, in basis points.", attributes: ["symbol"] },
  orders_sent: { kind: "counter", unit: "{order}", description: "NEW intents acknowledged by the ORDERS stream.", attributes: ["symbol"] },
  orders_cancelled: { kind: "counter", unit: "{order}", description: "CANCELED execution reports, by reason.", attributes: ["symbol", "reason"] },
  orders_rejected: { kind: "counter", unit: "{order}", description: "REJECTED execution reports and failed submissions, by reason.", attributes: ["symbol", "reason"] },
  orders_filled: { kind: "counter", unit: "{fill}", description: "FILL execution reports.", attributes: ["symbol"] },
  execution_reports_replayed: {
    kind: "counter",
    unit: "{report}",
    description: "Execution reports replayed from EXEC to rebuild inventory and orders (at start-up, after a worker restart): how far a recovery has come.",
    attributes: ["symbol"],
  },
  market_data_messages: { kind: "counter", unit: "{message}", description: "Market-data messages received.", attributes: ["symbol"] },
  market_data_faults: { kind: "counter", unit: "{fault}", description: "Market-data faults detected, by reason code.", attributes: ["symbol", "reason"] },
  market_data_queue_depth: {
    kind: "gauge",
    unit: "{message}",
    description: "Most market-data messages waiting for the symbol's actor at once over the last second (a burst the actor conflates).",
    attributes: ["symbol"],
  },
  market_data_dropped: { kind: "counter", unit: "{message}", description: "Deltas and trades dropped because the actor's queue was full (the actor paused BUS_LAG).", attributes: ["symbol"] },
  market_data_lag_seconds: {
    kind: "histogram",
    unit: "s",
    description: "Receive time minus the exchange timestamp of market data.",
    attributes: ["symbol"],
    buckets: LAG_BUCKETS_SECONDS,
  },
  tick_to_intent_latency_seconds: {
    kind: "histogram",
    unit: "s",
    description: "From receiving a market-data message to the order intents it caused.",
    attributes: ["symbol"],
    buckets: LATENCY_BUCKETS_SECONDS,
  },
  quote_presence_ratio: {
    kind: "gauge",
    unit: "1",
    description: "Share of the time since start, at most the last hour, with both orders resting at quoteSize and ask - bid <= 2 x spreadBps/10000 x mid.",
    attributes: ["symbol"],
  },
  order_to_trade_ratio: {
    kind: "gauge",
    unit: "1",
    description: "NEW and CANCEL intents sent per fill over the same time; absent until the first fill.",
    attributes: ["symbol"],
  },
  cancel_all_resends: { kind: "counter", unit: "{publish}", description: "CANCEL_ALL intents published again because the ORDERS stream had not acknowledged them.", attributes: ["symbol"] },
  audit_events_held: { kind: "gauge", unit: "{event}", description: "Audit events waiting for MMS_EVENTS (bus away, not connected yet, or a failed publish held for a retry).", attributes: ["symbol"] },
  audit_events_dropped: { kind: "counter", unit: "{event}", description: "Audit events dropped because more than the most held were waiting.", attributes: ["symbol"] },
  kill_switch_triggers: { kind: "counter", unit: "{trigger}", description: "Automatic moves into PAUSED or HALTED, by reason code.", attributes: ["symbol", "reason", "state"] },
  nats_connected: { kind: "gauge", unit: "1", description: "1 while the NATS connection is up, 0 otherwise.", attributes: [] },
  worker_restarts: { kind: "counter", unit: "{restart}", description: "Symbol workers started again after a failure.", attributes: ["symbol"] },
  worker_failures: { kind: "counter", unit: "{failure}", description: "Symbol workers that died or stopped answering, by reason.", attributes: ["symbol", "reason"] },
  control_commands: {
    kind: "counter",
    unit: "{command}",
    description: "Control messages by command and outcome (accepted, refused, invalid).",
    attributes: ["symbol", "command", "outcome"],
  },
  process_cpu_seconds: { kind: "counter", unit: "s", description: "User and system CPU time of the whole process, every thread.", attributes: [], unprefixed: true },
  process_resident_memory_bytes: { kind: "gauge", unit: "By", description: "Resident set size of the process.", attributes: [], unprefixed: true },
  process_start_time_seconds: { kind: "gauge", unit: "s", description: "Start time of the process, seconds since the Unix epoch.", attributes: [], unprefixed: true },
  thread_cpu_seconds: { kind: "counter", unit: "s", description: "User and system CPU time of one thread.", attributes: THREAD_LABELS },
  thread_event_loop_delay_seconds: { kind: "gauge", unit: "s", description: "99th percentile of the thread's event-loop delay over the last sampling interval.", attributes: THREAD_LABELS },
  thread_event_loop_delay_max_seconds: { kind: "gauge", unit: "s", description: "Longest event-loop delay of the thread over the last sampling interval.", attributes: THREAD_LABELS },
  thread_event_loop_utilization_ratio: { kind: "gauge", unit: "1", description: "Share of the last sampling interval the thread's event loop was busy.", attributes: THREAD_LABELS },
  thread_heap_used_bytes: { kind: "gauge", unit: "By", description: "V8 heap in use by the thread's isolate.", attributes: THREAD_LABELS },
} as const satisfies Readonly<Record<string, MetricDefinition>>;

export type MetricName = keyof typeof METRIC_CATALOGUE;
type NameOfKind<K extends MetricKind> = { [N in MetricName]: (typeof METRIC_CATALOGUE)[N]["kind"] extends K ? N : never }[MetricName];
export type CounterName = NameOfKind<"counter">;
export type GaugeName = NameOfKind<"gauge">;
export type HistogramName = NameOfKind<"histogram">;

export const DEFAULT_METRIC_PREFIX = "mms";

export function isMetricName(name: unknown): name is MetricName {
  return typeof name === "string" && Object.hasOwn(METRIC_CATALOGUE, name);
}

/** The OpenTelemetry instrument name: prefix, underscore, catalogue key (the key alone for process metrics). */
export function instrumentName(name: MetricName, prefix: string = DEFAULT_METRIC_PREFIX): string {
  const definition: MetricDefinition = METRIC_CATALOGUE[name];
  return prefix === "" || definition.unprefixed ? name : `${prefix}_${name}`;
}

/** The name a scrape shows: the Prometheus exporter adds `_total` to counters only. */
export function prometheusMetricName(name: MetricName, prefix: string = DEFAULT_METRIC_PREFIX): string {
  const base = instrumentName(name, prefix);
  return METRIC_CATALOGUE[name].kind === "counter" ? `${base}_total` : base;
}

export interface MetricDocumentation {
  readonly name: string;
  readonly type: MetricKind;
  readonly unit: string;
  readonly labels: readonly MetricAttributeName[];
  readonly description: string;
}

/** One row per metric, as scraped: the source for generated docs. */
export function describeMetrics(prefix: string = DEFAULT_METRIC_PREFIX): MetricDocumentation[] {
  return (Object.keys(METRIC_CATALOGUE) as MetricName[]).map((name) => {
    const definition: MetricDefinition = METRIC_CATALOGUE[name];
    return { name: prometheusMetricName(name, prefix), type: definition.kind, unit: definition.unit, labels: definition.attributes, description: definition.description };
  });
}
