import type { NatsConnection, Subscription } from "@nats-io/nats-core";

const encoder = new TextEncoder();

/**
 * How each delta changes the book.
 * - `moving`: one level a side; every delta replaces both, moving the mid by 0.5 (5 ticks,
 *   beyond a 2-tick requote tolerance), so every delta makes the MMS cancel. The mid of
 *   delta k is unique within 1,000 deltas of a symbol: it identifies the delta.
 * - `depth`: 10 fixed levels a side; every delta changes the quantity of one bid and one
 *   ask level. The mid never moves: the full quoting path runs, no intent is needed.
 */
export type BookModel = "moving" | "depth";

function fixed1(value: number): string {
  return value.toFixed(1);
}

export const MOVING_BASE = 1000;
const MOVING_STEP = 0.5;
const MOVING_CYCLE = 1000;
const DEPTH_LEVELS = 10;
const DEPTH_BEST_BID = 1000;
const DEPTH_BID_PRICES = Array.from({ length: DEPTH_LEVELS }, (_, level) => fixed1(DEPTH_BEST_BID - level * 0.1));
const DEPTH_ASK_PRICES = Array.from({ length: DEPTH_LEVELS }, (_, level) => fixed1(DEPTH_BEST_BID + 0.2 + level * 0.1));
/** The quantity of delta k is `${1 + (k % 7)}.${k % 1000}`: it repeats every 7,000 deltas. */
const DEPTH_QUANTITIES = Array.from({ length: 7000 }, (_, k) => `${1 + (k % 7)}.${String(k % 1000).padStart(3, "0")}`);

interface SymbolBook {
  readonly symbol: string;
  readonly deltaSubject: string;
  readonly statusSubject: string;
  /** A delta's body up to its seq. */
  readonly deltaHead: string;
  seq: number;
  /** Deltas published so far (the k of the moving model). */
  deltas: number;
  bids: Map<string, string>;
  asks: Map<string, string>;
}

/** Key of a mid price for matching: tenths, as an integer. */
export function midKey(mid: number): number {
  return Math.round(mid * 10);
}

export function movingMid(k: number): number {
  return MOVING_BASE + MOVING_STEP * (k % MOVING_CYCLE) + 0.1;
}

/**
 * Whose deltas: the MMS's (`md.<SYMBOL>.delta`), the floor relay's (`floor.md.<SYMBOL>.delta`)
 * the thread floor's (`tfloor.md.<SYMBOL>.delta`) or the requote floor's
 * (`cfloor.md.<SYMBOL>.delta`), each from books of their own.
 */
export type FeedTarget = "mms" | "floor" | "thread-floor" | "cycle-floor";

/** The subject prefix of the floor's copy of the market data (the MMS never sees it). */
export const FLOOR_PREFIX = "floor.md";
/** The thread floor's copy: one worker thread and one connection per symbol, as the MMS has. */
export const THREAD_FLOOR_PREFIX = "tfloor.md";
/** The requote floor's copy (bench/cycle-floor.ts): the contract's messaging of a requote cycle, no logic. */
export const CYCLE_FLOOR_PREFIX = "cfloor.md";

/**
 * The exchange's market data for a set of symbols on one connection: books with one seq
 * per symbol, snapshot replies, status heartbeats and paced deltas. Deltas and statuses
 * of a symbol always leave on this one connection, so they stay in order.
 *
 * The floor's phases get the same deltas (same model, same sizes) on their own subjects
 * from books of their own, so the MMS's books and seqs are untouched while the floor works.
 */
export class MarketFeed {
  private readonly books = new Map<string, SymbolBook>();
  /** Each target's books, in symbol order (the MMS's are also in `books`). */
  private readonly byTarget: Readonly<Record<FeedTarget, SymbolBook[]>> = { mms: [], floor: [], "thread-floor": [], "cycle-floor": [] };
  private readonly order = this.byTarget.mms;
  private readonly responders: Subscription[] = [];
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private roundRobin = 0;
  published = 0;
  /** TRADING heartbeats published (each is a message the MMS handles). */
  publishedStatuses = 0;
  /** Where the next deltas go. */
  target: FeedTarget = "mms";
  /** Date.now() of the pacing tick under way: one clock read for the deltas it publishes. */
  private tickNow: number | undefined;
  /** Called after every delta publish with the bench clock (performance.now()). */
  onDelta: ((symbol: string, k: number, seq: number, mid: number, publishedAt: number) => void) | undefined;

  constructor(
    private readonly connection: NatsConnection,
    symbols: readonly string[],
    private readonly model: BookModel,
  ) {
    for (const symbol of symbols) {
      const book = this.newBook(symbol, "md");
      this.books.set(symbol, book);
      this.order.push(book);
      this.byTarget.floor.push(this.newBook(symbol, FLOOR_PREFIX));
      this.byTarget["thread-floor"].push(this.newBook(symbol, THREAD_FLOOR_PREFIX));
      this.byTarget["cycle-floor"].push(this.newBook(symbol, CYCLE_FLOOR_PREFIX));
    }
  }

