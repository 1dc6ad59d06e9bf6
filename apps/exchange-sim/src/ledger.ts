import type { FillReport } from "@mms/contracts";
import { Big, ZERO, decimalString } from "./decimal";

/** One account's standing in one symbol, as the exchange saw its fills. */
export interface PositionRecord {
  readonly symbol: string;
  /** Signed: positive long, negative short. */
  readonly position: Big;
  /** Average cost of the open position; undefined while flat. */
  readonly avgEntryPx: Big | undefined;
  /** Realized by average cost, before fees. */
  readonly realizedPnl: Big;
  /** Sum of fees paid; negative when rebates outweigh them. */
  readonly fees: Big;
  readonly boughtQty: Big;
  readonly soldQty: Big;
  readonly fillCount: number;
}

/** The wire shape of `sim.ledger.<ACCOUNT>`: decimals as strings. */
export interface LedgerReply {
  readonly ok: true;
  readonly account: string;
  readonly symbols: ReadonlyArray<{
    readonly symbol: string;
    readonly position: string;
    readonly avgEntryPx: string | null;
    readonly realizedPnl: string;
    readonly fees: string;
    readonly boughtQty: string;
    readonly soldQty: string;
    readonly fillCount: number;
  }>;
}

const EMPTY = { position: ZERO, avgEntryPx: undefined, realizedPnl: ZERO, fees: ZERO, boughtQty: ZERO, soldQty: ZERO, fillCount: 0 } as const;

/** Every fill per account and symbol, so a test can reconcile another ledger against the exchange's. */
export class FillLedger {
  private readonly records = new Map<string, Map<string, PositionRecord>>();
  private readonly seenExecIds = new Set<string>();

  /** Applies a fill once; a repeated execId changes nothing. */
  record(fill: FillReport): void {
    if (this.seenExecIds.has(fill.execId)) return;
    this.seenExecIds.add(fill.execId);
    const symbols = this.records.get(fill.account) ?? new Map<string, PositionRecord>();
    this.records.set(fill.account, symbols);
    const current = symbols.get(fill.symbol) ?? { symbol: fill.symbol, ...EMPTY };
    symbols.set(fill.symbol, applyFill(current, fill.side === "BUY" ? new Big(fill.qty) : new Big(fill.qty).neg(), new Big(fill.px), new Big(fill.fee)));
  }

  positions(account: string): PositionRecord[] {
    return [...(this.records.get(account)?.values() ?? [])].sort((a, b) => a.symbol.localeCompare(b.symbol));
  }

  accounts(): string[] {
    return [...this.records.keys()].sort();
  }

  reply(account: string): LedgerReply {
    return {
      ok: true,
      account,
      symbols: this.positions(account).map((record) => ({
        symbol: record.symbol,
        position: decimalString(record.position),
        avgEntryPx: record.avgEntryPx === undefined ? null : decimalString(record.avgEntryPx),
        realizedPnl: decimalString(record.realizedPnl),
        fees: decimalString(record.fees),
        boughtQty: decimalString(record.boughtQty),
        soldQty: decimalString(record.soldQty),
        fillCount: record.fillCount,
      })),
    };
  }
}

/**
 * Average-cost accounting: adding to a position moves the average; reducing it realizes
 * (px - avg) x closed qty and keeps the average; crossing through zero opens the rest at px.
 */
export function applyFill(record: PositionRecord, signedQty: Big, px: Big, fee: Big): PositionRecord {
  const { position } = record;
  const bought = signedQty.gt(0);
  const base = {
    symbol: record.symbol,
    fees: record.fees.plus(fee),
    boughtQty: bought ? record.boughtQty.plus(signedQty) : record.boughtQty,
    soldQty: bought ? record.soldQty : record.soldQty.plus(signedQty.abs()),
    fillCount: record.fillCount + 1,
  };
  const newPosition = position.plus(signedQty);
  const average = record.avgEntryPx;
  if (position.eq(0) || average === undefined || position.gt(0) === bought) {
    const previousCost = average === undefined ? ZERO : average.times(position.abs());
    return { ...base, position: newPosition, avgEntryPx: previousCost.plus(px.times(signedQty.abs())).div(newPosition.abs()), realizedPnl: record.realizedPnl };
  }
  const closedQty = signedQty.abs().lt(position.abs()) ? signedQty.abs() : position.abs();
  const direction = position.gt(0) ? 1 : -1;
  const realizedPnl = record.realizedPnl.plus(px.minus(average).times(closedQty).times(direction));
  if (newPosition.eq(0)) return { ...base, position: newPosition, avgEntryPx: undefined, realizedPnl };
  const flipped = newPosition.gt(0) !== position.gt(0);
  return { ...base, position: newPosition, avgEntryPx: flipped ? px : average, realizedPnl };
}
