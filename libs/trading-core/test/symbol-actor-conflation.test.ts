// Conflation: a BOOK_DELTA with `moreQueued` is applied (lag and gap checked) but the look
// at the market (crossed check, volatility, price jump, requote) waits for the last delta
// of the batch, or for the next event that may read the market.
import fc from "fast-check";
import type { SymbolCommand, SymbolEvent } from "../src";
import { Driver, SYMBOL, eventsOf, intentsOf, kindsOf } from "./harness";

type Level = [string, string];

function delta(driver: Driver, bids: Level[], asks: Level[], moreQueued: boolean, options: { ts?: number; seq?: number } = {}): SymbolCommand[] {
  const seq = options.seq ?? driver.seq + 1;
  if (options.seq === undefined) driver.seq = seq;
  const event: SymbolEvent = { kind: "BOOK_DELTA", delta: { symbol: SYMBOL, seq, ts: options.ts ?? driver.now, bids, asks }, ...(moreQueued ? { moreQueued: true as const } : {}) };
  return driver.step(event);
}

/** Every delta of the batch, `moreQueued` on all but the last; the commands of the whole batch. */
function batch(driver: Driver, deltas: ReadonlyArray<{ bids: Level[]; asks: Level[] }>): SymbolCommand[] {
  return deltas.flatMap((change, index) => delta(driver, change.bids, change.asks, index < deltas.length - 1));
}

function levelsOf(driver: Driver, side: "BUY" | "SELL"): Level[] {
  return driver.actor.book!.depth(side, 1000).map((level) => [level.price.toFixed(1), level.quantity.toFixed()] as Level);
}

const ordersOf = (driver: Driver) => driver.actor.orders.openOrderViews();

const levelArbitrary: fc.Arbitrary<Level> = fc.tuple(fc.integer({ min: -30, max: 30 }), fc.constantFrom("0", "0", "0.010", "0.5", "1", "2")).map(([ticks, quantity]) => [(50005 + ticks * 0.5).toFixed(1), quantity]);
const deltaArbitrary = fc.record({ bids: fc.array(levelArbitrary, { maxLength: 3 }), asks: fc.array(levelArbitrary, { maxLength: 3 }) });

