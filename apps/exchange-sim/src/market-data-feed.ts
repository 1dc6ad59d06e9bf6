import type { BookDelta, BookSnapshot, MarketStatus, MarketStatusValue } from "@mms/contracts";
import { type Big, decimalString } from "./decimal";
import type { LevelChange } from "./matching-engine";
import type { PriceLevel } from "./order-book";

function levels(changes: readonly (LevelChange | PriceLevel)[]): [string, string][] {
  return changes.map((change) => [decimalString(change.px), decimalString(change.qty)]);
}

/**
 * The sequencing of one symbol's market data: one seq for snapshots and deltas. A snapshot
 * carries the latest seq S, the next delta S + 1. Faults that corrupt the feed live here too.
 */
export class MarketDataFeed {
  private seq = 0;
  private skipPending = false;

  constructor(readonly symbol: string) {}

  latestSeq(): number {
    return this.seq;
  }

  snapshot(book: { bids: readonly PriceLevel[]; asks: readonly PriceLevel[] }, now: number): BookSnapshot {
    return { symbol: this.symbol, seq: this.seq, ts: now, bids: levels(book.bids), asks: levels(book.asks) };
  }

  delta(bids: readonly LevelChange[], asks: readonly LevelChange[], now: number): BookDelta {
    return this.rawDelta(levels(bids), levels(asks), now);
  }

  status(status: MarketStatusValue, now: number): MarketStatus {
    return { symbol: this.symbol, ts: now, seq: this.seq, status };
  }

  /** The next delta skips one seq number: a gap on the wire. */
  skipNextSeq(): void {
    this.skipPending = true;
  }

  /**
   * A delta that crosses the published book: a bid of one lot at the best ask (or an ask at
   * the best bid when no ask rests; both at `fallbackPx` on an empty book).
   */
  crossedDelta(bestBid: Big | undefined, bestAsk: Big | undefined, fallbackPx: Big, lotSize: Big, now: number): BookDelta {
    const lot = decimalString(lotSize);
    if (bestAsk !== undefined) return this.rawDelta([[decimalString(bestAsk), lot]], [], now);
    if (bestBid !== undefined) return this.rawDelta([], [[decimalString(bestBid), lot]], now);
    const px = decimalString(fallbackPx);
    return this.rawDelta([[px, lot]], [[px, lot]], now);
  }

  private rawDelta(bids: [string, string][], asks: [string, string][], now: number): BookDelta {
    this.seq += this.skipPending ? 2 : 1;
    this.skipPending = false;
    return { symbol: this.symbol, seq: this.seq, ts: now, bids, asks };
  }
}
