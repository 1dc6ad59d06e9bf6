import type { FillReport } from "@mms/contracts/runtime";
import { Big, toDecimalString, ZERO, type Decimal } from "./decimal";

export interface LedgerView {
  readonly position: Decimal;
  /** Undefined while flat. */
  readonly averageEntryPrice: Decimal | undefined;
  readonly realizedPnl: Decimal;
  readonly fees: Decimal;
}

/** The ledger's figures as decimal strings: what a checkpoint stores and restores exactly. */
export interface LedgerFigures {
  readonly position: string;
  readonly avgEntryPx: string | null;
  readonly realizedPnl: string;
  readonly fees: string;
}

/**
 * Inventory and PnL of one symbol by average cost. Realized PnL is gross of fees; fees
 * are kept apart (negative for rebates) and equity subtracts them.
 */
export class Ledger implements LedgerView {
  position: Decimal = ZERO;
  averageEntryPrice: Decimal | undefined = undefined;
  realizedPnl: Decimal = ZERO;
  fees: Decimal = ZERO;
  fillCount = 0;

  /** Replaces every figure by a checkpoint's: exact (big.js from the strings). */
  restore(figures: LedgerFigures): void {
    this.position = new Big(figures.position);
    this.averageEntryPrice = figures.avgEntryPx === null || this.position.eq(0) ? undefined : new Big(figures.avgEntryPx);
    this.realizedPnl = new Big(figures.realizedPnl);
    this.fees = new Big(figures.fees);
  }

  figures(): LedgerFigures {
    return {
      position: toDecimalString(this.position),
      avgEntryPx: this.averageEntryPrice ? toDecimalString(this.averageEntryPrice) : null,
      realizedPnl: toDecimalString(this.realizedPnl),
      fees: toDecimalString(this.fees),
    };
  }

  applyFill(fill: Pick<FillReport, "side" | "px" | "qty" | "fee">): void {
    const price = new Big(fill.px);
    const signedQuantity = fill.side === "BUY" ? new Big(fill.qty) : new Big(fill.qty).neg();
    this.fees = this.fees.plus(fill.fee);
    this.fillCount += 1;

    const position = this.position;
    if (position.eq(0) || position.s === signedQuantity.s) {
      const total = position.plus(signedQuantity);
      const entry = this.averageEntryPrice ?? ZERO;
      this.averageEntryPrice = position.abs().times(entry).plus(signedQuantity.abs().times(price)).div(total.abs());
      this.position = total;
      return;
    }
    // Reducing, closing or flipping: the closed part realizes against the average entry.
    const closing = signedQuantity.abs().lt(position.abs()) ? signedQuantity.abs() : position.abs();
    const direction = position.gt(0) ? 1 : -1;
    this.realizedPnl = this.realizedPnl.plus(price.minus(this.averageEntryPrice ?? price).times(closing).times(direction));
    const total = position.plus(signedQuantity);
    this.position = total;
    if (total.eq(0)) this.averageEntryPrice = undefined;
    else if (total.s !== position.s) this.averageEntryPrice = price;
  }

  unrealizedPnl(mark: Decimal | undefined): Decimal {
    if (mark === undefined || this.averageEntryPrice === undefined) return ZERO;
    return mark.minus(this.averageEntryPrice).times(this.position);
  }

  /** Realized plus unrealized at the mark, less fees: what drawdown is measured on. */
  equity(mark: Decimal | undefined): Decimal {
    return this.realizedPnl.plus(this.unrealizedPnl(mark)).minus(this.fees);
  }

  exposure(mark: Decimal | undefined): Decimal {
    // Before the first book, the entry price stands in: exposure is never reported as zero.
    const price = mark ?? this.averageEntryPrice;
    return price === undefined ? ZERO : this.position.abs().times(price);
  }
}
