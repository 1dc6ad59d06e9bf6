import { Type, type Static } from "@sinclair/typebox";
import { ComputedDecimalString, DecimalString, Identifier, PositiveDecimalString, SignedDecimalString, Side, SymbolName } from "./primitives";
import { QuotingMode, SymbolStateName } from "./states";

export const OpenOrderView = Type.Object({
  clientOrderId: Identifier,
  side: Side,
  px: PositiveDecimalString,
  qty: DecimalString,
});

export const SymbolStatus = Type.Object({
  symbol: SymbolName,
  state: SymbolStateName,
  reason: Type.Union([Type.String(), Type.Null()]),
  mode: QuotingMode,
  // Null until the symbol has rebuilt its inventory from EXEC: never a guess such as "0".
  position: Type.Union([SignedDecimalString, Type.Null()]),
  avgEntryPx: Type.Union([ComputedDecimalString, Type.Null()]),
  realizedPnl: Type.Union([ComputedDecimalString, Type.Null()]),
  unrealizedPnl: Type.Union([ComputedDecimalString, Type.Null()]),
  fees: Type.Union([SignedDecimalString, Type.Null()]),
  openOrders: Type.Array(OpenOrderView),
});

export const StatusReply = Type.Object({
  instance: Type.String({ minLength: 1 }),
  symbols: Type.Array(SymbolStatus),
});

export type OpenOrderView = Readonly<Static<typeof OpenOrderView>>;
export type SymbolStatus = Readonly<Static<typeof SymbolStatus>>;
export type StatusReply = Readonly<Static<typeof StatusReply>>;
