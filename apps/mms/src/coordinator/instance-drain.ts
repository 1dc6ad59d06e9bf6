import type { Msg } from "@nats-io/nats-core";
import { INSTANCE_COMMANDS, LIMITS, validators, type ControlReply } from "@mms/contracts/runtime";
import type { Logger } from "@mms/logging";
import { controlBodyOf } from "./control-body";
import type { ControlRouter } from "./control-router";
import type { LeaseWiring } from "./lease-wiring";
import type { SymbolSlots } from "./symbol-slots";

const encoder = new TextEncoder();

export interface InstanceControlSettings {
  /** The configured instance name (the lease owner) and the run-unique instance: either addresses it. */
  readonly instanceName: string;
  readonly instance: string;
  readonly slots: SymbolSlots;
  readonly control: ControlRouter;
  readonly leases: LeaseWiring | undefined;
  readonly logger: Logger;
}

/**
 * `mms.control.instance.<instanceName>.drain`: before a deploy, every symbol of this instance
 * is paused (cancel first, MANUAL_PAUSE, signed by the operator) and then its leases are
 * released and never taken again by this process, so a standby takes over. Another
 * instance's name: silence, as for a symbol this instance does not run.
 */
export async function onInstanceControl(message: Msg, name: string, command: string, settings: InstanceControlSettings): Promise<void> {
  if (name !== settings.instanceName && name !== settings.instance) return;
  const reply = (body: ControlReply) => message.reply && message.respond(encoder.encode(JSON.stringify(body)));
  if (!(INSTANCE_COMMANDS as readonly string[]).includes(command)) {
    reply({ ok: false, instance: settings.instance, results: [], error: `unknown instance command "${command.slice(0, 32)}"; known: ${INSTANCE_COMMANDS.join(", ")}` });
    return;
  }
  const body = drainPauseBody(controlBodyOf(message));
  settings.logger.warn("draining this instance: pausing every symbol, then releasing its leases", { operator: body.operator, reason: body.reason });
  // Paused first, with the lease still held: the cancels go out as this instance's.
  const results = await settings.control.dispatch(settings.slots.all(), "pause", body, { viaRisk: false });
  await settings.leases?.drain();
  reply({ ok: results.every((result) => result.accepted), instance: settings.instance, results });
}

/** The pause each symbol gets: the operator's name, and a reason that says it was a drain. */
function drainPauseBody(raw: unknown): { operator?: string; reason: string } {
  const parsed = validators.controlBody(raw);
  const given = parsed.ok ? parsed.value : undefined;
  const reason = given?.reason?.trim() ? `drain: ${given.reason}` : "drain";
  return { ...(given?.operator ? { operator: given.operator } : {}), reason: reason.slice(0, LIMITS.maxTextLength) };
}
