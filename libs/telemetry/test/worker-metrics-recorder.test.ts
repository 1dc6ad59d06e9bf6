import { MessageChannel } from "node:worker_threads";
import { createMetrics } from "../src/metrics-registry";
import { WorkerMetricsRecorder } from "../src/worker-metrics-recorder";
import { type MetricSample } from "../src/metric-samples";
import { ThreadRuntimeSampler, TimerLateness } from "../src/runtime-metrics";

describe("WorkerMetricsRecorder", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function recorder(options: { intervalMs?: number; maxPendingSamples?: number } = {}) {
    const batches: MetricSample[][] = [];
    const created = new WorkerMetricsRecorder({ flush: (samples) => batches.push(samples), intervalMs: 100, ...options });
    return { recorder: created, batches };
  }

  it("flushes at most once per interval", () => {
    const { recorder: metrics, batches } = recorder();
    metrics.add("market_data_messages", 1, { symbol: "BTCUSDT-PERP" });
    jest.advanceTimersByTime(99);
    expect(batches).toHaveLength(0);
    metrics.add("market_data_messages", 1, { symbol: "BTCUSDT-PERP" });
    jest.advanceTimersByTime(1);
    expect(batches).toHaveLength(1);
    metrics.add("market_data_messages", 1, { symbol: "BTCUSDT-PERP" });
    jest.advanceTimersByTime(50);
    expect(batches).toHaveLength(1);
    jest.advanceTimersByTime(50);
    expect(batches).toHaveLength(2);
  });

  it("sums counter adds per series, keeps the last gauge value and a count per histogram bucket", () => {
    const { recorder: metrics, batches } = recorder();
    metrics.add("orders_rejected", 1, { symbol: "BTCUSDT-PERP", reason: "RATE_LIMIT" });
    metrics.add("orders_rejected", 2, { reason: "RATE_LIMIT", symbol: "BTCUSDT-PERP" });
    metrics.add("orders_rejected", 1, { symbol: "BTCUSDT-PERP", reason: "POST_ONLY_WOULD_CROSS" });
    metrics.set("position", 0.1, { symbol: "BTCUSDT-PERP" });
    metrics.set("position", 0.2, { symbol: "BTCUSDT-PERP" });
    metrics.record("tick_to_intent_latency_seconds", 0.0004, { symbol: "BTCUSDT-PERP" });
    metrics.record("tick_to_intent_latency_seconds", 0.0006, { symbol: "BTCUSDT-PERP" });
    jest.advanceTimersByTime(100);
    expect(batches).toEqual([
      [
        { kind: "COUNTER_ADD", name: "orders_rejected", value: 3, attributes: { symbol: "BTCUSDT-PERP", reason: "RATE_LIMIT" } },
        { kind: "COUNTER_ADD", name: "orders_rejected", value: 1, attributes: { symbol: "BTCUSDT-PERP", reason: "POST_ONLY_WOULD_CROSS" } },
        { kind: "GAUGE_SET", name: "position", value: 0.2, attributes: { symbol: "BTCUSDT-PERP" } },
        // 0.0004 falls in (0.00025, 0.0005], 0.0006 in (0.0005, 0.001]: one sample each.
        { kind: "HISTOGRAM_RECORD", name: "tick_to_intent_latency_seconds", value: 0.0004, attributes: { symbol: "BTCUSDT-PERP" } },
        { kind: "HISTOGRAM_RECORD", name: "tick_to_intent_latency_seconds", value: 0.0006, attributes: { symbol: "BTCUSDT-PERP" } },
      ],
    ]);
  });

  it("sends the values of one histogram bucket as one sample: their mean and how many, so counts and sum are kept", () => {
    const { recorder: metrics, batches } = recorder();
    const labels = { symbol: "BTCUSDT-PERP" };
    // Exact in binary, so the sums are exact: 3 x 2^-12 and 2^-10 share the bucket (0.0005, 0.001];
    // 3 and 4 s share (2, 5] of the lag; 20 and 28 s are above every bound.
    for (const value of [3 * 2 ** -12, 2 ** -10, 2 ** -10, 2 ** -10]) metrics.record("tick_to_intent_latency_seconds", value, labels);
    for (const value of [3, 4]) metrics.record("market_data_lag_seconds", value, labels);
    for (const value of [20, 28]) metrics.record("market_data_lag_seconds", value, labels);
    expect(metrics.pendingSamples).toBe(3);
    jest.advanceTimersByTime(100);
    expect(batches).toEqual([
      [
        { kind: "HISTOGRAM_RECORD", name: "tick_to_intent_latency_seconds", value: (3 * 2 ** -12 + 3 * 2 ** -10) / 4, attributes: labels, count: 4 },
        { kind: "HISTOGRAM_RECORD", name: "market_data_lag_seconds", value: 3.5, attributes: labels, count: 2 },
        { kind: "HISTOGRAM_RECORD", name: "market_data_lag_seconds", value: 24, attributes: labels, count: 2 },
      ],
    ]);
  });

  it("treats equal labels in different objects as one series", () => {
    const { recorder: metrics, batches } = recorder();
    metrics.add("orders_sent", 1, { symbol: "BTCUSDT-PERP" });
    metrics.add("orders_sent", 2, { symbol: "BTCUSDT-PERP" });
    const shared = { symbol: "ETHUSDT-PERP" };
    metrics.add("orders_sent", 1, shared);
    metrics.add("orders_filled", 1, shared);
    metrics.add("orders_sent", 1, shared);
    jest.advanceTimersByTime(100);
    expect(batches[0]).toEqual([
      { kind: "COUNTER_ADD", name: "orders_sent", value: 3, attributes: { symbol: "BTCUSDT-PERP" } },
      { kind: "COUNTER_ADD", name: "orders_sent", value: 2, attributes: shared },
      { kind: "COUNTER_ADD", name: "orders_filled", value: 1, attributes: shared },
    ]);
  });

  it("flushes early when the pending batch reaches its cap", () => {
    const { recorder: metrics, batches } = recorder({ maxPendingSamples: 3 });
    // Three buckets of the lag histogram: three pending samples.
    for (const value of [0.001, 0.002, 0.003]) metrics.record("market_data_lag_seconds", value, { symbol: "BTCUSDT-PERP" });
    expect(batches).toHaveLength(1);
    expect(metrics.pendingSamples).toBe(0);
  });

  it("counts samples lost to a failing flush instead of throwing into the caller", () => {
    const metrics = new WorkerMetricsRecorder({
      flush: () => {
        throw new Error("port closed");
      },
      intervalMs: 10,
    });
    metrics.add("orders_sent", 1, { symbol: "BTCUSDT-PERP" });
    expect(() => jest.advanceTimersByTime(10)).not.toThrow();
    expect(metrics.droppedSamples).toBe(1);
  });

  it("close sends what is pending and ignores later measurements", () => {
    const { recorder: metrics, batches } = recorder();
    metrics.set("nats_connected", 1);
    metrics.close();
    metrics.set("nats_connected", 0);
    jest.advanceTimersByTime(1000);
    expect(batches).toEqual([[{ kind: "GAUGE_SET", name: "nats_connected", value: 1, attributes: {} }]]);
  });
});

