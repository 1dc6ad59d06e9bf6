import { ControlBody, ControlReply } from "./control";
import { AuditEventSchemas } from "./events";
import { ExecutionReportSchemas } from "./execution-reports";
import { BookDelta, BookSnapshot, MarketStatus, PublicTrade } from "./market-data";
import { OrderIntentSchemas } from "./orders";
import { StatusReply } from "./status";
import { compileUnionValidator, compileValidator } from "./validation";

/** Every message of the contract, compiled once. */
export const validators = {
  bookSnapshot: compileValidator(BookSnapshot),
  bookDelta: compileValidator(BookDelta),
  publicTrade: compileValidator(PublicTrade),
  marketStatus: compileValidator(MarketStatus),
  orderIntent: compileUnionValidator("kind", OrderIntentSchemas),
  executionReport: compileUnionValidator("kind", ExecutionReportSchemas),
  controlBody: compileValidator(ControlBody),
  controlReply: compileValidator(ControlReply),
  statusReply: compileValidator(StatusReply),
  auditEvent: compileUnionValidator("type", AuditEventSchemas),
} as const;
