import type { BookDelta, BookLevel, BookSnapshot } from "@mms/contracts/runtime";
import { Big, type Decimal } from "./decimal";

/**
 * One price level. The quantity is kept as the text it came in and made a decimal only
 * when something reads it: a delta that only resizes a level (most of them) costs no
 * decimal arithmetic at all.
 */
class Level {
  private value: Decimal | undefined;
  /** The price texts this level was addressed by (usually one): see OrderBook.byText. */
  readonly texts: string[] = [];

  constructor(
    readonly price: Decimal,
    private text: string,
  ) {}

  get quantity(): Decimal {
    this.value ??= new Big(this.text);
    return this.value;
  }

  resize(text: string): void {
    this.text = text;
    this.value = undefined;
  }
}

/** Aliases of one level remembered at most: a feed spelling one price many ways ("1.5", "1.50") gains nothing more. */
const MAX_TEXTS_PER_LEVEL = 4;

export type DeltaOutcome =
  | { readonly kind: "APPLIED" }
  | { readonly kind: "GAP"; readonly expectedSeq: number; readonly receivedSeq: number };

const APPLIED: DeltaOutcome = Object.freeze({ kind: "APPLIED" });

/**
 * Zero or not, read off a plain decimal text ("0", "0.000", "2.5") without making a
 * decimal of it; undefined for any other spelling ("0e3", "+1"), which the caller parses.
 */
function plainIsZero(text: string): boolean | undefined {
  let digits = 0;
  let dots = 0;
  let nonZero = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 46) dots += 1;
    else if (code >= 48 && code <= 57) {
      digits += 1;
      if (code !== 48) nonZero = true;
    } else return undefined;
  }
  return digits > 0 && dots <= 1 ? !nonZero : undefined;
}

/**
 * An L2 book for one symbol. It is owned by one actor and updated in place: copying the
 * book on every delta would cost more than the decision it feeds. Bids are kept best
 * (highest) first, asks best (lowest) first. Levels are found again by the text of their
 * price: a feed names the same few prices over and over, and a text seen before needs
 * neither a decimal nor a search (a new text is found by value, so "100.10" is "100.1").
 */
export class OrderBook {
  private readonly bids: Level[] = [];
  private readonly asks: Level[] = [];
  private readonly bidsByText = new Map<string, Level>();
  private readonly asksByText = new Map<string, Level>();

  private constructor(
    private lastSeq: number,
    private lastTs: number,
  ) {}

  static fromSnapshot(snapshot: BookSnapshot): OrderBook {
    const book = new OrderBook(snapshot.seq, snapshot.ts);
    for (const level of snapshot.bids) book.setLevel(book.bids, book.bidsByText, level, true);
    for (const level of snapshot.asks) book.setLevel(book.asks, book.asksByText, level, false);
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
    for (const level of delta.bids) this.setLevel(this.bids, this.bidsByText, level, true);
    for (const level of delta.asks) this.setLevel(this.asks, this.asksByText, level, false);
    this.lastSeq = delta.seq;
    this.lastTs = delta.ts;
    return APPLIED;
  }

  /** The same decimal object while the best level stays: callers may compare by identity first. */
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
    // Book levels are never empty (a zero quantity removes the level): one without our orders counts as it is.
    if (own.length === 0) return levels[0]?.price;
    for (const level of levels) {
      let remaining: Decimal | undefined;
      for (const order of own) if (order.price.eq(level.price)) remaining = (remaining ?? level.quantity).minus(order.quantity);
      if (remaining === undefined || remaining.gt(0)) return level.price;
    }
    return undefined;
  }

  depth(side: "BUY" | "SELL", levels: number): ReadonlyArray<{ price: Decimal; quantity: Decimal }> {
    return (side === "BUY" ? this.bids : this.asks).slice(0, levels).map((level) => ({ price: level.price, quantity: level.quantity }));
  }

  private setLevel(levels: Level[], byText: Map<string, Level>, [priceText, quantityText]: BookLevel, descending: boolean): void {
    const zero = plainIsZero(quantityText) ?? new Big(quantityText).eq(0);
    const known = byText.get(priceText);
    if (known) {
      if (!zero) known.resize(quantityText);
      else this.remove(levels, byText, known, descending);
      return;
    }
    const price = new Big(priceText);
    const index = this.search(levels, price, descending);
    const existing = levels[index];
    if (existing && existing.price.eq(price)) {
      if (zero) this.remove(levels, byText, existing, descending);
      else {
        existing.resize(quantityText);
        this.remember(byText, existing, priceText);
      }
    } else if (!zero) {
      const level = new Level(price, quantityText);
      levels.splice(index, 0, level);
      this.remember(byText, level, priceText);
    }
  }

  private remember(byText: Map<string, Level>, level: Level, priceText: string): void {
    if (level.texts.length >= MAX_TEXTS_PER_LEVEL) return;
    level.texts.push(priceText);
    byText.set(priceText, level);
  }

  private remove(levels: Level[], byText: Map<string, Level>, level: Level, descending: boolean): void {
    levels.splice(this.search(levels, level.price, descending), 1);
    for (const text of level.texts) byText.delete(text);
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
