import fc from "fast-check";
import { Big, MarketMonitor, spreadBps, type Decimal } from "../src";

const settings = { staleMs: 3000, maxLagMs: 2000, volatilitySampleMs: 1000, volatilityWindow: 60 };

describe("MarketMonitor", () => {
  test("is stale before any message", () => {
    expect(new MarketMonitor(settings).isStale(0)).toBe(true);
  });

  test("is fresh up to staleMs after the last message and stale after it", () => {
    const monitor = new MarketMonitor(settings);
    monitor.recordMessage(10_000);
    expect(monitor.isStale(13_000)).toBe(false);
    expect(monitor.isStale(13_001)).toBe(true);
    monitor.recordMessage(13_001);
    expect(monitor.isStale(13_002)).toBe(false);
  });

  test("reports the lag only when it exceeds maxLagMs", () => {
    const monitor = new MarketMonitor(settings);
    expect(monitor.lagBeyondLimit(10_000, 8_000)).toBeUndefined();
    expect(monitor.lagBeyondLimit(10_000, 7_999)).toBe(2001);
  });

  test("is trading only while the last status is TRADING", () => {
    const monitor = new MarketMonitor(settings);
    expect(monitor.isTrading()).toBe(false);
    monitor.setStatus("TRADING");
    expect(monitor.isTrading()).toBe(true);
    monitor.setStatus("HALTED");
    expect(monitor.isTrading()).toBe(false);
    monitor.setStatus("CLOSED");
    expect(monitor.isTrading()).toBe(false);
  });

  test("volatility of a constant mid is 0", () => {
    const monitor = new MarketMonitor(settings);
    for (let second = 0; second < 10; second += 1) monitor.sampleMid(second * 1000, new Big("100"));
    expect(monitor.volatilityBps().toFixed()).toBe("0");
  });

  test("volatility of an alternating mid is positive", () => {
    const monitor = new MarketMonitor(settings);
    for (let second = 0; second < 10; second += 1) monitor.sampleMid(second * 1000, new Big(second % 2 === 0 ? "100" : "101"));
    expect(monitor.volatilityBps().gt(0)).toBe(true);
  });

  test("volatility is 0 with fewer than three samples and samples no faster than volatilitySampleMs", () => {
    const monitor = new MarketMonitor(settings);
    monitor.sampleMid(0, new Big("100"));
    monitor.sampleMid(500, new Big("200")); // too soon: ignored
    monitor.sampleMid(1000, new Big("100"));
    expect(monitor.volatilityBps().toFixed()).toBe("0");
    monitor.sampleMid(2000, new Big("100"));
    // three samples of 100: the ignored 200 never entered the window
    expect(monitor.volatilityBps().toFixed()).toBe("0");
  });

  test("volatility from the running sums is the two-pass sample deviation of the window's returns, to its last place, however many samples left the window", () => {
    /** The textbook formula over the window, as the monitor once computed it each second. */
    const twoPass = (mids: readonly Decimal[]): Decimal => {
      const returns = mids.slice(1).map((mid, index) => mid.minus(mids[index]!).div(mids[index]!).times(10000).round(8));
      if (returns.length < 2) return new Big(0);
      const mean = returns.reduce((sum, value) => sum.plus(value), new Big(0)).div(returns.length);
      return returns.reduce((sum, value) => sum.plus(value.minus(mean).pow(2)), new Big(0)).div(returns.length - 1).sqrt().round(4);
    };
    let beyondWindow = 0;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2_000_000 }), { minLength: 1, maxLength: 90, size: "max" }), (tenths) => {
        if (tenths.length > 21) beyondWindow += 1;
        const monitor = new MarketMonitor({ ...settings, volatilityWindow: 20 });
        const mids = tenths.map((value) => new Big(value).div(10));
        mids.forEach((mid, index) => monitor.sampleMid(index * 1000, mid));
        const expected = twoPass(mids.slice(-21));
        expect(monitor.volatilityBps().minus(expected).abs().lte("0.0001")).toBe(true);
      }),
      { seed: 20261202, numRuns: 300 },
    );
    // Most series outlast the window: the evictions from the running sums were exercised.
    expect(beyondWindow).toBeGreaterThan(150);
  });

  test("spreadBps is the book width over the mid", () => {
    // (100.1 - 99.9) / 100 = 20 bps
    expect(spreadBps(new Big("99.9"), new Big("100.1")).toFixed()).toBe("20");
  });
});
