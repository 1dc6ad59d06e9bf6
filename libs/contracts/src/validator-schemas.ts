import type { TSchema } from "@sinclair/typebox";
import { ControlBody, ControlReply } from "./control";
import { AuditEventSchemas, CheckpointEvent } from "./events";
import { ExecutionReportSchemas } from "./execution-reports";
import { BookDelta, BookSnapshot, MarketStatus, PublicTrade } from "./market-data";
import { OrderIntentSchemas } from "./orders";
import { StatusReply } from "./status";

/** A union discriminated by one field: one schema per value of the field. */
export interface UnionSchemas<K extends string = string, M extends Record<string, TSchema> = Record<string, TSchema>> {
  readonly discriminant: K;
  readonly schemas: M;
}

const union = <K extends string, M extends Record<string, TSchema>>(discriminant: K, schemas: M): UnionSchemas<K, M> => ({ discriminant, schemas });

/**
 * The schema behind each of `validators`: scripts/validators/generate.ts compiles every one
 * into src/generated/ at build time (ajv standalone), and a unit test fails when the
 * generated code is not what these schemas give now.
 */
export const VALIDATOR_SCHEMAS = {
  bookSnapshot: BookSnapshot,
  bookDelta: BookDelta,
  publicTrade: PublicTrade,
  marketStatus: MarketStatus,
  orderIntent: union("kind", OrderIntentSchemas),
  executionReport: union("kind", ExecutionReportSchemas),
  controlBody: ControlBody,
  controlReply: ControlReply,
  statusReply: StatusReply,
  auditEvent: union("type", AuditEventSchemas),
  checkpointEvent: CheckpointEvent,
} as const;

export type ValidatorName = keyof typeof VALIDATOR_SCHEMAS;

/** bookSnapshot -> book-snapshot: the generated module of one validator, under src/generated/. */
export function generatedModuleName(name: ValidatorName): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** The export of a generated module that checks a plain schema; a union's module exports one check per discriminant value. */
export const SINGLE_EXPORT = "validate";
