import type { SymbolEvent } from "@mms/trading-core";
import { MarketDataQueue } from "../../src/market-data-queue";

const SYMBOL = "BTCUSDT-PERP";
const delta = (seq: number): SymbolEvent => ({ kind: "BOOK_DELTA", delta: { symbol: SYMBOL, seq, ts: 1000 + seq, bids: [["100.0", "1"]], asks: [] } });
const trade = (ts: number): SymbolEvent => ({ kind: "PUBLIC_TRADE", trade: { symbol: SYMBOL, ts, px: "100.0", qty: "1", side: "BUY" } as never });
const snapshot = (seq: number): SymbolEvent => ({ kind: "BOOK_SNAPSHOT", snapshot: { symbol: SYMBOL, seq, ts: 1000 + seq, bids: [], asks: [] } });
const status = (seq: number): SymbolEvent => ({ kind: "MARKET_STATUS", status: { symbol: SYMBOL, seq, ts: 1000 + seq, status: "TRADING" } });

/** A queue whose drains run when the test says so: each `run()` is one turn of the event loop. */
function queue(maxQueued = 1000) {
  const dispatched: Array<{ event: SymbolEvent; receivedAt: number }> = [];
  const drains: Array<() => void> = [];
  let overflows = 0;
  const created = new MarketDataQueue({
    maxQueued,
    dispatch: (event, _parent, receivedAt) => dispatched.push({ event, receivedAt }),
    overflowed: () => (overflows += 1),
    schedule: (drain) => drains.push(drain),
  });
  const run = () => drains.splice(0).forEach((drain) => drain());
  return { queue: created, dispatched, run, drains, overflows: () => overflows };
}

const summary = (event: SymbolEvent): string => {
  if (event.kind === "BOOK_DELTA") return `delta ${event.delta.seq}${event.moreQueued ? " +more" : ""}`;
  if (event.kind === "BOOK_SNAPSHOT") return `snapshot ${event.snapshot.seq}`;
  if (event.kind === "MARKET_STATUS") return `status ${event.status.seq}`;
  return event.kind;
};

describe("market-data queue", () => {
  test("nothing is stepped inside the callback; one drain per batch steps everything in wire order", () => {
    const { queue: input, dispatched, run, drains } = queue();
    input.push(delta(2), undefined, 10);
    input.push(snapshot(5), undefined, 11);
    input.push(delta(6), undefined, 12);
    input.push(status(6), undefined, 13);
    expect(dispatched).toEqual([]);
    expect(drains).toHaveLength(1);
    run();
    expect(dispatched.map((entry) => summary(entry.event))).toEqual(["delta 2", "snapshot 5", "delta 6", "status 6"]);
    expect(dispatched.map((entry) => entry.receivedAt)).toEqual([10, 11, 12, 13]);
    expect(input.depth).toBe(0);
  });

  test("a delta with another delta right behind it is marked moreQueued; the last of a run is not", () => {
    const { queue: input, dispatched, run } = queue();
    for (const event of [delta(1), delta(2), delta(3), trade(4), delta(5), delta(6)]) input.push(event, undefined, 0);
    run();
    expect(dispatched.map((entry) => summary(entry.event))).toEqual(["delta 1 +more", "delta 2 +more", "delta 3", "PUBLIC_TRADE", "delta 5 +more", "delta 6"]);
    // The delta itself is passed on unchanged: every one is applied.
    expect(dispatched.map((entry) => (entry.event.kind === "BOOK_DELTA" ? entry.event.delta : undefined))).toEqual([delta(1), delta(2), delta(3), trade(4), delta(5), delta(6)].map((event) => (event.kind === "BOOK_DELTA" ? event.delta : undefined)));
  });

  test("a delta alone in its batch is not marked, and the next batch gets a drain of its own", () => {
    const { queue: input, dispatched, run, drains } = queue();
    input.push(delta(1), undefined, 0);
    run();
    input.push(delta(2), undefined, 0);
    expect(drains).toHaveLength(1);
    run();
    expect(dispatched.map((entry) => summary(entry.event))).toEqual(["delta 1", "delta 2"]);
  });

  test("beyond the cap deltas and trades are dropped and the overflow is told once; snapshots and statuses still queue", () => {
    const { queue: input, dispatched, run, overflows } = queue(3);
    for (const seq of [1, 2, 3]) expect(input.push(delta(seq), undefined, 0)).toBe(true);
    expect(input.push(delta(4), undefined, 0)).toBe(false);
    expect(input.push(trade(5), undefined, 0)).toBe(false);
    expect(input.push(snapshot(9), undefined, 0)).toBe(true);
    expect(input.push(status(9), undefined, 0)).toBe(true);
    expect(overflows()).toBe(1);
    expect(input.takeFigures()).toEqual({ deepest: 5, dropped: 2 });
    run();
    expect(dispatched.map((entry) => summary(entry.event))).toEqual(["delta 1 +more", "delta 2 +more", "delta 3", "snapshot 9", "status 9"]);
    // Drained: a new overflow is told again.
    for (const seq of [10, 11, 12, 13]) input.push(delta(seq), undefined, 0);
    expect(overflows()).toBe(2);
  });

  test("the figures give the deepest queue since they were last taken", () => {
    const { queue: input, run } = queue();
    for (const seq of [1, 2, 3, 4]) input.push(delta(seq), undefined, 0);
    run();
    input.push(delta(5), undefined, 0);
    expect(input.takeFigures()).toEqual({ deepest: 4, dropped: 0 });
    // Still queued when the figures were taken: the next window starts from it.
    run();
    expect(input.takeFigures()).toEqual({ deepest: 1, dropped: 0 });
    expect(input.takeFigures()).toEqual({ deepest: 0, dropped: 0 });
  });
});
