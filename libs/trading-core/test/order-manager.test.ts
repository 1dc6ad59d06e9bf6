import fc from "fast-check";
import type { ExecutionReport, Side } from "@mms/contracts";
import { Big, OrderManager, type DesiredQuotes, type OrderAction, type ReconcileSettings } from "../src";
import { ACCOUNT, SYMBOL } from "./harness";

const settings: ReconcileSettings = { tickSize: new Big("0.1"), requoteToleranceTicks: 2, maxOrdersPerSecond: 5, cancelRetryMs: 2000 };

function ids() {
  let next = 0;
  return () => `c${(next += 1)}`;
}

const level = (price: string, quantity = "1") => ({ price: new Big(price), quantity: new Big(quantity) });
let execSeq = 0;
const base = (clientOrderId: string) => ({ execId: `x${(execSeq += 1)}`, account: ACCOUNT, symbol: SYMBOL, ts: 0, clientOrderId });
const accepted = (clientOrderId: string, side: Side, px: string, qty = "1"): ExecutionReport => ({ kind: "ACCEPTED", ...base(clientOrderId), orderId: `o-${clientOrderId}`, side, px, qty });
const canceled = (clientOrderId: string): ExecutionReport => ({ kind: "CANCELED", ...base(clientOrderId), orderId: `o-${clientOrderId}`, reason: "CANCELED" });
const rejected = (clientOrderId: string, reason: string): ExecutionReport => ({ kind: "REJECTED", ...base(clientOrderId), reason });
const filled = (clientOrderId: string, side: Side, qty: string, leavesQty: string): ExecutionReport => ({ kind: "FILL", ...base(clientOrderId), orderId: `o-${clientOrderId}`, side, fillId: `f${execSeq}`, px: "100", qty, leavesQty, fee: "0", liquidity: "MAKER" });

const summary = (actions: OrderAction[]) => actions.map((action) => (action.kind === "NEW" ? `NEW ${action.side} ${action.price.toFixed()} ${action.quantity.toFixed()}` : `CANCEL ${action.clientOrderId}`));

