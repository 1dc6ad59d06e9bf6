// The public surface of @mms/contracts: the runtime entry (what a worker runs, no schema) plus
// the schemas, which double as types, and what compiles or loads them (config, tools, tests).
export * from "./runtime";
export { AccountName, ComputedDecimalString, Identifier, PositiveDecimalString, SignedDecimalString, SymbolName, Timestamp, type Side } from "./primitives";
export { BookDelta, BookSnapshot, MarketStatus, PublicTrade } from "./market-data";
export { CancelAllIntent, CancelOrderIntent, CountdownIntent, NewOrderIntent, OrderIntentSchemas } from "./orders";
export { ExecutionReportSchemas } from "./execution-reports";
export { QuotingMode, SymbolStateName } from "./states";
export { ControlBody, ControlReply } from "./control";
export { StatusReply } from "./status";
export { AuditEventSchemas } from "./events";
export { MmpConfig, SymbolConfig } from "./config";
export { parseServiceConfig, symbolWithDefaults, validateServiceConfig } from "./config-loader";
export { compileUnionValidator, compileValidator } from "./validation";
