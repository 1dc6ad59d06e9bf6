import type { Side } from "@mms/contracts";
import { type Big, ZERO } from "./decimal";

export type TimeInForce = "POST_ONLY" | "GTC" | "IOC";

/** An order resting in the book; only `leavesQty` changes while it rests. */
export interface RestingOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly px: Big;
  readonly qty: Big;
  readonly tif: TimeInForce;
  leavesQty: Big;
}

export interface PriceLevel {
  readonly px: Big;
  readonly qty: Big;
}

interface LevelQueue {
  readonly px: Big;
  /** Time priority: the first order arrived first. */
  readonly orders: RestingOrder[];
}

function orderKey(account: string, clientOrderId: string): string {
  return `${account}\u0000${clientOrderId}`;
}

/** A price-time priority book of one symbol. Bids best (highest) first, asks best (lowest) first. */
export class LimitOrderBook {
  private readonly bids: LevelQueue[] = [];
  private readonly asks: LevelQueue[] = [];
  private readonly orders = new Map<string, RestingOrder>();

  find(account: string, clientOrderId: string): RestingOrder | undefined {
    return this.orders.get(orderKey(account, clientOrderId));
  }

  add(order: RestingOrder): void {
    const levels = this.levels(order.side);
    const index = levels.findIndex((level) => !this.isBetter(order.side, level.px, order.px));
    const existing = index >= 0 ? levels[index] : undefined;
    if (existing && existing.px.eq(order.px)) {
      existing.orders.push(order);
    } else {
      const level = { px: order.px, orders: [order] };
      if (index < 0) levels.push(level);
      else levels.splice(index, 0, level);
    }
    this.orders.set(orderKey(order.account, order.clientOrderId), order);
  }

  remove(order: RestingOrder): void {
    const levels = this.levels(order.side);
    const index = levels.findIndex((level) => level.px.eq(order.px));
    const level = levels[index];
    if (level) {
      const position = level.orders.indexOf(order);
      if (position >= 0) level.orders.splice(position, 1);
      if (level.orders.length === 0) levels.splice(index, 1);
    }
    this.orders.delete(orderKey(order.account, order.clientOrderId));
  }

  /** The order first in line on the best level of `side`. */
  head(side: Side): RestingOrder | undefined {
    return this.levels(side)[0]?.orders[0];
  }

  bestPrice(side: Side): Big | undefined {
    return this.levels(side)[0]?.px;
  }

  /** Would an order on `side` at `px` trade against what rests on the other side? */
  crosses(side: Side, px: Big): boolean {
    const opposite = this.bestPrice(side === "BUY" ? "SELL" : "BUY");
    if (opposite === undefined) return false;
    return side === "BUY" ? px.gte(opposite) : px.lte(opposite);
  }

  levelQuantity(side: Side, px: Big): Big {
    const level = this.levels(side).find((candidate) => candidate.px.eq(px));
    return level ? level.orders.reduce((total, order) => total.plus(order.leavesQty), ZERO) : ZERO;
  }

  /** Aggregated levels, best first. */
  depth(side: Side, maxLevels = Number.MAX_SAFE_INTEGER): PriceLevel[] {
    return this.levels(side)
      .slice(0, maxLevels)
      .map((level) => ({ px: level.px, qty: level.orders.reduce((total, order) => total.plus(order.leavesQty), ZERO) }));
  }

  /** The worst price resting on `side`: a taker limited there can sweep the whole side. */
  worstPrice(side: Side): Big | undefined {
    const levels = this.levels(side);
    return levels[levels.length - 1]?.px;
  }

  /** Resting orders of an account, in time priority within each level. */
  ordersOf(account: string): RestingOrder[] {
    return [...this.orders.values()].filter((order) => order.account === account);
  }

  allOrders(): RestingOrder[] {
    return [...this.orders.values()];
  }

  private levels(side: Side): LevelQueue[] {
    return side === "BUY" ? this.bids : this.asks;
  }

  private isBetter(side: Side, candidate: Big, than: Big): boolean {
    return side === "BUY" ? candidate.gt(than) : candidate.lt(than);
  }
}
