import type { IncomingMessage, ServerResponse } from "node:http";
import { createMetrics, type MetricsRegistry } from "../src/metrics-registry";
import { describeMetrics, METRIC_CATALOGUE, prometheusMetricName, SYMBOL_STATE_VALUES, type MetricName } from "../src/metric-catalogue";
import { type MetricSample } from "../src/metric-samples";

const registries: MetricsRegistry[] = [];
function registry(options?: Parameters<typeof createMetrics>[0]): MetricsRegistry {
  const created = createMetrics(options);
  registries.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(registries.splice(0).map((created) => created.shutdown()));
});

/** Enough of ServerResponse for the exporter's handler. */
function fakeResponse() {
  const headers: Record<string, string> = {};
  let resolveBody: (body: string) => void = () => undefined;
  const body = new Promise<string>((resolve) => (resolveBody = resolve));
  const response = {
    statusCode: 0,
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value),
    end: (text: string) => resolveBody(text),
  };
  return { response, headers, body };
}

describe("MetricsRegistry", () => {
  it.each<[string, MetricSample, string]>([
    ["a counter add", { kind: "COUNTER_ADD", name: "orders_sent", value: 3, attributes: { symbol: "BTCUSDT-PERP" } }, 'mms_orders_sent_total{symbol="BTCUSDT-PERP"} 3'],
    ["a gauge set", { kind: "GAUGE_SET", name: "position", value: -0.25, attributes: { symbol: "BTCUSDT-PERP" } }, 'mms_position{symbol="BTCUSDT-PERP"} -0.25'],
    ["a gauge without labels", { kind: "GAUGE_SET", name: "nats_connected", value: 1, attributes: {} }, "mms_nats_connected 1"],
    [
      "a counter with two labels",
      { kind: "COUNTER_ADD", name: "market_data_faults", value: 1, attributes: { symbol: "ETHUSDT-PERP", reason: "MD_GAP" } },
      'mms_market_data_faults_total{symbol="ETHUSDT-PERP",reason="MD_GAP"} 1',
    ],
    [
      "a histogram record",
      { kind: "HISTOGRAM_RECORD", name: "market_data_lag_seconds", value: 0.007, attributes: { symbol: "BTCUSDT-PERP" } },
      'mms_market_data_lag_seconds_bucket{symbol="BTCUSDT-PERP",le="0.01"} 1',
    ],
  ])("shows %s in the Prometheus text with the right name, labels and value", async (_name, sample, line) => {
    const metrics = registry();
    expect(metrics.apply(sample)).toBe(true);
    expect((await metrics.collectText()).split("\n")).toContain(line);
  });

  it("serves the same text through handleMetricsRequest with status 200", async () => {
    const metrics = registry();
    metrics.apply({ kind: "GAUGE_SET", name: "symbol_state", value: SYMBOL_STATE_VALUES.HALTED, attributes: { symbol: "BTCUSDT-PERP" } });
    const { response, headers, body } = fakeResponse();
    metrics.handleMetricsRequest({ url: "/metrics" } as IncomingMessage, response as unknown as ServerResponse);
    const text = await body;
    expect(response.statusCode).toBe(200);
    expect(headers["content-type"]).toMatch(/^text\/plain/);
    expect(text).toContain("# TYPE mms_symbol_state gauge");
    expect(text).toContain('mms_symbol_state{symbol="BTCUSDT-PERP"} 2');
    expect(text).not.toContain("otel_scope");
    expect(text).not.toContain("target_info");
  });

  it("sums counter adds and keeps the last gauge value per label set", async () => {
    const metrics = registry();
    metrics.applyAll([
      { kind: "COUNTER_ADD", name: "control_commands", value: 1, attributes: { command: "resume", outcome: "refused" } },
      { kind: "COUNTER_ADD", name: "control_commands", value: 2, attributes: { command: "resume", outcome: "refused" } },
      { kind: "COUNTER_ADD", name: "control_commands", value: 1, attributes: { command: "kill", outcome: "accepted" } },
      { kind: "GAUGE_SET", name: "mid_price", value: 50000, attributes: { symbol: "BTCUSDT-PERP" } },
      { kind: "GAUGE_SET", name: "mid_price", value: 50000.5, attributes: { symbol: "BTCUSDT-PERP" } },
    ]);
    const lines = (await metrics.collectText()).split("\n");
    expect(lines).toEqual(expect.arrayContaining([
      'mms_control_commands_total{command="resume",outcome="refused"} 3',
      'mms_control_commands_total{command="kill",outcome="accepted"} 1',
      'mms_mid_price{symbol="BTCUSDT-PERP"} 50000.5',
    ]));
  });

  it("writes histograms in seconds, the base unit, with the catalogue's buckets, count and sum", async () => {
    const metrics = registry();
    // Powers of two: exact in binary, so the sum is exact too.
    for (const value of [2 ** -12, 2 ** -10, 0.25]) metrics.record("tick_to_intent_latency_seconds", value, { symbol: "BTCUSDT-PERP" });
    const lines = (await metrics.collectText()).split("\n");
    expect(lines).toEqual(expect.arrayContaining([
      "# UNIT mms_tick_to_intent_latency_seconds seconds",
      "# TYPE mms_tick_to_intent_latency_seconds histogram",
      'mms_tick_to_intent_latency_seconds_count{symbol="BTCUSDT-PERP"} 3',
      'mms_tick_to_intent_latency_seconds_sum{symbol="BTCUSDT-PERP"} 0.251220703125',
      'mms_tick_to_intent_latency_seconds_bucket{symbol="BTCUSDT-PERP",le="0.00025"} 1',
      'mms_tick_to_intent_latency_seconds_bucket{symbol="BTCUSDT-PERP",le="0.001"} 2',
      'mms_tick_to_intent_latency_seconds_bucket{symbol="BTCUSDT-PERP",le="0.1"} 2',
      'mms_tick_to_intent_latency_seconds_bucket{symbol="BTCUSDT-PERP",le="0.25"} 3',
      'mms_tick_to_intent_latency_seconds_bucket{symbol="BTCUSDT-PERP",le="+Inf"} 3',
    ]));
  });

  it("records a histogram sample with a count that many times (one sample per bucket from a worker)", async () => {
    const metrics = registry();
    metrics.apply({ kind: "HISTOGRAM_RECORD", name: "market_data_lag_seconds", value: 0.25, attributes: { symbol: "BTCUSDT-PERP" }, count: 4 });
    const lines = (await metrics.collectText()).split("\n");
    expect(lines).toEqual(expect.arrayContaining([
      'mms_market_data_lag_seconds_count{symbol="BTCUSDT-PERP"} 4',
      'mms_market_data_lag_seconds_sum{symbol="BTCUSDT-PERP"} 1',
      'mms_market_data_lag_seconds_bucket{symbol="BTCUSDT-PERP",le="0.1"} 0',
      'mms_market_data_lag_seconds_bucket{symbol="BTCUSDT-PERP",le="0.25"} 4',
    ]));
  });

  it.each([
    ["a value that is not an object", 5, "is not an object"],
    ["an unknown metric", { kind: "COUNTER_ADD", name: "orders_sent_total", value: 1, attributes: {} }, "names no metric of the catalogue (orders_sent_total)"],
    ["a kind that does not match the metric", { kind: "COUNTER_ADD", name: "position", value: 1, attributes: {} }, "has kind COUNTER_ADD but position takes GAUGE_SET"],
    ["an unknown kind", { kind: "SUMMARY_OBSERVE", name: "position", value: 1, attributes: {} }, "has kind SUMMARY_OBSERVE but position takes GAUGE_SET"],
    ["a value that is not finite", { kind: "GAUGE_SET", name: "position", value: Number.NaN, attributes: {} }, "has a value that is not a finite number"],
    ["a decimal string value", { kind: "GAUGE_SET", name: "position", value: "0.5", attributes: {} }, "has a value that is not a finite number"],
    ["a negative counter add", { kind: "COUNTER_ADD", name: "orders_sent", value: -1, attributes: {} }, "adds a negative value to a counter"],
    ["a label the metric does not declare", { kind: "COUNTER_ADD", name: "orders_sent", value: 1, attributes: { clientOrderId: "c-1" } }, "has attribute clientOrderId, which orders_sent does not declare"],
    ["a label value that is not a string", { kind: "GAUGE_SET", name: "position", value: 1, attributes: { symbol: 7 } }, "has attribute symbol that is not a string of at most 64 characters"],
    ["a count on a gauge", { kind: "GAUGE_SET", name: "position", value: 1, attributes: {}, count: 2 }, "has a count that is not an integer from 1 to 1000000 of a histogram"],
    ["a histogram count of zero", { kind: "HISTOGRAM_RECORD", name: "market_data_lag_seconds", value: 0.1, attributes: {}, count: 0 }, "has a count that is not an integer from 1 to 1000000 of a histogram"],
    ["a fractional histogram count", { kind: "HISTOGRAM_RECORD", name: "market_data_lag_seconds", value: 0.1, attributes: {}, count: 1.5 }, "has a count that is not an integer from 1 to 1000000 of a histogram"],
  ])("refuses %s, reports why and exports nothing", async (_name, sample, problem) => {
    const rejected: string[] = [];
    const metrics = registry({ onRejectedSample: (reason) => rejected.push(reason), runtimeMetrics: false });
    expect(metrics.apply(sample)).toBe(false);
    expect(rejected).toEqual([problem]);
    expect(metrics.rejectedSamples).toBe(1);
    expect(await metrics.collectText()).not.toMatch(/^mms_\w+(\{.*\})? /m);
  });

  it("uses the configured prefix", async () => {
    const metrics = registry({ prefix: "mmsblue" });
    metrics.add("orders_filled", 1, { symbol: "BTCUSDT-PERP" });
    expect(await metrics.collectText()).toContain('mmsblue_orders_filled_total{symbol="BTCUSDT-PERP"} 1');
  });
});

describe("metric catalogue", () => {
  it("exports every catalogue metric under the name describeMetrics documents", async () => {
    const metrics = registry();
    for (const name of Object.keys(METRIC_CATALOGUE) as MetricName[]) {
      const definition = METRIC_CATALOGUE[name];
      const attributes = Object.fromEntries(definition.attributes.map((attribute) => [attribute, "X"]));
      const kind = definition.kind === "counter" ? "COUNTER_ADD" : definition.kind === "gauge" ? "GAUGE_SET" : "HISTOGRAM_RECORD";
      expect(metrics.apply({ kind, name, value: 1, attributes })).toBe(true);
    }
    const text = await metrics.collectText();
    const typed = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({ name, type }));
    expect(typed).toEqual(describeMetrics().map((row) => ({ name: row.name, type: row.type })));
  });

  it("names are lower snake case words and counters carry _total only once", () => {
    for (const name of Object.keys(METRIC_CATALOGUE) as MetricName[]) {
      expect(name).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(prometheusMetricName(name)).not.toMatch(/_total_total$/);
      expect(name.endsWith("_total")).toBe(false);
    }
  });
});
