// The surface of @mms/contracts/runtime: what a symbol worker runs, without one schema. It
// never loads TypeBox nor ajv's compiler (a test checks the module graph): the validators
// were generated at build time, and every type here is erased. The full entry re-exports it.
export { LIMITS } from "./limits";
export type { Side } from "./primitives";
export type { BookDelta, BookLevel, BookSnapshot, MarketStatus, MarketStatusValue, PublicTrade } from "./market-data";
export type { CancelAllIntent, CancelOrderIntent, CountdownIntent, NewOrderIntent, OrderIntent } from "./orders";
export type { AcceptedReport, ExecutionReport, FillReport } from "./execution-reports";
export type { QuotingMode, SymbolStateName } from "./states";
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
export { CONTROL_COMMANDS, INSTANCE_COMMANDS, type ControlCommand } from "./control-commands";
export type { ControlBody, ControlReply, ControlResult } from "./control";
export type { OpenOrderView, StatusReply, SymbolStatus } from "./status";
export { AUDIT_EVENT_TYPES } from "./event-types";
export type { AuditEvent, AuditEventBody, CheckpointEvent, StateEvent } from "./events";
export { CONFIG_DEFAULTS } from "./config-defaults";
export type { MmpConfig, ServiceConfig, ServiceConfigInput, SymbolConfig, SymbolConfigInput } from "./config";
export { decodeAndValidate, decodeJson, formatIssues, type Validated, type ValidationIssue, type Validator } from "./validation";
export { loadValidatorsNow, validators } from "./validators";
export { ALL_SYMBOLS, INSTANCE_TARGET, OWNERS_BUCKET, STREAMS, subjects } from "./subjects";
