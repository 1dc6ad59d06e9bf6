import fc from "fast-check";
import type { Side } from "@mms/contracts";
import { Big } from "../../src/decimal";
import { FillBurstGuard, fillBurstLimits, type FillBurstLimits } from "../../src/protection";

const limits = fillBurstLimits({ windowMs: 1000, maxFills: 6, maxFillQty: "0.03", maxNetQty: "0.02", frozenMs: 5000 });
const buy = (qty: string) => ({ side: "BUY" as const, qty });
const sell = (qty: string) => ({ side: "SELL" as const, qty });

describe("FillBurstGuard: examples", () => {
  test("six fills in the window are allowed, the seventh trips MAX_FILLS", () => {
    const guard = new FillBurstGuard(limits);
    const fills = [buy("0.001"), sell("0.001"), buy("0.001"), sell("0.001"), buy("0.001"), sell("0.001")];
    fills.forEach((fill, index) => expect(guard.record(fill, 100 + index)).toBeUndefined());
    expect(guard.record(buy("0.001"), 200)).toEqual({
      code: "MMP_TRIGGERED", limit: "MAX_FILLS", threshold: "6", fills: 7, fillQty: "0.007", netQty: "0.001", windowMs: 1000,
      detail: "MAX_FILLS 7 > 6 within 1000 ms",
    });
  });

  test("total quantity exactly at maxFillQty is allowed; above it trips MAX_FILL_QTY", () => {
    const guard = new FillBurstGuard(limits);
    expect(guard.record(buy("0.015"), 0)).toBeUndefined();
    expect(guard.record(sell("0.015"), 10)).toBeUndefined();
    expect(guard.record(buy("0.001"), 20)).toMatchObject({ limit: "MAX_FILL_QTY", threshold: "0.03", fillQty: "0.031" });
  });

  test("net signed quantity beyond maxNetQty either way trips MAX_NET_QTY", () => {
    const long = new FillBurstGuard(limits);
    expect(long.record(buy("0.02"), 0)).toBeUndefined();
    expect(long.record(buy("0.001"), 1)).toMatchObject({ limit: "MAX_NET_QTY", netQty: "0.021" });
    const short = new FillBurstGuard(limits);
    expect(short.record(sell("0.01"), 0)).toBeUndefined();
    expect(short.record(sell("0.011"), 1)).toMatchObject({ limit: "MAX_NET_QTY", netQty: "-0.021" });
  });

  test("a fill windowMs old no longer counts", () => {
    const guard = new FillBurstGuard(limits);
    expect(guard.record(buy("0.02"), 0)).toBeUndefined();
    expect(guard.record(buy("0.02"), 999)).toMatchObject({ limit: "MAX_FILL_QTY" });
    const later = new FillBurstGuard(limits);
    expect(later.record(buy("0.02"), 0)).toBeUndefined();
    expect(later.record(buy("0.02"), 1000)).toBeUndefined();
  });

  test("after a trigger resume is refused with MMP_FROZEN until frozenMs have passed", () => {
    const guard = new FillBurstGuard(limits);
    expect(guard.frozenUntil).toBeUndefined();
    expect(guard.resumeRefusal(0)).toBeUndefined();
    guard.record(buy("0.05"), 1000);
    expect(guard.frozenUntil).toBe(6000);
    expect(guard.isFrozen(5999)).toBe(true);
    expect(guard.resumeRefusal(5999)).toBe("MMP_FROZEN");
    expect(guard.isFrozen(6000)).toBe(false);
    expect(guard.resumeRefusal(6000)).toBeUndefined();
  });

  test("a trigger empties the window: the next fill starts a new count", () => {
    const guard = new FillBurstGuard(limits);
    expect(guard.record(buy("0.05"), 0)).toBeDefined();
    expect(guard.size).toBe(0);
    expect(guard.record(buy("0.01"), 1)).toBeUndefined();
  });
});

interface TimedFill {
  readonly gapMs: number;
  readonly side: Side;
  readonly qty: string;
}

const timedFill = fc.record({
  gapMs: fc.integer({ min: 0, max: 400 }),
  side: fc.constantFrom<Side>("BUY", "SELL"),
  qty: fc.integer({ min: 1, max: 15 }).map((lots) => new Big(lots).times("0.001").toFixed()),
});
const fillSequence = fc.array(timedFill, { minLength: 1, maxLength: 60 });

const limitsArbitrary: fc.Arbitrary<FillBurstLimits> = fc.record({
  windowMs: fc.integer({ min: 1, max: 1500 }),
  maxFills: fc.integer({ min: 1, max: 10 }),
  maxFillQty: fc.integer({ min: 1, max: 60 }).map((lots) => new Big(lots).times("0.001")),
  maxNetQty: fc.integer({ min: 1, max: 40 }).map((lots) => new Big(lots).times("0.001")),
  frozenMs: fc.integer({ min: 0, max: 10_000 }),
});