describe("conflated book deltas", () => {
  test("a batch sends exactly what one snapshot of the batch's final book would send, and leaves the same orders and state", () => {
    fc.assert(
      fc.property(fc.array(deltaArbitrary, { minLength: 1, maxLength: 12 }), (deltas) => {
        const conflated = new Driver();
        const reference = new Driver();
        conflated.active();
        reference.active();
        const batchCommands = batch(conflated, deltas);
        const snapshotCommands = reference.snapshot(levelsOf(conflated, "BUY"), levelsOf(conflated, "SELL"), { seq: conflated.seq });
        expect(batchCommands).toEqual(snapshotCommands);
        expect(ordersOf(conflated)).toEqual(ordersOf(reference));
        expect(conflated.actor.state).toEqual(reference.actor.state);
        expect(conflated.actor.lastObservedMid?.toFixed()).toEqual(reference.actor.lastObservedMid?.toFixed());
        // The next delta continues from the batch's last seq.
        expect(delta(conflated, [["49000.0", "1"]], [], false)).toEqual(reference.delta([["49000.0", "1"]], []));
      }),
      { numRuns: 150 },
    );
  });

  test("N queued deltas that move the market make one quote and one round of intents, at the last delta", () => {
    const driver = new Driver();
    driver.active();
    const moves = [1, 2, 3, 4, 5].map((step) => ({ bids: [[(50000 + step).toFixed(1), "1"] as Level, [(50000 + step - 1).toFixed(1), "0"] as Level], asks: [[(50010 + step).toFixed(1), "1"] as Level, [(50010 + step - 1).toFixed(1), "0"] as Level] }));
    const early = moves.slice(0, -1).flatMap((move) => delta(driver, move.bids, move.asks, true));
    expect(early).toEqual([]);
    const last = delta(driver, moves[4]!.bids, moves[4]!.asks, false);
    expect(eventsOf(last).filter((event) => event.type === "quote")).toHaveLength(1);
    expect(kindsOf(last)).toEqual(["CANCEL", "CANCEL"]);
  });

  test("a crossed book in the middle of a batch that uncrosses by its end does not pause", () => {
    const crossing = [{ bids: [["50015.0", "1"] as Level], asks: [] }, { bids: [["50015.0", "0"] as Level], asks: [] }];
    const conflated = new Driver();
    conflated.active();
    batch(conflated, crossing);
    expect(conflated.actor.state.name).toBe("ACTIVE");
    // The same deltas one by one do pause: the crossed book is seen.
    const unconflated = new Driver();
    unconflated.active();
    for (const change of crossing) unconflated.delta(change.bids, change.asks);
    expect(unconflated.actor.state).toMatchObject({ name: "PAUSED", reason: "MD_CROSSED" });
  });

  test("a batch that ends crossed pauses MD_CROSSED at its last delta", () => {
    const driver = new Driver();
    driver.active();
    expect(delta(driver, [["50015.0", "1"]], [], true)).toEqual([]);
    delta(driver, [["50014.0", "1"]], [], false);
    expect(driver.actor.state).toMatchObject({ name: "PAUSED", reason: "MD_CROSSED" });
  });

  test("a gap inside a batch pauses MD_GAP and asks for a snapshot at once; the rest of the batch is not applied", () => {
    const driver = new Driver();
    driver.active();
    delta(driver, [["50001.0", "1"]], [], true);
    const gap = delta(driver, [["50002.0", "1"]], [], true, { seq: driver.seq + 2 });
    expect(driver.actor.state).toMatchObject({ name: "PAUSED", reason: "MD_GAP" });
    expect(gap.some((command) => command.kind === "REQUEST_SNAPSHOT")).toBe(true);
    expect(kindsOf(gap)).toEqual(["CANCEL_ALL"]);
    const seqAfterGap = driver.actor.book!.seq;
    delta(driver, [["50003.0", "1"]], [], false, { seq: seqAfterGap + 1 });
    expect(driver.actor.book!.seq).toBe(seqAfterGap);
  });

  test("lag is checked on every delta of a batch: a late one pauses BUS_LAG in its own step", () => {
    const driver = new Driver();
    driver.active();
    delta(driver, [["50001.0", "1"]], [], true);
    const late = delta(driver, [["50002.0", "1"]], [], true, { ts: driver.now - 2001 });
    expect(driver.actor.state).toMatchObject({ name: "PAUSED", reason: "BUS_LAG" });
    expect(kindsOf(late)).toEqual(["CANCEL_ALL"]);
  });

  test("an event that reads the market after a batch cut short (a TIMER) first takes the deferred look", () => {
    const driver = new Driver();
    driver.active();
    expect(delta(driver, [["50005.0", "1"], ["50000.0", "0"]], [["50015.0", "1"], ["50010.0", "0"]], true)).toEqual([]);
    const timer = driver.advance(100).timer();
    expect(eventsOf(timer).filter((event) => event.type === "quote")).toHaveLength(1);
    expect(intentsOf(timer).filter((intent) => intent.kind === "CANCEL")).toHaveLength(2);
    // Looked at once: the next timer has nothing deferred to look at.
    expect(driver.actor.bookChangedSinceLook).toBe(false);
  });

  test("a crossed book left by a batch cut short pauses at the next event, before that event is handled", () => {
    const driver = new Driver();
    driver.active();
    delta(driver, [["50015.0", "1"]], [], true);
    expect(driver.actor.state.name).toBe("ACTIVE");
    driver.control("status");
    expect(driver.actor.state).toMatchObject({ name: "PAUSED", reason: "MD_CROSSED" });
  });
});
