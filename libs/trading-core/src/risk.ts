import type { GlobalBreachReason } from "@mms/contracts/runtime";
import { Big, ZERO, type Decimal } from "./decimal";

/** Rejections (and failed submissions) inside a sliding window. */
export class RejectionWindow {
  private readonly times: number[] = [];

  constructor(
    private readonly count: number,
    private readonly windowMs: number,
  ) {}

  record(now: number): boolean {
    this.times.push(now);
    return this.isStorm(now);
  }

  isStorm(now: number): boolean {
    while (this.times.length > 0 && now - this.times[0]! >= this.windowMs) this.times.shift();
    return this.times.length >= this.count;
  }

  get recent(): number {
    return this.times.length;
  }
}

export function positionBreached(position: Decimal, maxPosition: Decimal): boolean {
  return position.abs().gt(maxPosition);
}

/** What each symbol tells the risk actor. Decimal strings: it crosses a thread boundary. */
export interface SymbolRiskReport {
  readonly symbol: string;
  readonly position: string;
  readonly exposure: string;
  readonly equity: string;
}


export interface GlobalBreach {
  readonly reason: GlobalBreachReason;
  readonly detail: string;
}

export interface GlobalRiskLimits {
  readonly maxTotalExposure: Decimal;
  readonly maxDrawdown: Decimal;
}

export interface GlobalRiskFigures {
  readonly totalExposure: Decimal;
  readonly equity: Decimal;
  readonly peakEquity: Decimal;
  readonly drawdown: Decimal;
}

/** Total exposure and drawdown of all symbols; the peak is tracked from the first report. */
export class GlobalRiskBook {
  private readonly reports = new Map<string, { exposure: Decimal; equity: Decimal }>();
  private peak: Decimal | undefined;

  constructor(private readonly limits: GlobalRiskLimits) {}

  update(report: SymbolRiskReport): void {
    this.reports.set(report.symbol, { exposure: new Big(report.exposure), equity: new Big(report.equity) });
  }

  figures(): GlobalRiskFigures {
    let totalExposure = ZERO;
    let equity = ZERO;
    for (const report of this.reports.values()) {
      totalExposure = totalExposure.plus(report.exposure);
      equity = equity.plus(report.equity);
    }
    if (this.peak === undefined || equity.gt(this.peak)) this.peak = equity;
    return { totalExposure, equity, peakEquity: this.peak, drawdown: this.peak.minus(equity) };
  }

  breach(figures: GlobalRiskFigures): GlobalBreach | undefined {
    if (figures.totalExposure.gt(this.limits.maxTotalExposure)) {
      return { reason: "EXPOSURE_LIMIT", detail: `total exposure ${figures.totalExposure.toFixed()} above ${this.limits.maxTotalExposure.toFixed()}` };
    }
    if (figures.drawdown.gt(this.limits.maxDrawdown)) {
      return { reason: "DRAWDOWN_LIMIT", detail: `drawdown ${figures.drawdown.toFixed()} above ${this.limits.maxDrawdown.toFixed()} (peak ${figures.peakEquity.toFixed()}, equity ${figures.equity.toFixed()})` };
    }
    return undefined;
  }
}