/** The rule read literally: every fill since the last trigger that is younger than the window. */
function naiveTrips(sequence: readonly TimedFill[], window: FillBurstLimits): boolean[] {
  let now = 0;
  let since: { at: number; fill: TimedFill }[] = [];
  return sequence.map((fill) => {
    now += fill.gapMs;
    since.push({ at: now, fill });
    const counted = since.filter((entry) => now - entry.at < window.windowMs);
    const gross = counted.reduce((sum, entry) => sum.plus(entry.fill.qty), new Big(0));
    const net = counted.reduce((sum, entry) => (entry.fill.side === "BUY" ? sum.plus(entry.fill.qty) : sum.minus(entry.fill.qty)), new Big(0));
    const trips = counted.length > window.maxFills || gross.gt(window.maxFillQty) || net.abs().gt(window.maxNetQty);
    if (trips) since = [];
    return trips;
  });
}

function guardTrips(sequence: readonly TimedFill[], window: FillBurstLimits, startAt = 0): { trips: boolean[]; largestWindow: number } {
  const guard = new FillBurstGuard(window);
  let now = startAt;
  let largestWindow = 0;
  const trips = sequence.map((fill) => {
    now += fill.gapMs;
    const breach = guard.record(fill, now);
    largestWindow = Math.max(largestWindow, guard.size);
    return breach !== undefined;
  });
  return { trips, largestWindow };
}

describe("FillBurstGuard: properties", () => {
  test("trips on exactly the fills where the literal rule is exceeded (strictly), and on no other", () => {
    fc.assert(fc.property(fillSequence, limitsArbitrary, (sequence, window) => {
      expect(guardTrips(sequence, window).trips).toEqual(naiveTrips(sequence, window));
    }), { numRuns: 300 });
  });

  test("limits set to the largest figures any window reaches never trip; one step below them always does", () => {
    fc.assert(fc.property(fillSequence, fc.integer({ min: 1, max: 1500 }), (sequence, windowMs) => {
      // The figures of every window, measured without any trigger.
      let now = 0;
      const seen: { at: number; fill: TimedFill }[] = [];
      let maxFills = 0;
      let maxFillQty = new Big(0);
      let maxNetQty = new Big(0);
      for (const fill of sequence) {
        now += fill.gapMs;
        seen.push({ at: now, fill });
        const counted = seen.filter((entry) => now - entry.at < windowMs);
        maxFills = Math.max(maxFills, counted.length);
        const gross = counted.reduce((sum, entry) => sum.plus(entry.fill.qty), new Big(0));
        const net = counted.reduce((sum, entry) => (entry.fill.side === "BUY" ? sum.plus(entry.fill.qty) : sum.minus(entry.fill.qty)), new Big(0)).abs();
        if (gross.gt(maxFillQty)) maxFillQty = gross;
        if (net.gt(maxNetQty)) maxNetQty = net;
      }
      const atLimits = { windowMs, maxFills, maxFillQty, maxNetQty: maxNetQty.eq(0) ? new Big("0.001") : maxNetQty, frozenMs: 0 };
      expect(guardTrips(sequence, atLimits).trips).not.toContain(true);
      if (maxFills > 1) expect(guardTrips(sequence, { ...atLimits, maxFills: maxFills - 1 }).trips).toContain(true);
      expect(guardTrips(sequence, { ...atLimits, maxFillQty: maxFillQty.minus("0.0005") }).trips).toContain(true);
      if (maxNetQty.gt(0)) expect(guardTrips(sequence, { ...atLimits, maxNetQty: maxNetQty.minus("0.0005") }).trips).toContain(true);
    }), { numRuns: 300 });
  });

  test("fills older than the window never count: any history followed by a pause of windowMs changes nothing", () => {
    fc.assert(fc.property(fillSequence, fillSequence, limitsArbitrary, (history, sequence, window) => {
      const guard = new FillBurstGuard(window);
      let now = 0;
      for (const fill of history) guard.record(fill, (now += fill.gapMs));
      const [first, ...rest] = sequence;
      if (!first) return;
      const shifted = [{ ...first, gapMs: window.windowMs + first.gapMs }, ...rest];
      let at = now;
      const trips = shifted.map((fill) => guard.record(fill, (at += fill.gapMs)) !== undefined);
      expect(trips).toEqual(guardTrips(sequence, window).trips);
    }), { numRuns: 200 });
  });

  test("memory is bounded: the window never holds more than maxFills fills after a record", () => {
    fc.assert(fc.property(fc.array(timedFill, { maxLength: 300 }), limitsArbitrary, (sequence, window) => {
      expect(guardTrips(sequence, window).largestWindow).toBeLessThanOrEqual(window.maxFills);
    }), { numRuns: 100 });
  });
});
