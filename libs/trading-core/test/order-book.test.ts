import { Big, OrderBook } from "../src";

const snapshot = { symbol: "BTCUSDT-PERP", seq: 100, ts: 5000, bids: [["99.9", "1"], ["99.8", "2"], ["99.7", "3"]] as [string, string][], asks: [["100.1", "1"], ["100.2", "2"]] as [string, string][] };
const delta = (seq: number, bids: [string, string][], asks: [string, string][]) => ({ symbol: "BTCUSDT-PERP", seq, ts: 5000 + seq, bids, asks });

describe("OrderBook", () => {
  test("a snapshot sets best bid, best ask, mid, seq and ts", () => {
    const book = OrderBook.fromSnapshot(snapshot);
    expect(book.bestBid()!.toFixed()).toBe("99.9");
    expect(book.bestAsk()!.toFixed()).toBe("100.1");
    expect(book.mid()!.toFixed()).toBe("100");
    expect(book.seq).toBe(100);
    expect(book.ts).toBe(5000);
    expect(book.isCrossed()).toBe(false);
  });

  test("a snapshot listed worst level first is still ordered best first", () => {
    const book = OrderBook.fromSnapshot({ ...snapshot, bids: [["99.7", "3"], ["99.9", "1"], ["99.8", "2"]], asks: [["100.2", "2"], ["100.1", "1"]] });
    expect(book.depth("BUY", 3).map((level) => level.price.toFixed())).toEqual(["99.9", "99.8", "99.7"]);
    expect(book.depth("SELL", 3).map((level) => level.price.toFixed())).toEqual(["100.1", "100.2"]);
  });

  test("a delta sets the quantity of an existing level and inserts a new level in price order", () => {
    const book = OrderBook.fromSnapshot(snapshot);
    expect(book.applyDelta(delta(101, [["99.8", "5"], ["99.85", "1"]], [["100.15", "4"]]))).toEqual({ kind: "APPLIED" });
    expect(book.depth("BUY", 5).map((level) => [level.price.toFixed(), level.quantity.toFixed()])).toEqual([["99.9", "1"], ["99.85", "1"], ["99.8", "5"], ["99.7", "3"]]);
    expect(book.depth("SELL", 5).map((level) => level.price.toFixed())).toEqual(["100.1", "100.15", "100.2"]);
    expect(book.seq).toBe(101);
    expect(book.ts).toBe(5101);
  });

  test('qty "0" removes the level; removing the best bid and best ask exposes the next levels', () => {
    const book = OrderBook.fromSnapshot(snapshot);
    book.applyDelta(delta(101, [["99.9", "0"]], [["100.1", "0"]]));
    expect(book.bestBid()!.toFixed()).toBe("99.8");
    expect(book.bestAsk()!.toFixed()).toBe("100.2");
    expect(book.mid()!.toFixed()).toBe("100");
  });

  test('qty "0" for a level that does not exist changes nothing', () => {
    const book = OrderBook.fromSnapshot(snapshot);
    book.applyDelta(delta(101, [["99.95", "0"]], []));
    expect(book.depth("BUY", 5).map((level) => level.price.toFixed())).toEqual(["99.9", "99.8", "99.7"]);
  });

  test("prices compare as decimals, not strings (\"100.10\" equals \"100.1\")", () => {
    const book = OrderBook.fromSnapshot(snapshot);
    book.applyDelta(delta(101, [], [["100.10", "0"]]));
    expect(book.bestAsk()!.toFixed()).toBe("100.2");
  });

  test("mid is undefined while a side is empty", () => {
    const book = OrderBook.fromSnapshot({ ...snapshot, asks: [] });
    expect(book.mid()).toBeUndefined();
    book.applyDelta(delta(101, [], [["100.3", "1"]]));
    expect(book.mid()!.toFixed()).toBe("100.1");
    book.applyDelta(delta(102, [["99.9", "0"], ["99.8", "0"], ["99.7", "0"]], []));
    expect(book.bestBid()).toBeUndefined();
    expect(book.mid()).toBeUndefined();
  });

  test.each([
    ["skips a seq", 102],
    ["repeats the last seq", 100],
    ["goes backwards", 50],
  ])("a delta that %s is a gap and is not applied", (_name, seq) => {
    const book = OrderBook.fromSnapshot(snapshot);
    expect(book.applyDelta(delta(seq, [["99.9", "0"]], []))).toEqual({ kind: "GAP", expectedSeq: 101, receivedSeq: seq });
    expect(book.bestBid()!.toFixed()).toBe("99.9");
    expect(book.seq).toBe(100);
    // the next in-sequence delta still applies
    expect(book.applyDelta(delta(101, [["99.9", "0"]], []))).toEqual({ kind: "APPLIED" });
  });

  test("a book whose best bid reaches the best ask is crossed", () => {
    const book = OrderBook.fromSnapshot(snapshot);
    book.applyDelta(delta(101, [["100.1", "1"]], []));
    expect(book.isCrossed()).toBe(true);
    const locked = OrderBook.fromSnapshot(snapshot);
    locked.applyDelta(delta(101, [["100.2", "1"]], []));
    expect(locked.isCrossed()).toBe(true);
    // and uncrosses when the offending level goes
    locked.applyDelta(delta(102, [["100.2", "0"]], []));
    expect(locked.isCrossed()).toBe(false);
  });
  test("a price spelled two ways is one level: resized by either spelling, removed by either", () => {
    const book = OrderBook.fromSnapshot(snapshot);
    book.applyDelta(delta(101, [["99.80", "7"]], []));
    book.applyDelta(delta(102, [["99.8", "8"]], []));
    expect(book.depth("BUY", 5).map((level) => [level.price.toFixed(), level.quantity.toFixed()])).toEqual([["99.9", "1"], ["99.8", "8"], ["99.7", "3"]]);
    book.applyDelta(delta(103, [["99.80", "0.000"]], []));
    expect(book.depth("BUY", 5).map((level) => level.price.toFixed())).toEqual(["99.9", "99.7"]);
    // a level added again after its removal is a new level, found by its text again
    book.applyDelta(delta(104, [["99.8", "4"]], []));
    book.applyDelta(delta(105, [["99.8", "5"]], []));
    expect(book.depth("BUY", 5).map((level) => [level.price.toFixed(), level.quantity.toFixed()])).toEqual([["99.9", "1"], ["99.8", "5"], ["99.7", "3"]]);
  });

  test("the best price stays the same object while its level stays, and a resize does not change it", () => {
    const book = OrderBook.fromSnapshot(snapshot);
    const best = book.bestBid();
    book.applyDelta(delta(101, [["99.9", "4"]], []));
    expect(book.bestBid()).toBe(best);
    book.applyDelta(delta(102, [["99.95", "1"]], []));
    expect(book.bestBid()!.toFixed()).toBe("99.95");
  });

  test("our own quantity at a level is taken out of it: the level counts only for what is left", () => {
    const book = OrderBook.fromSnapshot(snapshot);
    const own = (price: string, quantity: string) => [{ price: new Big(price), quantity: new Big(quantity) }];
    expect(book.bestExcluding("BUY", own("99.9", "1"))!.toFixed()).toBe("99.8");
    expect(book.bestExcluding("BUY", own("99.9", "0.5"))!.toFixed()).toBe("99.9");
    book.applyDelta(delta(101, [["99.9", "3.5"]], []));
    expect(book.bestExcluding("BUY", own("99.9", "1"))!.toFixed()).toBe("99.9");
    expect(book.bestExcluding("SELL", own("100.2", "9"))!.toFixed()).toBe("100.1");
  });
});
