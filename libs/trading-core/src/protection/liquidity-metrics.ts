import type { Decimal } from "../decimal";

// The liquidity the symbol actually provided, not what it meant to: time with both quotes
// resting at full size and tight, and how many intents each fill cost, over the last hour.

const MINUTE_MS = 60_000;
const WINDOW_MINUTES = 60;

export interface RestingQuote {
  readonly price: Decimal;
  /** What rests now (leaves), not what was sent. */
  readonly quantity: Decimal;
}

export interface PresenceInput {
  readonly bid: RestingQuote | undefined;
  readonly ask: RestingQuote | undefined;
  readonly mid: Decimal;
  readonly quoteSize: Decimal;
  readonly spreadBps: Decimal;
}

/** Both orders rest at quoteSize and ask - bid <= 2 x spreadBps / 10000 x mid (exact, no division). */
export function quotesPresent(input: PresenceInput): boolean {
  const { bid, ask } = input;
  if (!bid || !ask || bid.quantity.lt(input.quoteSize) || ask.quantity.lt(input.quoteSize)) return false;
  return ask.price.minus(bid.price).times(10000).lte(input.spreadBps.times(2).times(input.mid));
}

interface MinuteBucket {
  minute: number;
  observedMs: number;
  presentMs: number;
  intents: number;
  fills: number;
}

export interface OrderToTrade {
  readonly intents: number;
  readonly fills: number;
  /** NEW and CANCEL intents per fill; undefined while there was no fill. */
  readonly ratio: number | undefined;
}

/**
 * Per-minute buckets over the last 60 minutes (fixed memory). Presence is a step
 * function: the state of the last observation holds until the next one.
 */
export class LiquidityMetrics {
  private readonly buckets: MinuteBucket[] = [];
  private lastAt: number;
  private present = false;

  constructor(start: number) {
    this.lastAt = start;
  }

  /** A change of the quotes or the book: `present` from quotesPresent. */
  observePresence(present: boolean, now: number): void {
    this.advance(now);
    this.present = present;
  }

  /** A NEW or CANCEL intent that went out. */
  recordIntent(now: number): void {
    this.bucket(now).intents += 1;
  }

  /** A FILL report of the symbol's own orders. */
  recordFill(now: number): void {
    this.bucket(now).fills += 1;
  }

  /** mms_quote_presence_ratio: share of the observed time (since start, at most the last hour) quotes were present. */
  presenceRatio(now: number): number {
    this.advance(now);
    let observed = 0;
    let present = 0;
    for (const bucket of this.window(now)) {
      observed += bucket.observedMs;
      present += bucket.presentMs;
    }
    return observed === 0 ? 0 : present / observed;
  }

  /** mms_order_to_trade_ratio over the same time. */
  orderToTrade(now: number): OrderToTrade {
    let intents = 0;
    let fills = 0;
    for (const bucket of this.window(now)) {
      intents += bucket.intents;
      fills += bucket.fills;
    }
    return { intents, fills, ratio: fills === 0 ? undefined : intents / fills };
  }

  /** Integrates the current presence from the last observation to now, minute by minute. */
  private advance(now: number): void {
    const windowStart = (Math.floor(now / MINUTE_MS) - WINDOW_MINUTES + 1) * MINUTE_MS;
    let from = Math.max(this.lastAt, windowStart);
    while (from < now) {
      const to = Math.min(now, (Math.floor(from / MINUTE_MS) + 1) * MINUTE_MS);
      const bucket = this.bucket(from);
      bucket.observedMs += to - from;
      if (this.present) bucket.presentMs += to - from;
      from = to;
    }
    this.lastAt = Math.max(this.lastAt, now);
  }

  private bucket(at: number): MinuteBucket {
    const minute = Math.floor(at / MINUTE_MS);
    const slot = ((minute % WINDOW_MINUTES) + WINDOW_MINUTES) % WINDOW_MINUTES;
    let bucket = this.buckets[slot];
    if (!bucket || bucket.minute !== minute) {
      bucket = { minute, observedMs: 0, presentMs: 0, intents: 0, fills: 0 };
      this.buckets[slot] = bucket;
    }
    return bucket;
  }

  private window(now: number): MinuteBucket[] {
    const oldest = Math.floor(now / MINUTE_MS) - WINDOW_MINUTES + 1;
    return this.buckets.filter((bucket) => bucket.minute >= oldest && bucket.minute * MINUTE_MS <= now);
  }
}
