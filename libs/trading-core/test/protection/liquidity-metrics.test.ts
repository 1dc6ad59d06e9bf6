import fc from "fast-check";
import { Big } from "../../src/decimal";
import { LiquidityMetrics, quotesPresent, type PresenceInput } from "../../src/protection";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe("quotesPresent", () => {
  // mid 50000, spreadBps 10: ask - bid may be at most 2 x 10 / 10000 x 50000 = 100.
  const level = (price: string, quantity = "0.010") => ({ price: new Big(price), quantity: new Big(quantity) });
  const presence = (overrides: Partial<PresenceInput>): boolean =>
    quotesPresent({ bid: level("49950"), ask: level("50050"), mid: new Big("50000"), quoteSize: new Big("0.010"), spreadBps: new Big("10"), ...overrides });

  test("both sides at quoteSize within twice the target spread are present", () => {
    expect(presence({})).toBe(true);
  });

  test.each([
    ["a missing bid", { bid: undefined }],
    ["a missing ask", { ask: undefined }],
    ["a partly filled side", { ask: level("50050", "0.004") }],
    ["a spread wider than twice the target", { ask: level("50050.1") }],
  ])("%s is not present", (_name, overrides) => {
    expect(presence(overrides)).toBe(false);
  });
});

describe("LiquidityMetrics: examples", () => {
  test("presence is time-weighted between observations", () => {
    const metrics = new LiquidityMetrics(0);
    metrics.observePresence(true, 0);
    metrics.observePresence(false, 30_000);
    expect(metrics.presenceRatio(40_000)).toBeCloseTo(0.75, 12);
    expect(metrics.presenceRatio(120_000)).toBeCloseTo(0.25, 12);
  });

  test("no time observed yet is a ratio of 0", () => {
    expect(new LiquidityMetrics(1000).presenceRatio(1000)).toBe(0);
  });

  test("only the last hour (in whole minutes) counts: an early absence is forgotten", () => {
    const metrics = new LiquidityMetrics(0);
    metrics.observePresence(false, 0);
    metrics.observePresence(true, 10 * MINUTE);
    // Just before the hour, all 60 minutes are in the window: 10 absent, 50 present.
    expect(metrics.presenceRatio(HOUR - 1)).toBeCloseTo((50 * MINUTE - 1) / (HOUR - 1), 12);
    expect(metrics.presenceRatio(2 * HOUR)).toBe(1);
  });

  test("order-to-trade counts NEW and CANCEL intents per fill, undefined before a fill", () => {
    const metrics = new LiquidityMetrics(0);
    for (let at = 0; at < 9; at += 1) metrics.recordIntent(at);
    expect(metrics.orderToTrade(10)).toEqual({ intents: 9, fills: 0, ratio: undefined });
    metrics.recordFill(10);
    metrics.recordFill(11);
    expect(metrics.orderToTrade(12)).toEqual({ intents: 9, fills: 2, ratio: 4.5 });
    expect(metrics.orderToTrade(HOUR + 1)).toEqual({ intents: 0, fills: 0, ratio: undefined });
  });
});

describe("LiquidityMetrics: properties", () => {
  const observations = fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 20 * MINUTE }), present: fc.boolean() }), { maxLength: 40 });

  test("matches an exact integration of every observation over the minutes of the last hour", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 * HOUR }), observations, fc.integer({ min: 0, max: 2 * HOUR }), (start, steps, tail) => {
      const metrics = new LiquidityMetrics(start);
      const segments: { from: number; to: number; present: boolean }[] = [];
      let at = start;
      let present = false;
      for (const step of steps) {
        segments.push({ from: at, to: at + step.gapMs, present });
        at += step.gapMs;
        present = step.present;
        metrics.observePresence(present, at);
      }
      const now = at + tail;
      segments.push({ from: at, to: now, present });
      const windowStart = (Math.floor(now / MINUTE) - 59) * MINUTE;
      let observed = 0;
      let shown = 0;
      for (const segment of segments) {
        const overlap = Math.max(0, segment.to - Math.max(segment.from, windowStart));
        observed += overlap;
        if (segment.present) shown += overlap;
      }
      const ratio = metrics.presenceRatio(now);
      expect(ratio).toBeCloseTo(observed === 0 ? 0 : shown / observed, 9);
      expect(ratio).toBeGreaterThanOrEqual(0);
      expect(ratio).toBeLessThanOrEqual(1);
    }), { numRuns: 300 });
  });
});
