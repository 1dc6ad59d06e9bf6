import { Type, type Static, type TSchema } from "@sinclair/typebox";
import {
  AccountName,
  BookDelta,
  BookSnapshot,
  CancelAllIntent,
  CancelOrderIntent,
  compileUnionValidator,
  ComputedDecimalString,
  CountdownIntent,
  ExecutionReportSchemas,
  Identifier,
  MarketStatus,
  NewOrderIntent,
  PositiveDecimalString,
  PublicTrade,
  QuotingMode,
  SignedDecimalString,
  SymbolConfig,
  Timestamp,
} from "@mms/contracts";
import type { SymbolActorSettings, SymbolEvent } from "@mms/trading-core";

/**
 * The recording file format (JSON lines) as JSON Schema. A recording is read back from
 * disk, so every line is validated before the actor sees it.
 */
const event = <K extends string, P extends Record<string, TSchema>>(kind: K, properties: P) => Type.Object({ kind: Type.Literal(kind), ...properties });
const Text = Type.String({ maxLength: 4096 });

export const SymbolEventSchemas = {
  BOOK_SNAPSHOT: event("BOOK_SNAPSHOT", { snapshot: BookSnapshot }),
  BOOK_DELTA: event("BOOK_DELTA", { delta: BookDelta, moreQueued: Type.Optional(Type.Literal(true)) }),
  PUBLIC_TRADE: event("PUBLIC_TRADE", { trade: PublicTrade }),
  MARKET_STATUS: event("MARKET_STATUS", { status: MarketStatus }),
  MARKET_DATA_INVALID: event("MARKET_DATA_INVALID", { subject: Text, issues: Text }),
  EXECUTION_REPORT: event("EXECUTION_REPORT", { report: Type.Union(Object.values(ExecutionReportSchemas)), replay: Type.Boolean(), streamSequence: Type.Optional(Type.Integer({ minimum: 1 })) }),
  EXECUTION_REPORT_INVALID: event("EXECUTION_REPORT_INVALID", { subject: Text, issues: Text }),
  RECOVERY_COMPLETE: event("RECOVERY_COMPLETE", { streamFirstSequence: Type.Optional(Type.Integer({ minimum: 0 })) }),
  CHECKPOINT_RESTORED: event("CHECKPOINT_RESTORED", {
    checkpoint: Type.Object({ position: SignedDecimalString, avgEntryPx: Type.Union([ComputedDecimalString, Type.Null()]), realizedPnl: ComputedDecimalString, fees: SignedDecimalString, execSeq: Type.Integer({ minimum: 0 }) }),
  }),
  SUBMISSION_FAILED: event("SUBMISSION_FAILED", { intent: Type.Union([NewOrderIntent, CancelOrderIntent, CancelAllIntent, CountdownIntent]), reason: Text }),
  CONTROL: event("CONTROL", { requestId: Identifier, command: Text, body: Type.Optional(Type.Unknown()) }),
  GLOBAL_RISK: event("GLOBAL_RISK", { breach: Type.Optional(Type.Object({ reason: Type.Union([Type.Literal("EXPOSURE_LIMIT"), Type.Literal("DRAWDOWN_LIMIT")]), detail: Text })) }),
  TIMER: event("TIMER", {}),
  SLOW_CONSUMER: event("SLOW_CONSUMER", {}),
  CONNECTION_LOST: event("CONNECTION_LOST", {}),
  CONNECTION_RESTORED: event("CONNECTION_RESTORED", {}),
  OWNERSHIP: event("OWNERSHIP", { status: Type.Union([Type.Literal("HELD"), Type.Literal("LOST"), Type.Literal("OWNED_ELSEWHERE")]), owner: Type.Optional(Text) }),
  SHUTDOWN: event("SHUTDOWN", {}),
} as const;

export const SymbolActorSettingsSchema = Type.Object({
  // The config as the file holds it: a recording made before a field existed leaves it out,
  // and the reader fills in that field's default (symbolWithDefaults), as the loader does.
  config: SymbolConfig,
  account: AccountName,
  maxLagMs: Type.Integer({ minimum: 1 }),
  rejectStorm: Type.Object({ count: Type.Integer({ minimum: 1 }), windowMs: Type.Integer({ minimum: 1 }) }),
  idPrefix: Identifier,
  leaseRequired: Type.Boolean(),
  initialMode: Type.Optional(QuotingMode),
  connectedAtStart: Type.Optional(Type.Boolean()),
  maxOrderNotional: Type.Optional(PositiveDecimalString),
});

export const RecordingLineSchemas = {
  HEADER: Type.Object({ kind: Type.Literal("HEADER"), version: Type.Literal(1), instance: Type.String({ minLength: 1 }), settings: SymbolActorSettingsSchema, startedAt: Timestamp }),
  INPUT: Type.Object({ kind: Type.Literal("INPUT"), now: Timestamp, event: Type.Union(Object.values(SymbolEventSchemas)) }),
} as const;

const validateLine = compileUnionValidator("kind", RecordingLineSchemas);
const validateEvent = compileUnionValidator("kind", SymbolEventSchemas);

/** The event is checked by its own kind first, so an error names the real field. */
export function validateRecordingLine(input: unknown): ReturnType<typeof validateLine> {
  if (typeof input === "object" && input !== null && (input as { kind?: unknown }).kind === "INPUT") {
    const event = validateEvent((input as { event?: unknown }).event);
    if (!event.ok) return { ok: false, issues: event.issues.map((issue) => ({ path: `/event${issue.path === "/" ? "" : issue.path}`, message: issue.message })) };
  }
  return validateLine(input);
}

// Types and schemas cannot drift: a validated line must be a valid actor input, and every
// kind of actor input must have a schema.
type SchemaEvent = Static<(typeof SymbolEventSchemas)[keyof typeof SymbolEventSchemas]>;
type Assignable<From, To> = [From] extends [To] ? true : false;
export const recordingSchemasAgreeWithTypes: [
  Assignable<SchemaEvent, SymbolEvent>,
  Assignable<SymbolEvent["kind"], keyof typeof SymbolEventSchemas>,
  Assignable<Omit<Static<typeof SymbolActorSettingsSchema>, "config">, Omit<SymbolActorSettings, "config">>,
] = [true, true, true];
