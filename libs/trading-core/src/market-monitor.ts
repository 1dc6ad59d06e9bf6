import type { MarketStatusValue } from "@mms/contracts/runtime";
import { ZERO, toBps, type Decimal } from "./decimal";

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
  private readonly mids: Decimal[] = [];
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
    this.volatility = undefined;
    this.mids.push(mid);
    if (this.mids.length > this.settings.volatilityWindow + 1) this.mids.shift();
  }

  /** Standard deviation of sampled mid-to-mid returns, in bps per sample interval. */
  volatilityBps(): Decimal {
    // Read on every heartbeat, changed at most once per sample interval: computed once per sample.
    this.volatility ??= this.computeVolatilityBps();
    return this.volatility;
  }

  private computeVolatilityBps(): Decimal {
    if (this.mids.length < 3) return ZERO;
    const returns: Decimal[] = [];
    for (let index = 1; index < this.mids.length; index += 1) {
      returns.push(toBps(this.mids[index]!.minus(this.mids[index - 1]!), this.mids[index - 1]!));
    }
    const mean = returns.reduce((sum, value) => sum.plus(value), ZERO).div(returns.length);
    const variance = returns.reduce((sum, value) => sum.plus(value.minus(mean).pow(2)), ZERO).div(returns.length - 1);
    return variance.sqrt().round(4);
  }
}

export function spreadBps(bestBid: Decimal, bestAsk: Decimal): Decimal {
  const mid = bestBid.plus(bestAsk).div(2);
  return toBps(bestAsk.minus(bestBid), mid).round(4);
}

