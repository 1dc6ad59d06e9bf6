import { Type, type Static } from "@sinclair/typebox";
import { AccountName, Identifier, PositiveDecimalString, Side, SymbolName, Text, Timestamp } from "./primitives";

export const NewOrderIntent = Type.Object({
  kind: Type.Literal("NEW"),
  intentId: Identifier,
  clientOrderId: Identifier,
  account: AccountName,
  symbol: SymbolName,
  side: Side,
  type: Type.Literal("LIMIT"),
  tif: Type.Literal("POST_ONLY"),
  px: PositiveDecimalString,
  qty: PositiveDecimalString,
  tag: Type.Literal("MM"),
  ts: Timestamp,
});

export const CancelOrderIntent = Type.Object({
  kind: Type.Literal("CANCEL"),
  intentId: Identifier,
  clientOrderId: Identifier,
  account: AccountName,
  symbol: SymbolName,
  ts: Timestamp,
});

export const CancelAllIntent = Type.Object({
  kind: Type.Literal("CANCEL_ALL"),
  intentId: Identifier,
  account: AccountName,
  symbol: SymbolName,
  reason: Text,
  ts: Timestamp,
});

export const CountdownIntent = Type.Object({
  kind: Type.Literal("COUNTDOWN"),
  intentId: Identifier,
  account: AccountName,
  symbol: SymbolName,
  timeoutMs: Type.Integer({ minimum: 0, maximum: 3_600_000 }),
  ts: Timestamp,
});

export const OrderIntentSchemas = {
  NEW: NewOrderIntent,
  CANCEL: CancelOrderIntent,
  CANCEL_ALL: CancelAllIntent,
  COUNTDOWN: CountdownIntent,
} as const;

export type NewOrderIntent = Readonly<Static<typeof NewOrderIntent>>;
export type CancelOrderIntent = Readonly<Static<typeof CancelOrderIntent>>;
export type CancelAllIntent = Readonly<Static<typeof CancelAllIntent>>;
export type CountdownIntent = Readonly<Static<typeof CountdownIntent>>;
export type OrderIntent = NewOrderIntent | CancelOrderIntent | CancelAllIntent | CountdownIntent;
export type OrderIntentKind = OrderIntent["kind"];
