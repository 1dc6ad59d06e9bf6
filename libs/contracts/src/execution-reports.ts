import { Type, type Static } from "@sinclair/typebox";
import { AccountName, DecimalString, Identifier, PositiveDecimalString, SignedDecimalString, Side, SymbolName, Text, Timestamp } from "./primitives";

const reportFields = {
  execId: Identifier,
  account: AccountName,
  symbol: SymbolName,
  ts: Timestamp,
};

export const AcceptedReport = Type.Object({
  kind: Type.Literal("ACCEPTED"),
  ...reportFields,
  clientOrderId: Identifier,
  orderId: Identifier,
  side: Side,
  px: PositiveDecimalString,
  qty: PositiveDecimalString,
});

export const RejectedReport = Type.Object({
  kind: Type.Literal("REJECTED"),
  ...reportFields,
  clientOrderId: Identifier,
  reason: Text,
});

export const FillReport = Type.Object({
  kind: Type.Literal("FILL"),
  ...reportFields,
  clientOrderId: Identifier,
  orderId: Identifier,
  side: Side,
  fillId: Identifier,
  px: PositiveDecimalString,
  qty: PositiveDecimalString,
  leavesQty: DecimalString,
  fee: SignedDecimalString,
  liquidity: Type.Union([Type.Literal("MAKER"), Type.Literal("TAKER")]),
});

export const CanceledReport = Type.Object({
  kind: Type.Literal("CANCELED"),
  ...reportFields,
  clientOrderId: Identifier,
  orderId: Identifier,
  reason: Text,
});

export const ExecutionReportSchemas = {
  ACCEPTED: AcceptedReport,
  REJECTED: RejectedReport,
  FILL: FillReport,
  CANCELED: CanceledReport,
} as const;

export type AcceptedReport = Readonly<Static<typeof AcceptedReport>>;
export type RejectedReport = Readonly<Static<typeof RejectedReport>>;
export type FillReport = Readonly<Static<typeof FillReport>>;
export type CanceledReport = Readonly<Static<typeof CanceledReport>>;
export type ExecutionReport = AcceptedReport | RejectedReport | FillReport | CanceledReport;
export type ExecutionReportKind = ExecutionReport["kind"];
