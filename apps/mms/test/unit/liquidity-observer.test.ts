import type { OrderIntent } from "@mms/contracts";
import { WorkerMetricsRecorder, type MetricSample } from "@mms/telemetry";
import type { SymbolCommand, SymbolEvent } from "@mms/trading-core";
import { LiquidityObserver } from "../../src/liquidity-observer";

const intent = (kind: "NEW" | "CANCEL" | "CANCEL_ALL"): SymbolCommand => ({ kind: "SEND_INTENT", intent: { kind } as OrderIntent });
const fill = (replay: boolean): SymbolEvent => ({ kind: "EXECUTION_REPORT", replay, report: { kind: "FILL" } as never });
const timer: SymbolEvent = { kind: "TIMER" };

function gauges(observer: LiquidityObserver, at: number, present: boolean): Map<string, number> {
  const samples: MetricSample[] = [];
  const recorder = new WorkerMetricsRecorder({ flush: (batch) => samples.push(...batch) });
  observer.publish(recorder, { symbol: "BTCUSDT-PERP" }, { at, quotesPresent: () => present });
  recorder.close();
  return new Map(samples.map((sample) => [sample.name, sample.value]));
}

describe("LiquidityObserver", () => {
  test("presence is the share of time since the first observation with quotes present", () => {
    const observer = new LiquidityObserver();
    observer.stepped(timer, [intent("NEW"), intent("NEW")], { at: 0, quotesPresent: () => true });
    observer.stepped(timer, [intent("CANCEL")], { at: 3_000, quotesPresent: () => false });
    expect(gauges(observer, 4_000, false).get("quote_presence_ratio")).toBeCloseTo(0.75);
  });

  test("order-to-trade counts NEW and CANCEL intents per live fill, and is absent before the first fill", () => {
    const observer = new LiquidityObserver();
    observer.stepped(timer, [intent("NEW"), intent("NEW"), intent("CANCEL_ALL")], { at: 0, quotesPresent: () => false });
    expect(gauges(observer, 1, false).has("order_to_trade_ratio")).toBe(false);
    observer.stepped(fill(true), [], { at: 2, quotesPresent: () => false });
    expect(gauges(observer, 3, false).has("order_to_trade_ratio")).toBe(false);
    observer.stepped(fill(false), [intent("CANCEL"), intent("NEW")], { at: 4, quotesPresent: () => false });
    expect(gauges(observer, 5, false).get("order_to_trade_ratio")).toBe(4);
  });

  test("a step that did nothing does not compute presence", () => {
    const observer = new LiquidityObserver();
    const present = jest.fn(() => true);
    observer.stepped(timer, [], { at: 0, quotesPresent: present });
    expect(present).not.toHaveBeenCalled();
  });
});
