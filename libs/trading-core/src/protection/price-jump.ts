import type { SymbolConfig } from "@mms/contracts/runtime";
import { Big, type Decimal } from "../decimal";
import { Deque } from "./deque";

// A mid that moves more than jumpBps within jumpWindowMs is news or a bad print, not a
// market to quote into: the symbol stops (PAUSED, PRICE_JUMP) and a person looks first.

export interface PriceJumpBreach {
  readonly code: "PRICE_JUMP";
  /** The mid of the window the new one is furthest from. */
  readonly referenceMid: string;
  readonly referenceAt: number;
  readonly newMid: string;
  /** abs(newMid - referenceMid) / referenceMid in basis points, rounded up to 2 places. */
  readonly bps: string;
  readonly jumpBps: string;
  readonly jumpWindowMs: number;
  readonly detail: string;
}

export interface PriceJumpSettings {
  /** "0" turns the stop off. */
  readonly jumpBps: Decimal;
  readonly jumpWindowMs: number;
}

export function priceJumpSettings(config: Pick<SymbolConfig, "jumpBps" | "jumpWindowMs">): PriceJumpSettings {
  return { jumpBps: new Big(config.jumpBps), jumpWindowMs: config.jumpWindowMs };
}

interface TimedMid {
  /** Moved on in place when the same mid is computed again (see `recomputed`). */
  at: number;
  readonly mid: Decimal;
}

/**
 * Keeps the smallest and largest mid of the window in two monotonic deques: the largest
 * relative move from any mid in the window is from one of those two (mids are positive),
 * so each check is O(1) amortised. A mid counts while `now - at < jumpWindowMs`.
 */
export class PriceJumpDetector {
  private readonly minima = new Deque<TimedMid>();
  private readonly maxima = new Deque<TimedMid>();
  private readonly enabled: boolean;

  constructor(private readonly settings: PriceJumpSettings) {
    this.enabled = settings.jumpBps.gt(0);
  }

  /** Checks a newly computed mid against the window, then adds it to the window. */
  observe(mid: Decimal, now: number): PriceJumpBreach | undefined {
    if (!this.enabled) return undefined;
    this.evictBefore(now);
    const fromLowest = this.breachFrom(mid, this.minima.front());
    const fromHighest = this.breachFrom(mid, this.maxima.front());
    this.append(mid, now);
    if (fromLowest && fromHighest) return new Big(fromHighest.bps).gt(fromLowest.bps) ? fromHighest : fromLowest;
    return fromLowest ?? fromHighest;
  }

  /**
   * The last mid observed was computed again, unchanged, at `now`: it counts in the window
   * from now on. O(1) and no arithmetic, for the many book changes that leave the mid alone.
   */
  recomputed(now: number): void {
    if (!this.enabled) return;
    // The last mid observed is at the back of both deques (append always pushes it).
    const last = this.minima.back();
    if (!last || last !== this.maxima.back()) return;
    // The same entry at the back of both: dating it again in place is popping and pushing it anew, without the garbage.
    last.at = now;
  }

  /** Mids held, for tests: at most the mids of the window. */
  get size(): number {
    return Math.max(this.minima.length, this.maxima.length);
  }

  private breachFrom(mid: Decimal, reference: TimedMid | undefined): PriceJumpBreach | undefined {
    if (!reference) return undefined;
    const move = mid.minus(reference.mid).abs();
    // Exact: move / reference > jumpBps / 10000, without a division.
    if (!move.times(10000).gt(this.settings.jumpBps.times(reference.mid))) return undefined;
    const bps = move.times(10000).div(reference.mid).round(2, Big.roundUp).toFixed(2);
    const { jumpBps, jumpWindowMs } = this.settings;
    return {
      code: "PRICE_JUMP",
      referenceMid: reference.mid.toFixed(),
      referenceAt: reference.at,
      newMid: mid.toFixed(),
      bps,
      jumpBps: jumpBps.toFixed(),
      jumpWindowMs,
      detail: `mid ${mid.toFixed()} moved ${bps} bps from ${reference.mid.toFixed()} within ${jumpWindowMs} ms (limit ${jumpBps.toFixed()})`,
    };
  }

  private append(mid: Decimal, now: number): void {
    const entry = { at: now, mid };
    // An older mid no smaller (larger) than the new one can never again be the minimum (maximum).
    for (let last = this.minima.back(); last && last.mid.gte(mid); last = this.minima.back()) this.minima.popBack();
    for (let last = this.maxima.back(); last && last.mid.lte(mid); last = this.maxima.back()) this.maxima.popBack();
    this.minima.pushBack(entry);
    this.maxima.pushBack(entry);
  }

  private evictBefore(now: number): void {
    const { jumpWindowMs } = this.settings;
    for (let first = this.minima.front(); first && now - first.at >= jumpWindowMs; first = this.minima.front()) this.minima.popFront();
    for (let first = this.maxima.front(); first && now - first.at >= jumpWindowMs; first = this.maxima.front()) this.maxima.popFront();
  }
}
