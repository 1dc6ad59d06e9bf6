import { Type, type Static } from "@sinclair/typebox";
import { ComputedDecimalString, DecimalString, Identifier, PositiveDecimalString, SignedDecimalString, Side, SymbolName, Text, Timestamp } from "./primitives";
import { ControlRefusalCode, OperatorName } from "./control";
import { QuotingMode, SymbolStateName } from "./states";

export const OpenOrderView = Type.Object({
  clientOrderId: Identifier,
  side: Side,
  px: PositiveDecimalString,
  qty: DecimalString,
  /** UNANSWERED: no report since its NEW or CANCEL went out orderAckTimeoutMs ago. */
  state: Type.Optional(Type.Union([Type.Literal("PENDING_NEW"), Type.Literal("LIVE"), Type.Literal("PENDING_CANCEL"), Type.Literal("UNANSWERED")])),
  ageMs: Type.Optional(Type.Integer({ minimum: 0 })),
});

export const SymbolStatus = Type.Object({
  symbol: SymbolName,
  state: SymbolStateName,
  /** Why the symbol stopped. */
  reason: Type.Union([Type.String(), Type.Null()]),
  // An MMS addition: when and how it stopped. Null while ACTIVE; optional for older producers.
  /** When the symbol stopped for `reason` (ms since the Unix epoch). */
  stoppedAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
  /** The stop's detail text (the alert's message; an operator's reason for kill, pause, reset). */
  detail: Type.Optional(Type.Union([Text, Type.Null()])),
  /** Who sent the kill, pause or reset that stopped it; null for an automatic stop. */
  operator: Type.Optional(Type.Union([OperatorName, Type.Null()])),
  /** What a resume would be refused for now, the first one first; empty while ACTIVE. */
  resumeBlockers: Type.Optional(Type.Array(ControlRefusalCode)),
  mode: QuotingMode,
  // Null until the symbol has rebuilt its inventory from EXEC: never a guess such as "0".
  position: Type.Union([SignedDecimalString, Type.Null()]),
  avgEntryPx: Type.Union([ComputedDecimalString, Type.Null()]),
  realizedPnl: Type.Union([ComputedDecimalString, Type.Null()]),
  unrealizedPnl: Type.Union([ComputedDecimalString, Type.Null()]),
  fees: Type.Union([SignedDecimalString, Type.Null()]),
  openOrders: Type.Array(OpenOrderView),
  /** ACTIVE after `reduce`: only the side that brings the position toward zero is quoted. */
  reduceOnly: Type.Optional(Type.Literal(true)),
});

export const StatusReply = Type.Object({
  instance: Type.String({ minLength: 1 }),
  symbols: Type.Array(SymbolStatus),
});

export type OpenOrderView = Readonly<Static<typeof OpenOrderView>>;
export type SymbolStatus = Readonly<Static<typeof SymbolStatus>>;
export type StatusReply = Readonly<Static<typeof StatusReply>>;
