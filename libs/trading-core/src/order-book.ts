import type { BookDelta, BookLevel, BookSnapshot } from "@mms/contracts";
import { Big, type Decimal } from "./decimal";

interface Level {
  readonly price: Decimal;
  quantity: Decimal;
}

export type DeltaOutcome =
  | { readonly kind: "APPLIED" }
  | { readonly kind: "GAP"; readonly expectedSeq: number; readonly receivedSeq: number };

/**
 * An L2 book for one symbol. It is owned by one actor and updated in place: copying the
 * book on every delta would cost more than the decision it feeds. Bids are kept best
 * (highest) first, asks best (lowest) first.
 */
export class OrderBook {
  private readonly bids: Level[] = [];
  private readonly asks: Level[] = [];

  private constructor(
    private lastSeq: number,
    private lastTs: number,
  ) {}

  static fromSnapshot(snapshot: BookSnapshot): OrderBook {
    const book = new OrderBook(snapshot.seq, snapshot.ts);
    for (const level of snapshot.bids) book.setLevel(book.bids, level, true);
    for (const level of snapshot.asks) book.setLevel(book.asks, level, false);
    return book;
  }

  get seq(): number {
    return this.lastSeq;
  }

  get ts(): number {
    return this.lastTs;
  }

  /** A delta must carry exactly the next seq; anything else is a gap and is not applied. */
  applyDelta(delta: BookDelta): DeltaOutcome {
    if (delta.seq !== this.lastSeq + 1) return { kind: "GAP", expectedSeq: this.lastSeq + 1, receivedSeq: delta.seq };
    for (const level of delta.bids) this.setLevel(this.bids, level, true);
    for (const level of delta.asks) this.setLevel(this.asks, level, false);
    this.lastSeq = delta.seq;
    this.lastTs = delta.ts;
    return { kind: "APPLIED" };
  }

  bestBid(): Decimal | undefined {
    return this.bids[0]?.price;
  }

  bestAsk(): Decimal | undefined {
    return this.asks[0]?.price;
  }

  /** Undefined while either side is empty: there is no fair price to quote around. */
  mid(): Decimal | undefined {
    const bid = this.bestBid();
    const ask = this.bestAsk();
    return bid && ask ? bid.plus(ask).div(2) : undefined;
  }

  isCrossed(): boolean {
    const bid = this.bestBid();
    const ask = this.bestAsk();
    return bid !== undefined && ask !== undefined && bid.gte(ask);
  }

  /**
   * The best price on a side once `own` quantities are taken out of their levels: the
   * market as everyone else makes it. A maker that priced off its own orders would chase
   * itself.
   */
  bestExcluding(side: "BUY" | "SELL", own: ReadonlyArray<{ readonly price: Decimal; readonly quantity: Decimal }>): Decimal | undefined {
    const levels = side === "BUY" ? this.bids : this.asks;
    // Book levels are never empty (a zero quantity removes the level).
    if (own.length === 0) return levels[0]?.price;
    for (const level of levels) {
      let remaining = level.quantity;
      for (const order of own) if (order.price.eq(level.price)) remaining = remaining.minus(order.quantity);
      if (remaining.gt(0)) return level.price;
    }
    return undefined;
  }

  depth(side: "BUY" | "SELL", levels: number): ReadonlyArray<{ price: Decimal; quantity: Decimal }> {
    return (side === "BUY" ? this.bids : this.asks).slice(0, levels);
  }

  private setLevel(levels: Level[], [priceText, quantityText]: BookLevel, descending: boolean): void {
    const price = new Big(priceText);
    const quantity = new Big(quantityText);
    const index = this.search(levels, price, descending);
    const existing = levels[index];
    if (existing && existing.price.eq(price)) {
      if (quantity.eq(0)) levels.splice(index, 1);
      else existing.quantity = quantity;
    } else if (!quantity.eq(0)) {
      levels.splice(index, 0, { price, quantity });
    }
  }

  /** First index whose price is not better than `price`. */
  private search(levels: Level[], price: Decimal, descending: boolean): number {
    let low = 0;
    let high = levels.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const candidate = levels[middle]!.price;
      const better = descending ? candidate.gt(price) : candidate.lt(price);
      if (better) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
