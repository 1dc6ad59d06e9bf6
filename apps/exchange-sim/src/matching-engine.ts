import type { MarketStatusValue, Side } from "@mms/contracts";
import { DeadMansSwitch } from "./dead-mans-switch";
import type { Big} from "./decimal";
import { decimalString, feeFor, isMultipleOf } from "./decimal";
import { CANCEL_REASONS, REJECT_REASONS, type CancelOrderCommand, type EngineCommand, type EngineEvent, type FeeSchedule, type MatchingEngineOptions, type NewOrderCommand, type OpenOrder, type SymbolSpecification } from "./engine-protocol";
import { EventCollector, type SymbolMarket } from "./event-collector";
import { LimitOrderBook, type PriceLevel, type RestingOrder } from "./order-book";

export { CANCEL_REASONS, commandFromIntent, REJECT_REASONS } from "./engine-protocol";
export type { CancelAllCommand, CancelOrderCommand, CountdownCommand, EngineCommand, EngineEvent, FeeSchedule, LevelChange, MatchingEngineOptions, NewOrderCommand, OpenOrder, SymbolSpecification } from "./engine-protocol";

/**
 * A price-time priority limit order book per symbol. Pure: no clock, no I/O; `now` is an
 * argument and every outcome is a list of events for the shell to publish.
 */
export class MatchingEngine {
  private readonly markets = new Map<string, SymbolMarket>();
  private readonly deadMansSwitch = new DeadMansSwitch();
  private readonly rejectAllExemptAccounts: ReadonlySet<string>;
  private readonly rememberedIntentIds: number;
  private readonly seenIntentIds = new Set<string>();
  private readonly fees: FeeSchedule;
  private readonly idPrefix: string;
  private orderCounter = 0;
  private execCounter = 0;
  private fillCounter = 0;
  private tradeCounter = 0;

  constructor(options: MatchingEngineOptions) {
    for (const specification of options.symbols) {
      this.markets.set(specification.symbol, {
        specification,
        book: new LimitOrderBook(),
        status: "TRADING",
        rejectAllReason: undefined,
        usedClientOrderIds: new Set(),
      });
    }
    this.fees = options.fees;
    this.idPrefix = options.idPrefix;
    this.rejectAllExemptAccounts = new Set(options.rejectAllExemptAccounts ?? []);
    this.rememberedIntentIds = options.rememberedIntentIds ?? 100_000;
  }

  symbols(): string[] {
    return [...this.markets.keys()];
  }

  hasSymbol(symbol: string): boolean {
    return this.markets.has(symbol);
  }

  specification(symbol: string): SymbolSpecification | undefined {
    return this.markets.get(symbol)?.specification;
  }

  status(symbol: string): MarketStatusValue | undefined {
    return this.markets.get(symbol)?.status;
  }

  /** Applies one command; a repeated intentId changes nothing and yields no events. */
  submit(command: EngineCommand, now: number): EngineEvent[] {
    if (!this.rememberIntent(command.intentId)) return [];
    const market = this.markets.get(command.symbol);
    if (!market) {
      if (command.kind === "NEW" || command.kind === "CANCEL") {
        return [this.rejected(command.account, command.symbol, command.clientOrderId, REJECT_REASONS.unknownSymbol, now)];
      }
      return [];
    }
    const collector = new EventCollector(market, now);
    switch (command.kind) {
      case "NEW":
        this.placeOrder(market, command, collector);
        break;
      case "CANCEL":
        this.cancelOrder(market, command, collector);
        break;
      case "CANCEL_ALL":
        this.cancelWhere(market, (order) => order.account === command.account, command.reason === "" ? CANCEL_REASONS.cancelAll : command.reason, collector);
        break;
      case "COUNTDOWN":
        this.deadMansSwitch.arm(command.account, command.symbol, command.timeoutMs, now);
        break;
    }
    return collector.finish();
  }

  /** Fires lapsed COUNTDOWNs: every order of that account on that symbol is cancelled. */
  tick(now: number): EngineEvent[] {
    const events: EngineEvent[] = [];
    for (const { account, symbol } of this.deadMansSwitch.lapsed(now)) {
      const market = this.markets.get(symbol);
      if (!market) continue;
      const collector = new EventCollector(market, now);
      this.cancelWhere(market, (order) => order.account === account, CANCEL_REASONS.countdown, collector);
      events.push(...collector.finish());
    }
    return events;
  }

  isCountdownArmed(account: string, symbol: string): boolean {
    return this.deadMansSwitch.isArmed(account, symbol);
  }

