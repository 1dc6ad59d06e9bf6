import { Big, MarketMonitor, spreadBps } from "../src";

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

  test("spreadBps is the book width over the mid", () => {
    // (100.1 - 99.9) / 100 = 20 bps
    expect(spreadBps(new Big("99.9"), new Big("100.1")).toFixed()).toBe("20");
  });
});
