import type { AuditEventBody } from "@mms/contracts/runtime";
import type { LogLevel, SymbolCommand } from "../symbol-protocol";
import type { SymbolActorState } from "./state";

/** One step in progress: the actor it changes, the step's time, and the commands so far. */
export interface StepContext {
  readonly actor: SymbolActorState;
  readonly now: number;
  readonly commands: SymbolCommand[];
}

export function symbolOf(ctx: StepContext): string {
  return ctx.actor.settings.config.symbol;
}

export function emit(ctx: StepContext, event: AuditEventBody): void {
  ctx.commands.push({ kind: "EMIT_EVENT", event });
}

export function log(ctx: StepContext, level: LogLevel, message: string, fields: Record<string, unknown>): void {
  ctx.commands.push({ kind: "LOG", level, message, fields: { symbol: symbolOf(ctx), ...fields } });
}
