import fc from "fast-check";
import { Big } from "../../src/decimal";
import { PriceJumpDetector, priceJumpSettings } from "../../src/protection";

const detector = (jumpBps = "200", jumpWindowMs = 1000) => new PriceJumpDetector(priceJumpSettings({ jumpBps, jumpWindowMs }));
const mid = (value: string) => new Big(value);

describe("PriceJumpDetector: examples", () => {
  test("a move of exactly jumpBps is allowed; one tick more is a PRICE_JUMP naming both mids", () => {
    const jumps = detector();
    expect(jumps.observe(mid("100"), 0)).toBeUndefined();
    expect(jumps.observe(mid("102"), 10)).toBeUndefined();
    expect(jumps.observe(mid("102.01"), 20)).toEqual({
      code: "PRICE_JUMP", referenceMid: "100", referenceAt: 0, newMid: "102.01", bps: "201.00", jumpBps: "200", jumpWindowMs: 1000,
      detail: "mid 102.01 moved 201.00 bps from 100 within 1000 ms (limit 200)",
    });
  });

  test("a fall is measured against the highest mid of the window", () => {
    const jumps = detector();
    jumps.observe(mid("100"), 0);
    jumps.observe(mid("101"), 1);
    expect(jumps.observe(mid("98.9"), 2)).toMatchObject({ referenceMid: "101", bps: "207.93" });
  });

  test("a drift slower than the window never trips: mids jumpWindowMs old no longer count", () => {
    const jumps = detector("200", 1000);
    expect(jumps.observe(mid("100"), 0)).toBeUndefined();
    expect(jumps.observe(mid("101.5"), 999)).toBeUndefined();
    expect(jumps.observe(mid("103"), 1000)).toBeUndefined();
    expect(jumps.observe(mid("103.6"), 1998)).toMatchObject({ referenceMid: "101.5", bps: "206.90" });
  });

  test("a mid recomputed unchanged counts from its latest time: a jump from it after jumpWindowMs still trips", () => {
    const jumps = detector("200", 1000);
    jumps.observe(mid("100"), 0);
    jumps.recomputed(900);
    jumps.recomputed(1800);
    expect(jumps.size).toBe(1);
    expect(jumps.observe(mid("103"), 2500)).toMatchObject({ referenceMid: "100", referenceAt: 1800 });
  });

  test('jumpBps "0" turns the stop off', () => {
    const off = detector("0");
    expect(off.observe(mid("100"), 0)).toBeUndefined();
    expect(off.observe(mid("200"), 1)).toBeUndefined();
    expect(off.size).toBe(0);
  });

  test("the comparison is exact decimal arithmetic, not binary floating point", () => {
    // 0.3 -> 0.30006 is exactly 2 bps: allowed at 2, a jump at 1.99.
    expect(detector("2").observe(mid("0.3"), 0)).toBeUndefined();
    const atTwo = detector("2");
    atTwo.observe(mid("0.3"), 0);
    expect(atTwo.observe(mid("0.30006"), 1)).toBeUndefined();
    const below = detector("1.99");
    below.observe(mid("0.3"), 0);
    expect(below.observe(mid("0.30006"), 1)).toBeDefined();
  });
});

/** The rule read literally: compare with every mid of the window. */
function naiveJumps(mids: readonly { gapMs: number; ticks: number }[], jumpBps: Big, windowMs: number): boolean[] {
  const seen: { at: number; mid: Big }[] = [];
  let now = 0;
  return mids.map(({ gapMs, ticks }) => {
    now += gapMs;
    const value = new Big(ticks).times("0.5");
    const jump = seen.filter((entry) => now - entry.at < windowMs).some((entry) => value.minus(entry.mid).abs().div(entry.mid).times(10000).gt(jumpBps));
    seen.push({ at: now, mid: value });
    return jump;
  });
}

describe("PriceJumpDetector: properties", () => {
  const walk = fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 300 }), ticks: fc.integer({ min: 180, max: 220 }) }), { minLength: 1, maxLength: 120 });
  const jumpBps = fc.constantFrom("50", "100", "200", "250", "333.3", "1000").map((value) => new Big(value));

  test("flags exactly the mids the naive scan of every mid in the window flags", () => {
    fc.assert(fc.property(walk, jumpBps, fc.integer({ min: 1, max: 2000 }), (mids, bps, windowMs) => {
      const jumps = new PriceJumpDetector({ jumpBps: bps, jumpWindowMs: windowMs });
      let now = 0;
      const flagged = mids.map(({ gapMs, ticks }) => jumps.observe(new Big(ticks).times("0.5"), (now += gapMs)) !== undefined);
      expect(flagged).toEqual(naiveJumps(mids, bps, windowMs));
    }), { numRuns: 300 });
  });

  test("the reported bps exceeds jumpBps and belongs to a mid of the window", () => {
    fc.assert(fc.property(walk, jumpBps, (mids, bps) => {
      const jumps = new PriceJumpDetector({ jumpBps: bps, jumpWindowMs: 1000 });
      let now = 0;
      const window: { at: number; mid: string }[] = [];
      for (const { gapMs, ticks } of mids) {
        now += gapMs;
        const value = new Big(ticks).times("0.5");
        const breach = jumps.observe(value, now);
        if (breach) {
          expect(new Big(breach.bps).gt(bps)).toBe(true);
          expect(window.some((entry) => entry.at === breach.referenceAt && entry.mid === breach.referenceMid && now - entry.at < 1000)).toBe(true);
        }
        window.push({ at: now, mid: value.toFixed() });
      }
    }), { numRuns: 200 });
  });

  test("memory follows the window: a monotonic rise keeps at most the mids of the last jumpWindowMs", () => {
    const jumps = detector("10000", 100);
    for (let at = 0; at < 10_000; at += 1) jumps.observe(new Big(1000 + at), at);
    expect(jumps.size).toBeLessThanOrEqual(100);
  });
});
