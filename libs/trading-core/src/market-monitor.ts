import type { MarketStatusValue } from "@mms/contracts/runtime";
import { Big, ZERO, toBps, type Decimal } from "./decimal";

/** Places of a sampled return in bps: far below what the statistic can mean, and it keeps the window's sums short. */
const RETURN_PLACES = 8;
/** The square root is taken with a constructor of its own precision: a figure rounded to 4 places needs no 20-digit Newton steps. */
const SquareRoot = Big();
SquareRoot.DP = 8;

export interface MarketMonitorSettings {
  readonly staleMs: number;
  readonly maxLagMs: number;
  /** Mid samples for volatility are taken at most this often. */
  readonly volatilitySampleMs: number;
  readonly volatilityWindow: number;
}

export const DEFAULT_VOLATILITY_SAMPLE_MS = 1000;
export const DEFAULT_VOLATILITY_WINDOW = 60;

/**
 * Freshness, lag, market status and rolling volatility of one symbol's market data.
 * Time is always an argument; the monitor never reads a clock.
 */
export class MarketMonitor {
  private lastMessageAt: number | undefined;
  private status: MarketStatusValue | undefined;
  private lastMid: Decimal | undefined;
  /** Mid-to-mid returns of the window (bps, RETURN_PLACES), each computed once, when sampled; and their running sums (exact). */
  private readonly returns: Decimal[] = [];
  private returnSum: Decimal = ZERO;
  private returnSquareSum: Decimal = ZERO;
  private lastSampleAt: number | undefined;
  private volatility: Decimal | undefined;

  constructor(private readonly settings: MarketMonitorSettings) {}

  /** Any market-data message counts as a sign of life. */
  recordMessage(now: number): void {
    this.lastMessageAt = now;
  }

  /** Milliseconds between the sender's stamp and our receipt, or undefined when within bounds. */
  lagBeyondLimit(now: number, sentAt: number): number | undefined {
    const lag = now - sentAt;
    return lag > this.settings.maxLagMs ? lag : undefined;
  }

  isStale(now: number): boolean {
    return this.lastMessageAt === undefined || now - this.lastMessageAt > this.settings.staleMs;
  }

  /** The first moment `isStale` holds without a further message (-Infinity before any message). */
  staleAt(): number {
    return this.lastMessageAt === undefined ? Number.NEGATIVE_INFINITY : this.lastMessageAt + this.settings.staleMs + 1;
  }

  setStatus(status: MarketStatusValue): void {
    this.status = status;
  }

  get marketStatus(): MarketStatusValue | undefined {
    return this.status;
  }

  isTrading(): boolean {
    return this.status === "TRADING";
  }

  sampleMid(now: number, mid: Decimal): void {
    if (this.lastSampleAt !== undefined && now - this.lastSampleAt < this.settings.volatilitySampleMs) return;
    this.lastSampleAt = now;
    const previous = this.lastMid;
    this.lastMid = mid;
    if (previous === undefined) return;
    this.volatility = undefined;
    const sampled = toBps(mid.minus(previous), previous).round(RETURN_PLACES);
    this.returns.push(sampled);
    this.returnSum = this.returnSum.plus(sampled);
    this.returnSquareSum = this.returnSquareSum.plus(sampled.times(sampled));
    if (this.returns.length > this.settings.volatilityWindow) {
      const evicted = this.returns.shift()!;
      this.returnSum = this.returnSum.minus(evicted);
      this.returnSquareSum = this.returnSquareSum.minus(evicted.times(evicted));
    }
  }

  /** Standard deviation of sampled mid-to-mid returns, in bps per sample interval. */
  volatilityBps(): Decimal {
    // Read on every heartbeat, changed at most once per sample interval: computed once per sample.
    this.volatility ??= this.computeVolatilityBps();
    return this.volatility;
  }

  /**
   * Sample variance from the running sums, (sum of squares - sum^2 / n) / (n - 1): the same
   * figure as the two-pass formula, in a few operations a sample instead of a pass over the
   * window (which cost 1.7 ms a second in each worker, mostly 20-digit divisions).
   */
  private computeVolatilityBps(): Decimal {
    const count = this.returns.length;
    if (count < 2) return ZERO;
    const variance = this.returnSquareSum.minus(this.returnSum.times(this.returnSum).div(count)).div(count - 1);
    // The division rounds: a variance of constant returns may come out a hair below zero.
    if (variance.lte(0)) return ZERO;
    return new Big(new SquareRoot(variance).sqrt().round(4));
  }
}

export function spreadBps(bestBid: Decimal, bestAsk: Decimal): Decimal {
  const mid = bestBid.plus(bestAsk).div(2);
  return toBps(bestAsk.minus(bestBid), mid).round(4);
}

