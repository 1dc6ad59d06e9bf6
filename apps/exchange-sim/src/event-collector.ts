import type { MarketStatusValue, Side } from "@mms/contracts";
import { decimalString, type Big } from "./decimal";
import type { EngineEvent, LevelChange, SymbolSpecification } from "./engine-protocol";
import type { LimitOrderBook } from "./order-book";

export interface SymbolMarket {
  readonly specification: SymbolSpecification;
  readonly book: LimitOrderBook;
  status: MarketStatusValue;
  /** Reason every NEW is rejected with, while the reject-all fault is on. */
  rejectAllReason: string | undefined;
  /** clientOrderIds ever accepted, per account: they are unique forever. */
  readonly usedClientOrderIds: Set<string>;
}

/** Collects the events of one command and the book levels it touched. */
export class EventCollector {
  readonly events: EngineEvent[] = [];
  private readonly touched = new Map<string, { side: Side; px: Big }>();

  constructor(
    private readonly market: SymbolMarket,
    readonly now: number,
  ) {}

  push(event: EngineEvent): void {
    this.events.push(event);
  }

  touch(side: Side, px: Big): void {
    this.touched.set(`${side}:${decimalString(px)}`, { side, px });
  }

  /** Events with one BOOK_CHANGE at the end for every level the command touched. */
  finish(): EngineEvent[] {
    if (this.touched.size === 0) return this.events;
    const bids: LevelChange[] = [];
    const asks: LevelChange[] = [];
    for (const { side, px } of this.touched.values()) {
      const change = { px, qty: this.market.book.levelQuantity(side, px) };
      (side === "BUY" ? bids : asks).push(change);
    }
    bids.sort((a, b) => b.px.cmp(a.px));
    asks.sort((a, b) => a.px.cmp(b.px));
    this.events.push({ kind: "BOOK_CHANGE", symbol: this.market.specification.symbol, bids, asks });
    return this.events;
  }
}