describe("worker samples reaching the main thread's registry", () => {
  it("arrive through a message port and show in the scrape", async () => {
    const registry = createMetrics();
    const { port1: workerSide, port2: mainSide } = new MessageChannel();
    const applied = new Promise<number>((resolve) => mainSide.once("message", (samples: unknown[]) => resolve(registry.applyAll(samples))));
    const metrics = new WorkerMetricsRecorder({ flush: (samples) => workerSide.postMessage(samples), intervalMs: 10 });
    metrics.add("kill_switch_triggers", 1, { symbol: "BTCUSDT-PERP", reason: "REJECT_STORM", state: "HALTED" });
    metrics.set("unrealized_pnl", -12.5, { symbol: "BTCUSDT-PERP" });
    expect(await applied).toBe(2);
    const text = await registry.collectText();
    expect(text).toContain('mms_kill_switch_triggers_total{symbol="BTCUSDT-PERP",reason="REJECT_STORM",state="HALTED"} 1');
    expect(text).toContain('mms_unrealized_pnl{symbol="BTCUSDT-PERP"} -12.5');
    workerSide.close();
    await registry.shutdown();
  });
});

test("a worker thread's runtime sampler sends its event-loop delay, utilization, heap and CPU as samples labelled by thread and symbol", () => {
  const samples: MetricSample[] = [];
  const recorder = new WorkerMetricsRecorder({ flush: (batch) => samples.push(...batch), intervalMs: 60_000 });
  const sampler = new ThreadRuntimeSampler(recorder, { thread: "symbol", symbol: "BTCUSDT-PERP" });
  sampler.sample();
  sampler.stop();
  recorder.flushNow();
  const names = samples.map((sample) => sample.name).sort();
  expect(names).toEqual(["thread_cpu_seconds", "thread_event_loop_delay_max_seconds", "thread_event_loop_delay_seconds", "thread_event_loop_utilization_ratio", "thread_heap_used_bytes"]);
  for (const sample of samples) expect(sample.attributes).toEqual({ thread: "symbol", symbol: "BTCUSDT-PERP" });
  const metrics = createMetrics({ runtimeMetrics: false });
  expect(metrics.applyAll(samples)).toBe(samples.length);
  void metrics.shutdown();
});

test("a timer's lateness becomes the thread's event-loop delay when the sampler is given it", async () => {
  const samples: MetricSample[] = [];
  const recorder = new WorkerMetricsRecorder({ flush: (batch) => samples.push(...batch), intervalMs: 60_000 });
  const lateness = new TimerLateness();
  const sampler = new ThreadRuntimeSampler(recorder, { thread: "symbol", symbol: "BTCUSDT-PERP" }, lateness.histogram);
  lateness.fired(10);
  // A 10 ms timer that fires after at least 40 ms: at least 30 ms late.
  await new Promise((resolve) => setTimeout(resolve, 40));
  lateness.fired(10);
  sampler.sample();
  recorder.flushNow();
  const delay = samples.find((sample) => sample.name === "thread_event_loop_delay_max_seconds");
  expect(delay?.value).toBeGreaterThanOrEqual(0.029);
  expect(lateness.histogram.count).toBe(0);
});