  private newBook(symbol: string, prefix: string): SymbolBook {
    const model = this.model;
    const book: SymbolBook = { symbol, deltaSubject: `${prefix}.${symbol}.delta`, statusSubject: `${prefix}.${symbol}.status`, deltaHead: `{"symbol":"${symbol}","seq":`, seq: 1, deltas: 0, bids: new Map(), asks: new Map() };
    if (model === "moving") {
      book.bids.set(fixed1(MOVING_BASE), "1.5");
      book.asks.set(fixed1(MOVING_BASE + 0.2), "1.5");
    } else {
      for (let level = 0; level < DEPTH_LEVELS; level++) {
        book.bids.set(fixed1(DEPTH_BEST_BID - level * 0.1), "2.000");
        book.asks.set(fixed1(DEPTH_BEST_BID + 0.2 + level * 0.1), "2.000");
      }
    }
    return book;
  }

  get symbols(): string[] {
    return this.order.map((book) => book.symbol);
  }

  /** Answers `md.<SYMBOL>.snapshot.get` with the current book. */
  answerSnapshots(): void {
    for (const book of this.order) {
      this.responders.push(
        this.connection.subscribe(`md.${book.symbol}.snapshot.get`, {
          callback: (_error, message) => {
            message.respond(encoder.encode(this.snapshotBody(book)));
          },
        }),
      );
    }
  }

  private snapshotBody(book: SymbolBook): string {
    const bids = [...book.bids.entries()].sort(([a], [b]) => Number(b) - Number(a));
    const asks = [...book.asks.entries()].sort(([a], [b]) => Number(a) - Number(b));
    return JSON.stringify({ symbol: book.symbol, seq: book.seq, ts: Date.now(), bids, asks });
  }

  publishSnapshots(): void {
    for (const book of this.order) this.connection.publish(`md.${book.symbol}.snapshot`, encoder.encode(this.snapshotBody(book)));
  }

  publishStatuses(): void {
    const ts = Date.now();
    for (const book of this.order) this.connection.publish(book.statusSubject, encoder.encode(`{"symbol":"${book.symbol}","ts":${ts},"seq":${book.seq},"status":"TRADING"}`));
    this.publishedStatuses += this.order.length;
  }

  /** TRADING heartbeats (the contract asks for at least one a second). */
  startHeartbeats(everyMs = 500): void {
    this.publishStatuses();
    this.heartbeatTimer = setInterval(() => this.publishStatuses(), everyMs);
  }

  /** Publishes the next delta of the next symbol (round robin). */
  publishNextDelta(): void {
    const book = this.byTarget[this.target][this.roundRobin]!;
    this.roundRobin = (this.roundRobin + 1) % this.order.length;
    this.publishDelta(book);
  }

  private publishDelta(book: SymbolBook): void {
    book.seq += 1;
    book.deltas += 1;
    const k = book.deltas;
    let body: string;
    let mid = 0;
    if (this.model === "moving") {
      const oldBid = [...book.bids.keys()][0]!;
      const oldAsk = [...book.asks.keys()][0]!;
      mid = movingMid(k);
      const bid = fixed1(mid - 0.1);
      const ask = fixed1(mid + 0.1);
      book.bids = new Map([[bid, "1.5"]]);
      book.asks = new Map([[ask, "1.5"]]);
      body = `{"symbol":"${book.symbol}","seq":${book.seq},"ts":${Date.now()},"bids":[["${bid}","1.5"],["${oldBid}","0"]],"asks":[["${ask}","1.5"],["${oldAsk}","0"]]}`;
    } else {
      // Texts from tables: at 50,000/s on 2 cores shared with the MMS the publishers' own cost decides whether the rate is reached.
      const level = k % DEPTH_LEVELS;
      const quantity = DEPTH_QUANTITIES[k % DEPTH_QUANTITIES.length]!;
      const bid = DEPTH_BID_PRICES[level]!;
      const ask = DEPTH_ASK_PRICES[level]!;
      book.bids.set(bid, quantity);
      book.asks.set(ask, quantity);
      body = `${book.deltaHead}${book.seq},"ts":${this.tickNow ?? Date.now()},"bids":[["${bid}","${quantity}"]],"asks":[["${ask}","${quantity}"]]}`;
    }
    this.connection.publish(book.deltaSubject, encoder.encode(body));
    this.published += 1;
    this.onDelta?.(book.symbol, k, book.seq, mid, performance.now());
  }

  /**
   * Publishes `rate` deltas a second in total, evenly spread (catching up after a late
   * timer), for `durationMs`. Resolves with what was achieved.
   */
  async run(rate: number, durationMs: number, tickMs = 1): Promise<{ published: number; seconds: number; achievedRate: number; maxBehind: number }> {
    const start = performance.now();
    let sent = 0;
    let maxBehind = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = performance.now() - start;
        const target = Math.floor((Math.min(elapsed, durationMs) * rate) / 1000);
        const due = target - sent;
        maxBehind = Math.max(maxBehind, due);
        this.tickNow = Date.now();
        for (let index = 0; index < due; index++) this.publishNextDelta();
        this.tickNow = undefined;
        sent = target;
        if (elapsed >= durationMs) {
          clearInterval(timer);
          resolve();
        }
      }, tickMs);
    });
    const seconds = (performance.now() - start) / 1000;
    return { published: sent, seconds, achievedRate: sent / seconds, maxBehind };
  }

  stop(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    for (const responder of this.responders) responder.unsubscribe();
  }
}