  /** HALTED rejects new orders but keeps the book; CLOSED also cancels every resting order. */
  setStatus(symbol: string, status: MarketStatusValue, now: number): EngineEvent[] {
    const market = this.markets.get(symbol);
    if (!market || market.status === status) return [];
    market.status = status;
    const collector = new EventCollector(market, now);
    if (status === "CLOSED") this.cancelWhere(market, () => true, CANCEL_REASONS.marketClosed, collector);
    collector.push({ kind: "STATUS", symbol, status });
    return collector.finish();
  }

  /** While a reason is set, every NEW from a non-exempt account is rejected with it. */
  setRejectAll(symbol: string, reason: string | undefined): void {
    const market = this.markets.get(symbol);
    if (market) market.rejectAllReason = reason;
  }

  /** Cancels every resting order of the given accounts, e.g. before a test builds an exact book. */
  cancelAccounts(symbol: string, accounts: ReadonlySet<string>, reason: string, now: number): EngineEvent[] {
    const market = this.markets.get(symbol);
    if (!market) return [];
    const collector = new EventCollector(market, now);
    this.cancelWhere(market, (order) => accounts.has(order.account), reason, collector);
    return collector.finish();
  }

  depth(symbol: string, maxLevels?: number): { bids: PriceLevel[]; asks: PriceLevel[] } {
    const book = this.markets.get(symbol)?.book;
    if (!book) return { bids: [], asks: [] };
    return { bids: book.depth("BUY", maxLevels), asks: book.depth("SELL", maxLevels) };
  }

  bestPrice(symbol: string, side: Side): Big | undefined {
    return this.markets.get(symbol)?.book.bestPrice(side);
  }

  worstPrice(symbol: string, side: Side): Big | undefined {
    return this.markets.get(symbol)?.book.worstPrice(side);
  }

  openOrders(account: string, symbol?: string): OpenOrder[] {
    const markets = symbol === undefined ? [...this.markets.values()] : [this.markets.get(symbol)].filter((market) => market !== undefined);
    return markets.flatMap((market) => market.book.ordersOf(account).map((order) => openOrderView(order)));
  }

  private placeOrder(market: SymbolMarket, command: NewOrderCommand, collector: EventCollector): void {
    const reason = this.rejectionOf(market, command);
    if (reason !== undefined) {
      collector.push(this.rejected(command.account, command.symbol, command.clientOrderId, reason, collector.now));
      return;
    }
    market.usedClientOrderIds.add(`${command.account}\u0000${command.clientOrderId}`);
    const order: RestingOrder = {
      orderId: `${this.idPrefix}-O${++this.orderCounter}`,
      clientOrderId: command.clientOrderId,
      account: command.account,
      symbol: command.symbol,
      side: command.side,
      px: command.px,
      qty: command.qty,
      tif: command.tif,
      leavesQty: command.qty,
    };
    collector.push({
      kind: "REPORT",
      report: {
        kind: "ACCEPTED",
        ...this.reportFields(order.account, order.symbol, collector.now),
        clientOrderId: order.clientOrderId,
        orderId: order.orderId,
        side: order.side,
        px: decimalString(order.px),
        qty: decimalString(order.qty),
      },
    });
    this.match(market, order, collector);
    if (order.leavesQty.gt(0)) {
      if (order.tif === "IOC") {
        collector.push(this.canceled(order, CANCEL_REASONS.immediateOrCancel, collector.now));
      } else {
        market.book.add(order);
        collector.touch(order.side, order.px);
      }
    }
  }

  private rejectionOf(market: SymbolMarket, command: NewOrderCommand): string | undefined {
    if (market.status === "HALTED") return REJECT_REASONS.marketHalted;
    if (market.status === "CLOSED") return REJECT_REASONS.marketClosed;
    if (market.rejectAllReason !== undefined && !this.rejectAllExemptAccounts.has(command.account)) return market.rejectAllReason;
    if (market.usedClientOrderIds.has(`${command.account}\u0000${command.clientOrderId}`)) return REJECT_REASONS.duplicateClientOrderId;
    if (command.px.lte(0) || !isMultipleOf(command.px, market.specification.tickSize)) return REJECT_REASONS.invalidPrice;
    if (command.qty.lte(0) || !isMultipleOf(command.qty, market.specification.lotSize)) return REJECT_REASONS.invalidQuantity;
    if (command.tif === "POST_ONLY" && market.book.crosses(command.side, command.px)) return REJECT_REASONS.postOnlyWouldCross;
    return undefined;
  }

