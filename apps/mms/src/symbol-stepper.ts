import type { AuditEvent, OrderIntent } from "@mms/contracts/runtime";
import { initialSymbolState, stepSymbol, type SymbolActorSettings, type SymbolActorState, type SymbolCommand, type SymbolEvent } from "@mms/trading-core";
import { EventStamper } from "./event-stamper";

const NO_EVENTS: readonly AuditEvent[] = Object.freeze([]);

export interface SteppedOutput {
  readonly commands: readonly SymbolCommand[];
  /** The EMIT_EVENT commands of this step, stamped in order. */
  readonly events: readonly AuditEvent[];
}

/**
 * One symbol actor plus the stamping of its audit events: the part of the worker that
 * replay runs too, so a live run and its replay number their events the same way.
 */
export class SymbolStepper {
  readonly actor: SymbolActorState;
  private readonly stamper: EventStamper;

  constructor(settings: SymbolActorSettings, instance: string, lastEventSeq = 0) {
    this.actor = initialSymbolState(settings);
    this.stamper = new EventStamper(settings.config.symbol, instance, lastEventSeq);
  }

  get lastEventSeq(): number {
    return this.stamper.lastSeq;
  }

  step(event: SymbolEvent, now: number): SteppedOutput {
    const { commands } = stepSymbol(this.actor, event, now);
    // Most steps emit nothing: they share one empty list instead of allocating their own.
    let events: AuditEvent[] | undefined;
    for (const command of commands) if (command.kind === "EMIT_EVENT") (events ??= []).push(this.stamper.stamp(command.event, now, this.actor.mode));
    return { commands, events: events ?? NO_EVENTS };
  }
}

export function sentIntents(commands: readonly SymbolCommand[]): OrderIntent[] {
  return commands.flatMap((command) => (command.kind === "SEND_INTENT" ? [command.intent] : []));
}
