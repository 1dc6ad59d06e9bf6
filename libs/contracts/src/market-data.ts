import { Type, type Static } from "@sinclair/typebox";
import { DecimalString, Identifier, LIMITS, PositiveDecimalString, SequenceNumber, Side, SymbolName, Timestamp } from "./primitives";

/** `[px, qty]`; in a delta qty "0" removes the level. */
export const BookLevel = Type.Tuple([PositiveDecimalString, DecimalString]);
export const PositiveBookLevel = Type.Tuple([PositiveDecimalString, PositiveDecimalString]);

export const BookSnapshot = Type.Object({
  symbol: SymbolName,
  seq: SequenceNumber,
  ts: Timestamp,
  bids: Type.Array(PositiveBookLevel, { maxItems: LIMITS.maxBookLevels }),
  asks: Type.Array(PositiveBookLevel, { maxItems: LIMITS.maxBookLevels }),
});

export const BookDelta = Type.Object({
  symbol: SymbolName,
  seq: SequenceNumber,
  ts: Timestamp,
  bids: Type.Array(BookLevel, { maxItems: LIMITS.maxBookLevels }),
  asks: Type.Array(BookLevel, { maxItems: LIMITS.maxBookLevels }),
});

export const PublicTrade = Type.Object({
  symbol: SymbolName,
  tradeId: Type.Union([Identifier, Type.Integer({ minimum: 0 })]),
  ts: Timestamp,
  px: PositiveDecimalString,
  qty: PositiveDecimalString,
  takerSide: Side,
});

export const MarketStatusValue = Type.Union([Type.Literal("TRADING"), Type.Literal("HALTED"), Type.Literal("CLOSED")]);

export const MarketStatus = Type.Object({
  symbol: SymbolName,
  ts: Timestamp,
  seq: SequenceNumber,
  status: MarketStatusValue,
});

export type BookLevel = Readonly<Static<typeof BookLevel>>;
export type BookSnapshot = Readonly<Static<typeof BookSnapshot>>;
export type BookDelta = Readonly<Static<typeof BookDelta>>;
export type PublicTrade = Readonly<Static<typeof PublicTrade>>;
export type MarketStatusValue = Static<typeof MarketStatusValue>;
export type MarketStatus = Readonly<Static<typeof MarketStatus>>;
