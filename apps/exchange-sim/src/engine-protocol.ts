import type { ExecutionReport, MarketStatusValue, OrderIntent, PublicTrade, Side } from "@mms/contracts";
import { Big } from "./decimal";
import type { RestingOrder, TimeInForce } from "./order-book";

// What goes into the matching engine and what comes out of it: commands and events, plain data.

export interface SymbolSpecification {
  readonly symbol: string;
  readonly tickSize: Big;
  readonly lotSize: Big;
}

export interface FeeSchedule {
  /** Negative for a rebate. */
  readonly makerBps: Big;
  readonly takerBps: Big;
}

export interface MatchingEngineOptions {
  readonly symbols: readonly SymbolSpecification[];
  readonly fees: FeeSchedule;
  /** Prefix of every id the engine makes (orderId, execId, fillId, tradeId): unique per run. */
  readonly idPrefix: string;
  /** Accounts the reject-all fault spares (the simulator's own makers and takers). */
  readonly rejectAllExemptAccounts?: Iterable<string>;
  /** How many intentIds are remembered for duplicate suppression. */
  readonly rememberedIntentIds?: number;
}

export interface NewOrderCommand {
  readonly kind: "NEW";
  readonly intentId: string;
  readonly clientOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly tif: TimeInForce;
  readonly px: Big;
  readonly qty: Big;
}

export interface CancelOrderCommand {
  readonly kind: "CANCEL";
  readonly intentId: string;
  readonly clientOrderId: string;
  readonly account: string;
  readonly symbol: string;
}

export interface CancelAllCommand {
  readonly kind: "CANCEL_ALL";
  readonly intentId: string;
  readonly account: string;
  readonly symbol: string;
  readonly reason: string;
}

export interface CountdownCommand {
  readonly kind: "COUNTDOWN";
  readonly intentId: string;
  readonly account: string;
  readonly symbol: string;
  readonly timeoutMs: number;
}

export type EngineCommand = NewOrderCommand | CancelOrderCommand | CancelAllCommand | CountdownCommand;

/** A level change: qty zero removes the level. */
export interface LevelChange {
  readonly px: Big;
  readonly qty: Big;
}

export type EngineEvent =
  | { readonly kind: "REPORT"; readonly report: ExecutionReport }
  | { readonly kind: "TRADE"; readonly trade: PublicTrade }
  | { readonly kind: "BOOK_CHANGE"; readonly symbol: string; readonly bids: readonly LevelChange[]; readonly asks: readonly LevelChange[] }
  | { readonly kind: "STATUS"; readonly symbol: string; readonly status: MarketStatusValue };

/** A resting order as the engine shows it: a snapshot, without its time in force. */
export type OpenOrder = Readonly<Omit<RestingOrder, "tif">>;

export const REJECT_REASONS = {
  postOnlyWouldCross: "POST_ONLY_WOULD_CROSS",
  marketHalted: "MARKET_HALTED",
  marketClosed: "MARKET_CLOSED",
  unknownOrder: "UNKNOWN_ORDER",
  unknownSymbol: "UNKNOWN_SYMBOL",
  duplicateClientOrderId: "DUPLICATE_CLIENT_ORDER_ID",
  invalidPrice: "INVALID_PRICE",
  invalidQuantity: "INVALID_QUANTITY",
  rateLimit: "RATE_LIMIT",
} as const;

export const CANCEL_REASONS = {
  client: "CLIENT_CANCEL",
  cancelAll: "CANCEL_ALL",
  countdown: "COUNTDOWN",
  immediateOrCancel: "IOC_EXPIRED",
  marketClosed: "MARKET_CLOSED",
  bookReset: "BOOK_RESET",
} as const;

/** Contract strings to engine values: prices and quantities become Big here, once. */
export function commandFromIntent(intent: OrderIntent): EngineCommand {
  switch (intent.kind) {
    case "NEW":
      return {
        kind: "NEW",
        intentId: intent.intentId,
        clientOrderId: intent.clientOrderId,
        account: intent.account,
        symbol: intent.symbol,
        side: intent.side,
        tif: intent.tif,
        px: new Big(intent.px),
        qty: new Big(intent.qty),
      };
    case "CANCEL":
      return { kind: "CANCEL", intentId: intent.intentId, clientOrderId: intent.clientOrderId, account: intent.account, symbol: intent.symbol };
    case "CANCEL_ALL":
      return { kind: "CANCEL_ALL", intentId: intent.intentId, account: intent.account, symbol: intent.symbol, reason: intent.reason };
    case "COUNTDOWN":
      return { kind: "COUNTDOWN", intentId: intent.intentId, account: intent.account, symbol: intent.symbol, timeoutMs: intent.timeoutMs };
  }
}
