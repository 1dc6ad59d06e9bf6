import { ControlBody, ControlReply } from "./control";
import { AuditEventSchemas, CheckpointEvent } from "./events";
import { ExecutionReportSchemas } from "./execution-reports";
import { BookDelta, BookSnapshot, MarketStatus, PublicTrade } from "./market-data";
import { OrderIntentSchemas } from "./orders";
import { StatusReply } from "./status";
import { compileUnionValidator, compileValidator } from "./validation";

/**
 * Every message of the contract, each compiled once, on first use: a symbol worker
 * needs a handful of them, and compiling the rest would cost every worker thread
 * memory and start-up time for nothing.
 */
function lazily<T>(compile: () => T): () => T {
  let compiled: T | undefined;
  return () => (compiled ??= compile());
}

const compiled = {
  bookSnapshot: lazily(() => compileValidator(BookSnapshot)),
  bookDelta: lazily(() => compileValidator(BookDelta)),
  publicTrade: lazily(() => compileValidator(PublicTrade)),
  marketStatus: lazily(() => compileValidator(MarketStatus)),
  orderIntent: lazily(() => compileUnionValidator("kind", OrderIntentSchemas)),
  executionReport: lazily(() => compileUnionValidator("kind", ExecutionReportSchemas)),
  controlBody: lazily(() => compileValidator(ControlBody)),
  controlReply: lazily(() => compileValidator(ControlReply)),
  statusReply: lazily(() => compileValidator(StatusReply)),
  auditEvent: lazily(() => compileUnionValidator("type", AuditEventSchemas)),
  checkpointEvent: lazily(() => compileValidator(CheckpointEvent)),
};

type Compiled = typeof compiled;

export const validators: { readonly [K in keyof Compiled]: ReturnType<Compiled[K]> } = {
  bookSnapshot: (input) => compiled.bookSnapshot()(input),
  bookDelta: (input) => compiled.bookDelta()(input),
  publicTrade: (input) => compiled.publicTrade()(input),
  marketStatus: (input) => compiled.marketStatus()(input),
  orderIntent: (input) => compiled.orderIntent()(input),
  executionReport: (input) => compiled.executionReport()(input),
  controlBody: (input) => compiled.controlBody()(input),
  controlReply: (input) => compiled.controlReply()(input),
  statusReply: (input) => compiled.statusReply()(input),
  auditEvent: (input) => compiled.auditEvent()(input),
  checkpointEvent: (input) => compiled.checkpointEvent()(input),
};

/**
 * Compiles these validators now rather than on first use: a symbol worker warms what its
 * hot path needs while it starts (one worker per core at a time), so the first resume of
 * many symbols at once is not also the moment each of them compiles schemas.
 */
export function compileValidatorsNow(names: readonly (keyof Compiled)[]): void {
  for (const name of names) compiled[name]();
}