describe("OrderManager.reconcile", () => {
  test("sends one NEW per side from empty", () => {
    const manager = new OrderManager();
    expect(summary(manager.reconcile({ bid: level("99.5"), ask: level("100.5") }, 0, settings, ids()))).toEqual(["NEW BUY 99.5 1", "NEW SELL 100.5 1"]);
    expect(manager.all().map((order) => order.status)).toEqual(["PENDING_NEW", "PENDING_NEW"]);
  });

  test("leaves a resting order alone while within requoteToleranceTicks and with the same quantity", () => {
    const manager = new OrderManager();
    const next = ids();
    manager.reconcile({ bid: level("99.5"), ask: undefined }, 0, settings, next);
    expect(manager.reconcile({ bid: level("99.7"), ask: undefined }, 10, settings, next)).toEqual([]); // 2 ticks
    expect(manager.reconcile({ bid: level("99.3"), ask: undefined }, 20, settings, next)).toEqual([]); // 2 ticks the other way
  });

  test("cancels a resting order more than the tolerance away, and sends the replacement only after the cancel is confirmed", () => {
    const manager = new OrderManager();
    const next = ids();
    manager.reconcile({ bid: level("99.5"), ask: undefined }, 0, settings, next);
    manager.applyReport(accepted("c1", "BUY", "99.5"));
    expect(summary(manager.reconcile({ bid: level("99.8"), ask: undefined }, 10, settings, next))).toEqual(["CANCEL c1"]);
    expect(manager.reconcile({ bid: level("99.8"), ask: undefined }, 20, settings, next)).toEqual([]);
    manager.applyReport(canceled("c1"));
    expect(summary(manager.reconcile({ bid: level("99.8"), ask: undefined }, 30, settings, next))).toEqual(["NEW BUY 99.8 1"]);
  });

  test("cancels and replaces when the quantity changes (a partial fill)", () => {
    const manager = new OrderManager();
    const next = ids();
    manager.reconcile({ bid: level("99.5"), ask: undefined }, 0, settings, next);
    manager.applyReport(accepted("c1", "BUY", "99.5"));
    expect(manager.applyReport(filled("c1", "BUY", "0.4", "0.6"))).toEqual({ kind: "FILLED", clientOrderId: "c1", complete: false });
    expect(summary(manager.reconcile({ bid: level("99.5"), ask: undefined }, 10, settings, next))).toEqual(["CANCEL c1"]);
  });

  test("a complete fill closes the order and frees the side", () => {
    const manager = new OrderManager();
    const next = ids();
    manager.reconcile({ bid: level("99.5"), ask: undefined }, 0, settings, next);
    expect(manager.applyReport(filled("c1", "BUY", "1", "0"))).toEqual({ kind: "FILLED", clientOrderId: "c1", complete: true });
    expect(manager.hasOrders()).toBe(false);
    expect(summary(manager.reconcile({ bid: level("99.5"), ask: undefined }, 10, settings, next))).toEqual(["NEW BUY 99.5 1"]);
  });

  test("a side no longer wanted is cancelled", () => {
    const manager = new OrderManager();
    const next = ids();
    manager.reconcile({ bid: level("99.5"), ask: level("100.5") }, 0, settings, next);
    expect(summary(manager.reconcile({ bid: level("99.5"), ask: undefined }, 10, settings, next))).toEqual(["CANCEL c2"]);
  });

  test("a cancel not settled within cancelRetryMs is sent again", () => {
    const manager = new OrderManager();
    const next = ids();
    manager.reconcile({ bid: level("99.5"), ask: undefined }, 0, settings, next);
    manager.reconcile({ bid: undefined, ask: undefined }, 100, settings, next);
    expect(manager.reconcile({ bid: undefined, ask: undefined }, 2099, settings, next)).toEqual([]);
    expect(summary(manager.reconcile({ bid: undefined, ask: undefined }, 2100, settings, next))).toEqual(["CANCEL c1"]);
  });

  test("a rejected NEW closes the order; a refused cancel of an accepted order leaves it live", () => {
    const manager = new OrderManager();
    const next = ids();
    manager.reconcile({ bid: level("99.5"), ask: level("100.5") }, 0, settings, next);
    expect(manager.applyReport(rejected("c1", "POST_ONLY_WOULD_CROSS"))).toMatchObject({ kind: "REJECTED", orderWasLive: false });
    expect(manager.get("c1")).toBeUndefined();
    manager.applyReport(accepted("c2", "SELL", "100.5"));
    manager.reconcile({ bid: undefined, ask: undefined }, 10, settings, next);
    expect(manager.get("c2")!.status).toBe("PENDING_CANCEL");
    expect(manager.applyReport(rejected("c2", "RATE_LIMIT"))).toMatchObject({ kind: "REJECTED", orderWasLive: true });
    expect(manager.get("c2")!.status).toBe("LIVE");
    expect(manager.applyReport(rejected("c2", "UNKNOWN_ORDER"))).toMatchObject({ kind: "REJECTED", orderWasLive: false });
    expect(manager.get("c2")).toBeUndefined();
  });

  test("reports for a closed order are ignored (a late ACCEPTED does not resurrect it)", () => {
    const manager = new OrderManager();
    manager.reconcile({ bid: level("99.5"), ask: undefined }, 0, settings, ids());
    manager.applyReport(canceled("c1"));
    expect(manager.applyReport(accepted("c1", "BUY", "99.5"))).toEqual({ kind: "IGNORED", clientOrderId: "c1" });
    expect(manager.hasOrders()).toBe(false);
  });

  test("the last 10,000 closed orders are remembered, the oldest forgotten first", () => {
    const manager = new OrderManager();
    for (let index = 0; index < 60_000; index++) manager.applyReport(canceled(`old-${index}`));
    expect(manager.applyReport(accepted("old-59999", "BUY", "99.5"))).toEqual({ kind: "IGNORED", clientOrderId: "old-59999" });
    expect(manager.applyReport(accepted("old-50000", "BUY", "99.5"))).toEqual({ kind: "IGNORED", clientOrderId: "old-50000" });
    expect(manager.applyReport(accepted("old-49999", "BUY", "99.5"))).toEqual({ kind: "ACCEPTED", clientOrderId: "old-49999" });
  });

  test("a fill before its ACCEPTED is tracked from the fill", () => {
    const manager = new OrderManager();
    expect(manager.applyReport(filled("z1", "SELL", "0.3", "0.7"))).toMatchObject({ kind: "FILLED", complete: false });
    expect(manager.openOrderViews()).toEqual([{ clientOrderId: "z1", side: "SELL", px: "100", qty: "0.7" }]);
  });

  test("recordCancelAll marks every order cancelling at once, beyond the per-second budget", () => {
    const manager = new OrderManager();
    const next = ids();
    const two = { ...settings, maxOrdersPerSecond: 2 };
    manager.reconcile({ bid: level("99.5"), ask: level("100.5") }, 0, two, next);
    manager.applyReport(accepted("c1", "BUY", "99.5"));
    // the budget is spent: a requote far away is held back entirely
    expect(manager.reconcile({ bid: level("90"), ask: level("110") }, 1, two, next)).toEqual([]);
    manager.recordCancelAll(1);
    expect(manager.all().map((order) => order.status)).toEqual(["PENDING_CANCEL", "PENDING_CANCEL"]);
  });

  test("holds NEW and CANCEL actions to maxOrdersPerSecond and sends the rest in the next window", () => {
    const manager = new OrderManager();
    const next = ids();
    const one = { ...settings, maxOrdersPerSecond: 3 };
    expect(manager.reconcile({ bid: level("99.5"), ask: level("100.5") }, 0, one, next)).toHaveLength(2);
    expect(manager.reconcile({ bid: undefined, ask: undefined }, 100, one, next)).toHaveLength(1); // only one token left
    expect(manager.reconcile({ bid: undefined, ask: undefined }, 999, one, next)).toHaveLength(0);
    expect(summary(manager.reconcile({ bid: undefined, ask: undefined }, 1000, one, next))).toEqual(["CANCEL c2"]);
  });
});

