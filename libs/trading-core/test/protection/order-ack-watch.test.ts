import fc from "fast-check";
import type { Side } from "@mms/contracts";
import { OrderAckWatch } from "../../src/protection";

const TIMEOUT = 2000;

function newWatch(): OrderAckWatch {
  let next = 0;
  return new OrderAckWatch({ account: "SYSTEM_MARKET_MAKER", symbol: "BTCUSDT-PERP", orderAckTimeoutMs: TIMEOUT, nextIntentId: () => `MM-I${(next += 1)}` });
}

describe("OrderAckWatch: examples", () => {
  test("nothing is due before the timeout; at it a CANCEL goes out with a new intentId and the same clientOrderId", () => {
    const watch = newWatch();
    watch.sent({ clientOrderId: "MM-O1", side: "BUY" }, 1000);
    expect(watch.due(2999)).toEqual({ cancels: [], unknown: [] });
    expect(watch.blocksSide("BUY")).toBe(false);
    expect(watch.due(3000).cancels).toEqual([{ kind: "CANCEL", intentId: "MM-I1", clientOrderId: "MM-O1", account: "SYSTEM_MARKET_MAKER", symbol: "BTCUSDT-PERP", ts: 3000 }]);
    expect(watch.blocksSide("BUY")).toBe(true);
    expect(watch.blocksSide("SELL")).toBe(false);
  });

  test("three further CANCELs each unanswered for the timeout make the order ORDER_STATE_UNKNOWN, once; CANCELs go on", () => {
    const watch = newWatch();
    watch.sent({ clientOrderId: "MM-O1", side: "SELL" }, 0);
    expect(watch.due(2000).unknown).toEqual([]);
    expect(watch.due(4000).unknown).toEqual([]);
    expect(watch.due(6000).unknown).toEqual([]);
    const fourth = watch.due(8000);
    expect(fourth.cancels.map((cancel) => cancel.intentId)).toEqual(["MM-I4"]);
    expect(fourth.unknown).toEqual([{
      code: "ORDER_STATE_UNKNOWN", clientOrderId: "MM-O1", side: "SELL", sentAt: 0, unansweredCancels: 3,
      detail: "MM-O1 got no report since 0; 3 CANCELs went 2000 ms unanswered",
    }]);
    expect(watch.due(10000)).toMatchObject({ cancels: [{ intentId: "MM-I5" }], unknown: [] });
  });

  test("a report settles the order: no more CANCELs and its side is free", () => {
    const watch = newWatch();
    watch.sent({ clientOrderId: "MM-O1", side: "BUY" }, 0);
    watch.due(2000);
    watch.settled("MM-O1");
    expect(watch.blocksSide("BUY")).toBe(false);
    expect(watch.due(100_000)).toEqual({ cancels: [], unknown: [] });
  });

  test("a late tick sends one CANCEL, not one per missed timeout", () => {
    const watch = newWatch();
    watch.sent({ clientOrderId: "MM-O1", side: "BUY" }, 0);
    expect(watch.due(9000).cancels).toHaveLength(1);
    expect(watch.due(10_999).cancels).toHaveLength(0);
  });

  test("a NEW or CANCEL of the order manager for an overdue order does not restart its count", () => {
    const watch = newWatch();
    watch.sent({ clientOrderId: "MM-O1", side: "BUY" }, 0);
    watch.due(2000);
    watch.sent({ clientOrderId: "MM-O1", side: "BUY" }, 2500);
    watch.due(4000);
    watch.due(6000);
    expect(watch.due(8000).unknown).toHaveLength(1);
  });
});

type Step = { kind: "SENT" | "REPORT"; order: number; side: Side; gapMs: number } | { kind: "TICK"; gapMs: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constantFrom<"SENT" | "REPORT">("SENT", "REPORT"), order: fc.integer({ min: 0, max: 3 }), side: fc.constantFrom<Side>("BUY", "SELL"), gapMs: fc.integer({ min: 0, max: 3000 }) }),
  fc.record({ kind: fc.constant<"TICK">("TICK"), gapMs: fc.integer({ min: 0, max: 3000 }) }),
);

describe("OrderAckWatch: properties", () => {
  test("an order never gets two CANCELs within one timeout, and a report at any time clears it", () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
      const watch = newWatch();
      const lastCancel = new Map<string, number>();
      const sides = new Map<string, Side>();
      let now = 0;
      for (const event of steps) {
        now += event.gapMs;
        if (event.kind === "TICK") {
          for (const cancel of watch.due(now).cancels) {
            const previous = lastCancel.get(cancel.clientOrderId);
            if (previous !== undefined) expect(now - previous).toBeGreaterThanOrEqual(TIMEOUT);
            lastCancel.set(cancel.clientOrderId, now);
          }
          continue;
        }
        const clientOrderId = `MM-O${event.order}`;
        if (event.kind === "SENT") {
          if (!watch.isWatching(clientOrderId)) sides.set(clientOrderId, event.side);
          watch.sent({ clientOrderId, side: sides.get(clientOrderId) ?? event.side }, now);
        } else {
          watch.settled(clientOrderId);
          lastCancel.delete(clientOrderId);
          sides.delete(clientOrderId);
          expect(watch.isWatching(clientOrderId)).toBe(false);
          expect(watch.due(now).cancels.map((cancel) => cancel.clientOrderId)).not.toContain(clientOrderId);
        }
        // A side is blocked only by an order still watched on it.
        for (const side of ["BUY", "SELL"] as const) {
          if (watch.blocksSide(side)) expect([...sides.values()]).toContain(side);
        }
      }
    }), { numRuns: 300 });
  });
});
