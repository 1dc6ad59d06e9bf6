// The public surface of @mms/contracts: only what other packages import. Schemas double as types.
export { AccountName, ComputedDecimalString, Identifier, LIMITS, PositiveDecimalString, SignedDecimalString, SymbolName, Timestamp, type Side } from "./primitives";
export { BookDelta, BookSnapshot, MarketStatus, PublicTrade, type BookLevel, type MarketStatusValue } from "./market-data";
export { CancelAllIntent, CancelOrderIntent, CountdownIntent, NewOrderIntent, OrderIntentSchemas, type OrderIntent } from "./orders";
export { ExecutionReportSchemas, type AcceptedReport, type ExecutionReport, type FillReport } from "./execution-reports";
export { QuotingMode, SymbolStateName } from "./states";
export {
  GLOBAL_BREACH_REASONS,
  MARKET_DATA_STOP_REASONS,
  QUOTE_SKIP_REASONS,
  REASON_CODES,
  REFUSAL_REASONS,
  STOP_REASONS,
  type ControlRefusal,
  type GlobalBreachReason,
  type QuoteSkipReason,
  type ReasonCode,
  type RefusalReason,
  type StopReason,
} from "./reasons";
export { CONTROL_COMMANDS, INSTANCE_COMMANDS, ControlBody, ControlReply, type ControlCommand, type ControlResult } from "./control";
export { StatusReply, type OpenOrderView, type SymbolStatus } from "./status";
export { AUDIT_EVENT_TYPES, AuditEventSchemas, type AuditEvent, type AuditEventBody, type CheckpointEvent, type StateEvent } from "./events";
export { CONFIG_DEFAULTS, MmpConfig, SymbolConfig, type ServiceConfig, type ServiceConfigInput, type SymbolConfigInput } from "./config";
export { parseServiceConfig, symbolWithDefaults, validateServiceConfig } from "./config-loader";
export { compileUnionValidator, compileValidator, decodeAndValidate, decodeJson, formatIssues, type Validated, type ValidationIssue, type Validator } from "./validation";
export { loadValidatorsNow, validators } from "./validators";
export { ALL_SYMBOLS, INSTANCE_TARGET, OWNERS_BUCKET, STREAMS, subjects } from "./subjects";