// ---------------------------------------------------------------------------------
// Random sequences of desired quotes, reports and time.

type Op =
  | { readonly kind: "reconcile"; readonly bid: number | null; readonly ask: number | null; readonly qty: number }
  | { readonly kind: "advance"; readonly ms: number }
  | { readonly kind: "report"; readonly pick: number; readonly report: "ACCEPTED" | "FILL_PART" | "FILL_ALL" | "CANCELED" | "REJECTED" | "REJECTED_UNKNOWN" }
  | { readonly kind: "cancelAll" };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("reconcile" as const), bid: fc.option(fc.integer({ min: 990, max: 1000 }), { nil: null }), ask: fc.option(fc.integer({ min: 1001, max: 1011 }), { nil: null }), qty: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 100, max: 2500 })) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("report" as const), pick: fc.nat(), report: fc.constantFrom("ACCEPTED", "FILL_PART", "FILL_ALL", "CANCELED", "REJECTED", "REJECTED_UNKNOWN") }) },
  { weight: 1, arbitrary: fc.constant({ kind: "cancelAll" as const }) },
);

interface Sent {
  readonly at: number;
  readonly side: Side;
  readonly quantity: Big;
}

function run(ops: readonly Op[], maxOrdersPerSecond: number, check: (step: { manager: OrderManager; before: Map<Side, number>; actions: OrderAction[]; now: number; sentTimes: number[] }) => void): void {
  const manager = new OrderManager();
  const next = ids();
  const reconcileSettings = { ...settings, maxOrdersPerSecond };
  const issued = new Map<string, Sent>();
  const sentTimes: number[] = [];
  let now = 0;
  for (const op of ops) {
    switch (op.kind) {
      case "advance":
        now += op.ms;
        break;
      case "cancelAll":
        manager.recordCancelAll(now);
        break;
      case "report": {
        const known = [...issued.keys()];
        if (known.length === 0) break;
        const id = known[op.pick % known.length]!;
        const sent = issued.get(id)!;
        const order = manager.get(id);
        const leaves = order ? manager.leaves(order) : sent.quantity;
        const report: ExecutionReport =
          op.report === "ACCEPTED" ? accepted(id, sent.side, "100", sent.quantity.toFixed())
          : op.report === "FILL_PART" ? filled(id, sent.side, leaves.div(2).toFixed(), leaves.div(2).toFixed())
          : op.report === "FILL_ALL" ? filled(id, sent.side, leaves.toFixed(), "0")
          : op.report === "CANCELED" ? canceled(id)
          : rejected(id, op.report === "REJECTED" ? "RATE_LIMIT" : "UNKNOWN_ORDER");
        manager.applyReport(report);
        break;
      }
      case "reconcile": {
        const desired: DesiredQuotes = {
          bid: op.bid === null ? undefined : level(new Big(op.bid).div(10).toFixed(), String(op.qty)),
          ask: op.ask === null ? undefined : level(new Big(op.ask).div(10).toFixed(), String(op.qty)),
        };
        const before = new Map<Side, number>([["BUY", 0], ["SELL", 0]]);
        for (const order of manager.all()) before.set(order.side, before.get(order.side)! + 1);
        const actions = manager.reconcile(desired, now, reconcileSettings, next);
        for (const action of actions) {
          sentTimes.push(now);
          if (action.kind === "NEW") issued.set(action.clientOrderId, { at: now, side: action.side, quantity: action.quantity });
        }
        check({ manager, before, actions, now, sentTimes });
        break;
      }
    }
    // After every operation: at most one order per side that is not being cancelled.
    for (const side of ["BUY", "SELL"] as const) {
      const working = manager.all().filter((order) => order.side === side && order.status !== "PENDING_CANCEL");
      expect(working.length).toBeLessThanOrEqual(1);
    }
  }
}

describe("OrderManager properties", () => {
  test("never holds two orders on one side unless all but one are cancelling, and never sends a NEW on a side that still has any order", () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { maxLength: 120 }), (ops) => {
        run(ops, 1000, ({ before, actions }) => {
          for (const action of actions) if (action.kind === "NEW") expect(before.get(action.side)).toBe(0);
          const newsPerSide = actions.filter((action) => action.kind === "NEW").map((action) => (action as Extract<OrderAction, { kind: "NEW" }>).side);
          expect(new Set(newsPerSide).size).toBe(newsPerSide.length);
        });
      }),
      { numRuns: 300 },
    );
  });

  test("never more than maxOrdersPerSecond NEW + CANCEL actions in any 1000 ms window", () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { maxLength: 150 }), fc.integer({ min: 1, max: 4 }), (ops, maxOrdersPerSecond) => {
        run(ops, maxOrdersPerSecond, ({ sentTimes, now }) => {
          // every window [t, t + 1000) that ends after now
          for (const start of sentTimes) {
            if (start <= now - 1000) continue;
            expect(sentTimes.filter((time) => time >= start && time < start + 1000).length).toBeLessThanOrEqual(maxOrdersPerSecond);
          }
        });
      }),
      { numRuns: 300 },
    );
  });
});
