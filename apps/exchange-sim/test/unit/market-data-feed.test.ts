import { validators } from "@mms/contracts";
import { Big } from "../../src/decimal";
import { MarketDataFeed } from "../../src/market-data-feed";

const level = (px: string, qty: string) => ({ px: new Big(px), qty: new Big(qty) });

describe("market data feed", () => {
  it("gives a snapshot the latest seq and the next delta that seq plus one", () => {
    const feed = new MarketDataFeed("BTCUSDT-PERP");
    const first = feed.delta([level("100", "1")], [], 1);
    const snapshot = feed.snapshot({ bids: [level("100", "1")], asks: [level("101", "2")] }, 2);
    const next = feed.delta([], [level("101", "0")], 3);
    expect([first.seq, snapshot.seq, next.seq]).toEqual([1, 1, 2]);
    expect(snapshot).toEqual({ symbol: "BTCUSDT-PERP", seq: 1, ts: 2, bids: [["100", "1"]], asks: [["101", "2"]] });
    expect(next.asks).toEqual([["101", "0"]]);
    expect(validators.bookSnapshot(snapshot).ok).toBe(true);
    expect(validators.bookDelta(next).ok).toBe(true);
    expect(feed.status("TRADING", 4)).toEqual({ symbol: "BTCUSDT-PERP", ts: 4, seq: 2, status: "TRADING" });
  });

  it("skip-seq makes the next delta jump one seq number, once", () => {
    const feed = new MarketDataFeed("X");
    feed.delta([], [], 1);
    feed.skipNextSeq();
    expect(feed.delta([], [], 2).seq).toBe(3);
    expect(feed.delta([], [], 3).seq).toBe(4);
  });

  it("a crossed delta puts a bid at the best ask", () => {
    const feed = new MarketDataFeed("X");
    const delta = feed.crossedDelta(new Big("99"), new Big("101"), new Big("100"), new Big("0.001"), 1);
    expect(delta).toEqual({ symbol: "X", seq: 1, ts: 1, bids: [["101", "0.001"]], asks: [] });
  });
});
