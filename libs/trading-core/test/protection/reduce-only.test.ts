import fc from "fast-check";
import type { Side } from "@mms/contracts";
import { Big } from "../../src/decimal";
import { reduceOnlyQuote, reduceRefusal, type ReduceOnlyInput } from "../../src/protection";

const base: ReduceOnlyInput = {
  position: new Big("0"), quoteSize: new Big("0.010"), lotSize: new Big("0.001"),
  bidPrice: new Big("49950.0"), askPrice: new Big("50050.0"), restingReducingQuantity: new Big(0),
};
const quoteFor = (position: string, overrides: Partial<ReduceOnlyInput> = {}) => {
  const quote = reduceOnlyQuote({ ...base, position: new Big(position), ...overrides });
  return quote.kind === "QUOTE" ? { side: quote.side, price: quote.price.toFixed(1), quantity: quote.quantity.toFixed(3) } : quote;
};

describe("reduceOnlyQuote: examples", () => {
  test.each([
    ["long beyond quoteSize sells quoteSize at the normal ask", "1.5", { side: "SELL", price: "50050.0", quantity: "0.010" }],
    ["short beyond quoteSize buys quoteSize at the normal bid", "-2", { side: "BUY", price: "49950.0", quantity: "0.010" }],
    ["long below quoteSize sells exactly the position", "0.004", { side: "SELL", price: "50050.0", quantity: "0.004" }],
    ["a position off the lot rounds the size down", "-0.0047", { side: "BUY", price: "49950.0", quantity: "0.004" }],
    ["less than one lot left quotes nothing", "0.0005", { kind: "NO_QUOTE", side: "SELL", why: "BELOW_ONE_LOT" }],
    ["flat is REDUCED", "0", { kind: "REDUCED", code: "REDUCED" }],
  ])("%s", (_name, position, expected) => {
    expect(quoteFor(position)).toEqual(expected);
  });

  test("what already rests on the reducing side is subtracted from what is left", () => {
    expect(quoteFor("0.012", { restingReducingQuantity: new Big("0.010") })).toMatchObject({ quantity: "0.002" });
    expect(quoteFor("0.010", { restingReducingQuantity: new Big("0.010") })).toEqual({ kind: "NO_QUOTE", side: "SELL", why: "BELOW_ONE_LOT" });
  });

  test("a reducing side the normal quote skipped is not quoted", () => {
    expect(quoteFor("1", { askPrice: undefined })).toEqual({ kind: "NO_QUOTE", side: "SELL", why: "SIDE_NOT_QUOTED" });
  });

  test("reduce is refused with NOTHING_TO_REDUCE only when flat", () => {
    expect(reduceRefusal(new Big(0))).toBe("NOTHING_TO_REDUCE");
    expect(reduceRefusal(new Big("-0.001"))).toBeUndefined();
  });
});

interface LiveOrder {
  readonly side: Side;
  leaves: Big;
}

// A model exchange: quote, keep old orders live (cancels in flight), fill any of them fully or partly.
const action = fc.oneof(
  fc.record({ kind: fc.constant("QUOTE" as const) }),
  fc.record({ kind: fc.constant("FILL" as const), pick: fc.nat(), lots: fc.integer({ min: 1, max: 20 }), full: fc.boolean() }),
  fc.record({ kind: fc.constant("CANCELED" as const), pick: fc.nat() }),
);

describe("reduceOnlyQuote: properties", () => {
  test("whatever fills (full or partial) of its quotes happen, abs(position) never grows and never crosses zero", () => {
    fc.assert(fc.property(fc.integer({ min: -500, max: 500 }), fc.integer({ min: 1, max: 20 }), fc.array(action, { maxLength: 80 }), (startLots, quoteLots, actions) => {
      const lot = new Big("0.001");
      let position = lot.times(startLots);
      const live: LiveOrder[] = [];
      for (const step of actions) {
        if (step.kind === "QUOTE") {
          const side = position.gt(0) ? "SELL" : "BUY";
          const resting = live.filter((order) => order.side === side).reduce((sum, order) => sum.plus(order.leaves), new Big(0));
          const quote = reduceOnlyQuote({ ...base, position, quoteSize: lot.times(quoteLots), restingReducingQuantity: resting });
          if (quote.kind === "QUOTE") live.push({ side: quote.side, leaves: quote.quantity });
          continue;
        }
        const order = live[step.pick % Math.max(1, live.length)];
        if (!order) continue;
        if (step.kind === "CANCELED") {
          live.splice(live.indexOf(order), 1);
          continue;
        }
        const partial = lot.times(step.lots);
        const filled = step.full || partial.gte(order.leaves) ? order.leaves : partial;
        const next = order.side === "BUY" ? position.plus(filled) : position.minus(filled);
        expect(next.abs().lte(position.abs())).toBe(true);
        expect(next.eq(0) || next.s === position.s).toBe(true);
        position = next;
        order.leaves = order.leaves.minus(filled);
        if (order.leaves.eq(0)) live.splice(live.indexOf(order), 1);
      }
    }), { numRuns: 500 });
  });
});
