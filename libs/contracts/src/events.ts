import { Type, type Static } from "@sinclair/typebox";
import { CancelAllIntent, CancelOrderIntent, CountdownIntent, NewOrderIntent } from "./orders";
import { AccountName, ComputedDecimalString, Identifier, PositiveDecimalString, SignedDecimalString, Side, SymbolName, Text, Timestamp } from "./primitives";
import { QUOTE_SKIP_REASONS } from "./reasons";
import { QuotingMode, SymbolStateName } from "./states";
import { AUDIT_EVENT_TYPES, PRETRADE_CHECKS, type AuditEventType } from "./event-types";

export { AUDIT_EVENT_TYPES, PRETRADE_CHECKS, type AuditEventType };

const eventFields = {
  symbol: SymbolName,
  instance: Type.String({ minLength: 1, maxLength: 128 }),
  seq: Type.Integer({ minimum: 1 }),
  ts: Timestamp,
  mode: QuotingMode,
};

const QuoteSide = Type.Union([Type.Object({ px: PositiveDecimalString, qty: PositiveDecimalString }), Type.Null()]);
const QuoteSkipCode = Type.Union(QUOTE_SKIP_REASONS.map((code) => Type.Literal(code)));
/** Why a side is null: present only when a side was left out. */
const QuoteSkipped = Type.Object({ bid: Type.Optional(QuoteSkipCode), ask: Type.Optional(QuoteSkipCode) }, { additionalProperties: false });
const NullableText = Type.Union([Type.String(), Type.Null()]);

export const StateEvent = Type.Object({ type: Type.Literal("state"), ...eventFields, from: SymbolStateName, to: SymbolStateName, reason: NullableText });

export const QuoteEvent = Type.Object({
  type: Type.Literal("quote"),
  ...eventFields,
  mid: PositiveDecimalString,
  bestBid: PositiveDecimalString,
  bestAsk: PositiveDecimalString,
  position: SignedDecimalString,
  bid: QuoteSide,
  ask: QuoteSide,
  skipped: Type.Optional(QuoteSkipped),
});

const PretradeCheckName = Type.Union(PRETRADE_CHECKS.map((name) => Type.Literal(name)));
const PretradeValues = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 256 }));
const PretradeDenied = Type.Object({ check: PretradeCheckName, values: PretradeValues, detail: Text });

export const IntentEvent = Type.Object({
  type: Type.Literal("intent"),
  ...eventFields,
  shadow: Type.Boolean(),
  intent: Type.Union([NewOrderIntent, CancelOrderIntent, CancelAllIntent, CountdownIntent]),
  /** Shadow mode only: the NEW the pre-trade checks denied (a live denied NEW is never sent). */
  denied: Type.Optional(PretradeDenied),
});

export const FillEvent = Type.Object({
  type: Type.Literal("fill"),
  ...eventFields,
  execId: Identifier,
  clientOrderId: Identifier,
  side: Side,
  px: PositiveDecimalString,
  qty: PositiveDecimalString,
  fee: SignedDecimalString,
  liquidity: Type.Union([Type.Literal("MAKER"), Type.Literal("TAKER")]),
  position: SignedDecimalString,
  avgEntryPx: Type.Union([ComputedDecimalString, Type.Null()]),
  realizedPnl: ComputedDecimalString,
  fees: SignedDecimalString,
});

export const RiskEvent = Type.Object({
  type: Type.Literal("risk"),
  ...eventFields,
  reason: Type.String(),
  detail: Text,
  /** PRETRADE_DENIED: the failed check and the figures it compared. */
  check: Type.Optional(PretradeCheckName),
  values: Type.Optional(PretradeValues),
});

export const ControlEvent = Type.Object({
  type: Type.Literal("control"),
  ...eventFields,
  command: Type.String({ maxLength: 64 }),
  operator: NullableText,
  operatorReason: NullableText,
  accepted: Type.Boolean(),
  refusal: NullableText,
  from: SymbolStateName,
  to: SymbolStateName,
});

export const AlertEvent = Type.Object({
  type: Type.Literal("alert"),
  ...eventFields,
  reason: Type.String(),
  from: SymbolStateName,
  to: SymbolStateName,
  message: Text,
});

/**
 * The inventory at a point of the EXEC stream: restored at start-up, then EXEC is replayed
 * from `execSeq + 1`. `execSeq` is the stream sequence up to which this symbol's history is
 * included (every report of the symbol at or below it has been applied).
 */
export const CheckpointEvent = Type.Object({
  type: Type.Literal("checkpoint"),
  ...eventFields,
  /** The inventory is the account's: a checkpoint of another account is never restored. */
  account: AccountName,
  position: SignedDecimalString,
  avgEntryPx: Type.Union([ComputedDecimalString, Type.Null()]),
  realizedPnl: ComputedDecimalString,
  fees: SignedDecimalString,
  execSeq: Type.Integer({ minimum: 0 }),
});

export const AuditEventSchemas = {
  state: StateEvent,
  quote: QuoteEvent,
  intent: IntentEvent,
  fill: FillEvent,
  risk: RiskEvent,
  control: ControlEvent,
  checkpoint: CheckpointEvent,
  alert: AlertEvent,
} as const;

export type StateEvent = Readonly<Static<typeof StateEvent>>;
export type QuoteEvent = Readonly<Static<typeof QuoteEvent>>;
export type IntentEvent = Readonly<Static<typeof IntentEvent>>;
export type FillEvent = Readonly<Static<typeof FillEvent>>;
export type RiskEvent = Readonly<Static<typeof RiskEvent>>;
export type ControlEvent = Readonly<Static<typeof ControlEvent>>;
export type CheckpointEvent = Readonly<Static<typeof CheckpointEvent>>;
export type AlertEvent = Readonly<Static<typeof AlertEvent>>;
export type AuditEvent = StateEvent | QuoteEvent | IntentEvent | FillEvent | RiskEvent | ControlEvent | CheckpointEvent | AlertEvent;

/** The fields the emitter stamps on every event; the actor supplies the rest. */
export type AuditEventStamp = "symbol" | "instance" | "seq" | "ts" | "mode";
type Unstamped<E> = E extends AuditEvent ? Omit<E, AuditEventStamp> : never;
export type AuditEventBody = Unstamped<AuditEvent>;
