import { CONTROL_COMMANDS, STOP_REASONS } from "@mms/contracts";
import { createMetrics, type MetricsRegistry } from "../src/metrics-registry";
import { PRESET_COUNTER_SERIES } from "../src/metric-presets";

let metrics: MetricsRegistry;
afterEach(() => metrics.shutdown());

test("a symbol's first sample creates its known counter series at zero, the kill switches with their state", async () => {
  metrics = createMetrics({ runtimeMetrics: false });
  metrics.apply({ kind: "GAUGE_SET", name: "position", value: 0, attributes: { symbol: "BTCUSDT-PERP" } });
  const lines = (await metrics.collectText()).split("\n");
  expect(lines).toEqual(expect.arrayContaining([
    'mms_kill_switch_triggers_total{symbol="BTCUSDT-PERP",reason="MD_STALE",state="PAUSED"} 0',
    'mms_kill_switch_triggers_total{symbol="BTCUSDT-PERP",reason="DRAWDOWN_LIMIT",state="HALTED"} 0',
    'mms_orders_rejected_total{symbol="BTCUSDT-PERP",reason="SUBMISSION_FAILED"} 0',
    'mms_worker_failures_total{symbol="BTCUSDT-PERP",reason="SILENT"} 0',
    'mms_control_commands_total{symbol="BTCUSDT-PERP",command="kill",outcome="accepted"} 0',
    'mms_orders_filled_total{symbol="BTCUSDT-PERP"} 0',
  ]));
});

test("a preset series counts on from zero: the first trigger shows as 1", async () => {
  metrics = createMetrics({ runtimeMetrics: false });
  metrics.declareSymbol("BTCUSDT-PERP");
  metrics.apply({ kind: "COUNTER_ADD", name: "kill_switch_triggers", value: 1, attributes: { symbol: "BTCUSDT-PERP", reason: "BUS_LAG", state: "PAUSED" } });
  metrics.apply({ kind: "COUNTER_ADD", name: "kill_switch_triggers", value: 1, attributes: { symbol: "BTCUSDT-PERP", reason: "BUS_LAG", state: "PAUSED" } });
  expect(await metrics.collectText()).toContain('mms_kill_switch_triggers_total{symbol="BTCUSDT-PERP",reason="BUS_LAG",state="PAUSED"} 2');
});

test("preset reasons and commands are the contract's stable codes", () => {
  const reasons = new Set<string>([...STOP_REASONS, "POST_ONLY_WOULD_CROSS", "UNKNOWN_ORDER", "RATE_LIMIT", "SUBMISSION_FAILED"]);
  for (const series of [...PRESET_COUNTER_SERIES.kill_switch_triggers!, ...PRESET_COUNTER_SERIES.market_data_faults!, ...PRESET_COUNTER_SERIES.orders_rejected!]) expect(reasons).toContain(series.reason);
  for (const series of PRESET_COUNTER_SERIES.control_commands!) expect(CONTROL_COMMANDS).toContain(series.command);
});

test("a scrape carries the process's CPU, memory and start time and the coordinator thread's runtime, in base units", async () => {
  metrics = createMetrics();
  // Keep the loop busy for a moment so CPU and delay have something to show.
  const until = Date.now() + 30;
  while (Date.now() < until);
  await new Promise((resolve) => setTimeout(resolve, 30));
  const text = await metrics.collectText();
  const value = (line: RegExp) => Number(text.match(line)?.[1]);
  expect(value(/^process_cpu_seconds_total (\S+)$/m)).toBeGreaterThan(0);
  expect(value(/^process_resident_memory_bytes (\S+)$/m)).toBeGreaterThan(1024 * 1024);
  expect(value(/^process_start_time_seconds (\S+)$/m)).toBeGreaterThan(Date.now() / 1000 - 3600);
  expect(value(/^process_start_time_seconds (\S+)$/m)).toBeLessThanOrEqual(Date.now() / 1000);
  expect(value(/^mms_thread_heap_used_bytes\{thread="coordinator"\} (\S+)$/m)).toBeGreaterThan(1024 * 1024);
  expect(value(/^mms_thread_cpu_seconds_total\{thread="coordinator"\} (\S+)$/m)).toBeGreaterThan(0);
  expect(value(/^mms_thread_event_loop_utilization_ratio\{thread="coordinator"\} (\S+)$/m)).toBeGreaterThan(0);
  expect(value(/^mms_thread_event_loop_delay_seconds\{thread="coordinator"\} (\S+)$/m)).toBeGreaterThanOrEqual(0);
  expect(text).toContain("# UNIT process_resident_memory_bytes bytes");
});
