import type { FillReport, MmpConfig } from "@mms/contracts/runtime";
import { Big, ZERO, type Decimal } from "../decimal";
import { Deque } from "./deque";

// Market-maker protection: a burst of the symbol's own fills within a short window means
// someone is picking its quotes off, so the symbol stops (PAUSED, MMP_TRIGGERED) and stays frozen.

export type FillBurstLimit = "MAX_FILLS" | "MAX_FILL_QTY" | "MAX_NET_QTY";

export interface FillBurstBreach {
  readonly code: "MMP_TRIGGERED";
  readonly limit: FillBurstLimit;
  /** The configured limit that was exceeded, as a decimal string ("6", "0.03"). */
  readonly threshold: string;
  /** The window's figures including the fill that tripped it. */
  readonly fills: number;
  readonly fillQty: string;
  readonly netQty: string;
  readonly windowMs: number;
  readonly detail: string;
}

export interface FillBurstLimits {
  readonly windowMs: number;
  readonly maxFills: number;
  readonly maxFillQty: Decimal;
  readonly maxNetQty: Decimal;
  readonly frozenMs: number;
}

export function fillBurstLimits(mmp: MmpConfig): FillBurstLimits {
  return { windowMs: mmp.windowMs, maxFills: mmp.maxFills, maxFillQty: new Big(mmp.maxFillQty), maxNetQty: new Big(mmp.maxNetQty), frozenMs: mmp.frozenMs };
}

interface WindowFill {
  readonly at: number;
  readonly qty: Decimal;
  readonly signedQty: Decimal;
}

/**
 * Rolling window over the symbol's own live fills (each partial fill counts once). A fill
 * counts while `now - at < windowMs`. A trigger empties the window, as an exchange's MMP
 * resets its counters, so the window never holds more than maxFills + 1 fills.
 */
export class FillBurstGuard {
  private readonly window = new Deque<WindowFill>();
  private fillQty: Decimal = ZERO;
  private netQty: Decimal = ZERO;
  private triggeredAt: number | undefined;

  constructor(private readonly limits: FillBurstLimits) {}

  /** Records a live (not replayed) FILL report; returns the breach it causes, if any. */
  record(fill: Pick<FillReport, "side" | "qty">, now: number): FillBurstBreach | undefined {
    this.evictBefore(now);
    const qty = new Big(fill.qty);
    const entry: WindowFill = { at: now, qty, signedQty: fill.side === "BUY" ? qty : qty.neg() };
    this.window.pushBack(entry);
    this.fillQty = this.fillQty.plus(entry.qty);
    this.netQty = this.netQty.plus(entry.signedQty);
    const breach = this.breach();
    if (breach) {
      this.triggeredAt = now;
      this.clear();
    }
    return breach;
  }

  /** Until when `resume` is refused with MMP_FROZEN; undefined before any trigger. */
  get frozenUntil(): number | undefined {
    return this.triggeredAt === undefined ? undefined : this.triggeredAt + this.limits.frozenMs;
  }

  isFrozen(now: number): boolean {
    const until = this.frozenUntil;
    return until !== undefined && now < until;
  }

  /** The refusal of a resume while frozen. */
  resumeRefusal(now: number): "MMP_FROZEN" | undefined {
    return this.isFrozen(now) ? "MMP_FROZEN" : undefined;
  }

  /** Fills currently counted, for tests and status. */
  get size(): number {
    return this.window.length;
  }

  private breach(): FillBurstBreach | undefined {
    const { maxFills, maxFillQty, maxNetQty, windowMs } = this.limits;
    const fills = this.window.length;
    const figures = { fills, fillQty: this.fillQty.toFixed(), netQty: this.netQty.toFixed(), windowMs };
    const breach = (limit: FillBurstLimit, threshold: string, shown: string): FillBurstBreach => ({
      code: "MMP_TRIGGERED",
      limit,
      threshold,
      ...figures,
      detail: `${limit} ${shown} > ${threshold} within ${windowMs} ms`,
    });
    if (fills > maxFills) return breach("MAX_FILLS", String(maxFills), String(fills));
    if (this.fillQty.gt(maxFillQty)) return breach("MAX_FILL_QTY", maxFillQty.toFixed(), figures.fillQty);
    if (this.netQty.abs().gt(maxNetQty)) return breach("MAX_NET_QTY", maxNetQty.toFixed(), figures.netQty);
    return undefined;
  }

  private evictBefore(now: number): void {
    for (let oldest = this.window.front(); oldest && now - oldest.at >= this.limits.windowMs; oldest = this.window.front()) {
      this.window.popFront();
      this.fillQty = this.fillQty.minus(oldest.qty);
      this.netQty = this.netQty.minus(oldest.signedQty);
    }
  }

  private clear(): void {
    this.window.clear();
    this.fillQty = ZERO;
    this.netQty = ZERO;
  }
}
