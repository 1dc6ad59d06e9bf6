// The public surface of @mms/contracts: the runtime entry (what a worker runs, no schema) plus
// the schemas, which double as types, and what compiles or loads them (config, tools, tests).
export {
  ALL_SYMBOLS,
  AUDIT_EVENT_TYPES,
  CONFIG_DEFAULTS,
  CONTROL_COMMANDS,
  GLOBAL_BREACH_REASONS,
  INSTANCE_COMMANDS,
  INSTANCE_TARGET,
  LIMITS,
  MARKET_DATA_STOP_REASONS,
  OWNERS_BUCKET,
  QUOTE_SKIP_REASONS,
  REASON_CODES,
  REFUSAL_REASONS,
  STOP_REASONS,
  STREAMS,
  decodeAndValidate,
  decodeJson,
  formatIssues,
  loadValidatorsNow,
  subjects,
  validators,
  type AcceptedReport,
  type AuditEvent,
  type AuditEventBody,
  type BookLevel,
  type CheckpointEvent,
  type ControlCommand,
  type ControlRefusal,
  type ControlResult,
  type ExecutionReport,
  type FillReport,
  type GlobalBreachReason,
  type MarketStatusValue,
  type OpenOrderView,
  type OrderIntent,
  type QuoteSkipReason,
  type ReasonCode,
  type RefusalReason,
  type ServiceConfig,
  type ServiceConfigInput,
  type StateEvent,
  type StopReason,
  type SymbolConfigInput,
  type SymbolStatus,
  type Validated,
  type ValidationIssue,
  type Validator,
} from "./runtime";
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
