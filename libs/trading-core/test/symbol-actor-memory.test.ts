import type { SymbolConfig } from "@mms/contracts";
import { RECENT_EXEC_IDS } from "../src/symbol-actor/state";
import { Driver, intentsOf, newActor, newsOf, type NewIntent } from "./harness";
import { Big, type SymbolCommand } from "../src";

/**
 * Every Map, Set and array reachable from `root`, by path (elements of a collection share
 * one path, `[]`), with the largest size seen under that path. Private fields are ordinary
 * properties at run time, so nothing the actor holds escapes the walk.
 */
function collectionSizes(root: unknown): Map<string, number> {
  const sizes = new Map<string, number>();
  const seen = new WeakSet<object>();
  const note = (path: string, size: number) => sizes.set(path, Math.max(sizes.get(path) ?? 0, size));
  const visit = (value: unknown, path: string): void => {
    if (value === null || typeof value !== "object" || seen.has(value)) return;
    seen.add(value);
    if (value instanceof Map) {
      note(path, value.size);
      for (const entry of value.values()) visit(entry, `${path}[]`);
    } else if (value instanceof Set) {
      note(path, value.size);
      for (const entry of value) visit(entry, `${path}[]`);
    } else if (Array.isArray(value)) {
      note(path, value.length);
      for (const entry of value) visit(entry, `${path}[]`);
    } else {
      for (const [key, entry] of Object.entries(value)) visit(entry, `${path}.${key}`);
    }
  };
  visit(root, "actor");
  return sizes;
}

// Room for fast fills: the fill-burst guard and the position limit would stop the symbol.
const ROOMY: Partial<SymbolConfig> = { maxPosition: "1000000", mmp: { windowMs: 1000, maxFills: 1_000_000, maxFillQty: "1000000", maxNetQty: "1000000", frozenMs: 1000 } };

/**
 * A symbol quoting for `fills` fills: every resting order is accepted, filled in two parts
 * (so partial fills count), and replaced; every tenth round the market moves (a cancel and
 * a replace), every round brings a public trade and a timer.
 */
function quoteAndFill(driver: Driver, resting: Map<string, NewIntent>, fills: number): void {
  const answer = (commands: readonly SymbolCommand[]) => {
    for (const intent of newsOf(commands)) {
      resting.set(intent.clientOrderId, intent);
      driver.report(driver.accepted(intent));
    }
    for (const intent of intentsOf(commands)) {
      if (intent.kind !== "CANCEL" || !resting.has(intent.clientOrderId)) continue;
      resting.delete(intent.clientOrderId);
      driver.report(driver.canceled(intent.clientOrderId));
    }
  };
  let done = 0;
  let round = 0;
  while (done < fills) {
    round += 1;
    const order = [...resting.values()][round % Math.max(1, resting.size)];
    if (order) {
      resting.delete(order.clientOrderId);
      const half = new Big(order.qty).div(2).toFixed(3);
      answer(driver.report(driver.fill(order.clientOrderId, order.side, order.px, half, half)));
      answer(driver.report(driver.fill(order.clientOrderId, order.side, order.px, half, "0.000")));
      done += 2;
    }
    driver.advance(250);
    if (round % 10 === 0) {
      // The book steps 20 up and back: the old levels go (quantity 0), the new ones come.
      const [from, to] = (round / 10) % 2 === 0 ? [20, 0] : [0, 20];
      answer(driver.delta([[`${50000 + from}.0`, "0"], [`${50000 + to}.0`, "1"]], [[`${50010 + from}.0`, "0"], [`${50010 + to}.0`, "1"]]));
    }
    answer(driver.trade());
    answer(driver.timer());
    // The driver's own log is not the actor's memory.
    driver.log.length = 0;
    if (round > fills * 4) throw new Error(`only ${done} fills in ${round} rounds: the symbol stopped quoting (${driver.actor.state.name}, ${driver.actor.stop?.detail})`);
  }
}

/** The largest size of each collection over `chunks` runs of `fills` fills. */
function largestSizesWhile(driver: Driver, resting: Map<string, NewIntent>, chunks: number, fills: number): Map<string, number> {
  const largest = new Map<string, number>();
  for (let chunk = 0; chunk < chunks; chunk += 1) {
    quoteAndFill(driver, resting, fills);
    for (const [path, size] of collectionSizes(driver.actor)) largest.set(path, Math.max(largest.get(path) ?? 0, size));
  }
  return largest;
}

test("every collection of the symbol actor stays bounded through 32,000 fills: none exceeds its 10,000-id window, none grows once the windows are full", () => {
  const driver = new Driver(newActor(ROOMY));
  const { bid, ask } = driver.active();
  const resting = new Map<string, NewIntent>([
    [bid.clientOrderId, bid],
    [ask.clientOrderId, ask],
  ]);
  // 22,000 fills in two parts each: 11,000 orders, past every window's capacity (fills, execIds, closed orders).
  quoteAndFill(driver, resting, 22_000);
  expect([driver.actor.recentFillIds.size, driver.actor.recentExecIds.size]).toEqual([RECENT_EXEC_IDS, RECENT_EXEC_IDS]);
  const earlier = largestSizesWhile(driver, resting, 5, 1000);
  const later = largestSizesWhile(driver, resting, 5, 1000);
  expect(driver.actor.state.name).toBe("ACTIVE");
  const tooLarge = [...later].filter(([, size]) => size > RECENT_EXEC_IDS);
  // Open orders and rolling windows come and go; a Deque's array keeps up to 64 dropped
  // entries before it compacts. More than that over 5,000 fills is growth.
  const grew = [...later].filter(([path, size]) => size > (earlier.get(path) ?? 0) + 64);
  expect(tooLarge).toEqual([]);
  expect(grew).toEqual([]);
  expect(later.get("actor.orders.closed.members")).toBe(RECENT_EXEC_IDS);
});