  /** Trades `taker` against the other side, best price first, oldest order first, at the maker's price. */
  private match(market: SymbolMarket, taker: RestingOrder, collector: EventCollector): void {
    const makerSide: Side = taker.side === "BUY" ? "SELL" : "BUY";
    while (taker.leavesQty.gt(0) && market.book.crosses(taker.side, taker.px)) {
      const maker = market.book.head(makerSide);
      if (!maker) break;
      const qty = maker.leavesQty.lt(taker.leavesQty) ? maker.leavesQty : taker.leavesQty;
      const px = maker.px;
      maker.leavesQty = maker.leavesQty.minus(qty);
      taker.leavesQty = taker.leavesQty.minus(qty);
      if (maker.leavesQty.eq(0)) market.book.remove(maker);
      collector.touch(maker.side, px);
      collector.push(this.fill(maker, px, qty, "MAKER", collector.now));
      collector.push(this.fill(taker, px, qty, "TAKER", collector.now));
      collector.push({
        kind: "TRADE",
        trade: { symbol: taker.symbol, tradeId: `${this.idPrefix}-T${++this.tradeCounter}`, ts: collector.now, px: decimalString(px), qty: decimalString(qty), takerSide: taker.side },
      });
    }
  }

  private cancelOrder(market: SymbolMarket, command: CancelOrderCommand, collector: EventCollector): void {
    const order = market.book.find(command.account, command.clientOrderId);
    if (!order) {
      collector.push(this.rejected(command.account, command.symbol, command.clientOrderId, REJECT_REASONS.unknownOrder, collector.now));
      return;
    }
    market.book.remove(order);
    collector.touch(order.side, order.px);
    collector.push(this.canceled(order, CANCEL_REASONS.client, collector.now));
  }

  private cancelWhere(market: SymbolMarket, predicate: (order: RestingOrder) => boolean, reason: string, collector: EventCollector): void {
    for (const order of market.book.allOrders().filter(predicate)) {
      market.book.remove(order);
      collector.touch(order.side, order.px);
      collector.push(this.canceled(order, reason, collector.now));
    }
  }

  private fill(order: RestingOrder, px: Big, qty: Big, liquidity: "MAKER" | "TAKER", now: number): EngineEvent {
    const bps = liquidity === "MAKER" ? this.fees.makerBps : this.fees.takerBps;
    return {
      kind: "REPORT",
      report: {
        kind: "FILL",
        ...this.reportFields(order.account, order.symbol, now),
        clientOrderId: order.clientOrderId,
        orderId: order.orderId,
        side: order.side,
        fillId: `${this.idPrefix}-F${++this.fillCounter}`,
        px: decimalString(px),
        qty: decimalString(qty),
        leavesQty: decimalString(order.leavesQty),
        fee: decimalString(feeFor(px, qty, bps)),
        liquidity,
      },
    };
  }

  private canceled(order: RestingOrder, reason: string, now: number): EngineEvent {
    return {
      kind: "REPORT",
      report: { kind: "CANCELED", ...this.reportFields(order.account, order.symbol, now), clientOrderId: order.clientOrderId, orderId: order.orderId, reason },
    };
  }

  private rejected(account: string, symbol: string, clientOrderId: string, reason: string, now: number): EngineEvent {
    return { kind: "REPORT", report: { kind: "REJECTED", ...this.reportFields(account, symbol, now), clientOrderId, reason } };
  }

  private reportFields(account: string, symbol: string, now: number): { execId: string; account: string; symbol: string; ts: number } {
    return { execId: `${this.idPrefix}-E${++this.execCounter}`, account, symbol, ts: now };
  }

  /** False when the intent was seen before. Old ids are forgotten first-in first-out. */
  private rememberIntent(intentId: string): boolean {
    if (this.seenIntentIds.has(intentId)) return false;
    this.seenIntentIds.add(intentId);
    if (this.seenIntentIds.size > this.rememberedIntentIds) {
      const oldest = this.seenIntentIds.values().next();
      if (!oldest.done) this.seenIntentIds.delete(oldest.value);
    }
    return true;
  }
}

function openOrderView(order: RestingOrder): OpenOrder {
  return {
    orderId: order.orderId,
    clientOrderId: order.clientOrderId,
    account: order.account,
    symbol: order.symbol,
    side: order.side,
    px: order.px,
    qty: order.qty,
    leavesQty: order.leavesQty,
  };
}
