import type { Msg } from "@nats-io/nats-core";
import { ALL_SYMBOLS, CONTROL_COMMANDS, INSTANCE_TARGET, type ControlReply, type ControlResult } from "@mms/contracts/runtime";
import type { Logger } from "@mms/logging";
import { injectTraceContext, readTraceHeaders, SpanKind, withSpan } from "@mms/telemetry";
import { controlBodyOf } from "./control-body";
import { answerForDeadSymbol } from "./dead-symbol-control";
import type { RequestTracker } from "./request-tracker";
import type { RiskWorkerLink } from "./risk-link";
import { isServed, type SymbolSlot, type SymbolSlots } from "./symbol-slots";
import type { SymbolVoice } from "./symbol-voice";

const encoder = new TextEncoder();

export interface ControlRouterSettings {
  readonly slots: SymbolSlots;
  readonly requests: RequestTracker<ControlResult>;
  readonly risk: RiskWorkerLink;
  readonly voice: SymbolVoice;
  /** A kill is on its way to these symbols' actors: no NEW of theirs may go out from now on, and their CANCEL_ALLs go out at once. */
  readonly killing: (symbols: readonly string[]) => void;
  /** A fresh worker for a dead symbol, after an accepted reset. */
  readonly restart: (slot: SymbolSlot) => void;
  readonly replyTimeoutMs: number;
  /** Spans for control commands are made when tracing was started in this thread. */
  readonly tracing: boolean;
  readonly logger: Logger;
  /** As in mms.status: every reply names the instance that sent it. */
  readonly instance: string;
  /** `mms.control.instance.<instanceName>.<command>`: a command to a whole instance (drain). */
  readonly instanceCommand: (message: Msg, instanceName: string, command: string) => void;
}

/**
 * `mms.control.<target>.<command>`: to each target's actor (for `all`, through the risk
 * actor), answered for a dead symbol by the coordinator, one reply with every result.
 */
export class ControlRouter {
  constructor(private readonly settings: ControlRouterSettings) {}

  onControl(message: Msg): void {
    try {
      this.traceControl(message);
    } catch (error) {
      // Never let a control message break the subscription (a throw here closes the connection).
      this.settings.logger.warn("control message not handled", { subject: message.subject.slice(0, 200), error: String(error) });
      if (message.reply) message.respond(encoder.encode(JSON.stringify({ ok: false, instance: this.settings.instance, results: [], error: `not handled: ${String(error)}` } satisfies ControlReply)));
    }
  }

  private traceControl(message: Msg): void {
    const [, , target, command, ...rest] = message.subject.split(".");
    if (target === INSTANCE_TARGET && command !== undefined && rest.length === 1) return this.settings.instanceCommand(message, command, rest[0]!);
    if (target === undefined || command === undefined || rest.length > 0) return;
    if (!this.settings.tracing) return this.route(message, target, command, undefined);
    // A span per command; its context travels to the actors inside the message.
    const headers = message.headers;
    const parent = headers ? readTraceHeaders({ get: (key) => headers.get(key), set: () => undefined }) : undefined;
    withSpan(`mms.control.${command.slice(0, 32)}`, { "mms.control.target": target, "mms.control.command": command }, () => this.route(message, target, command, injectTraceContext()), {
      ...(parent ? { parent } : {}),
      kind: SpanKind.SERVER,
    });
  }

  private route(message: Msg, target: string, command: string, traceCarrier: Record<string, string> | undefined): void {
    const { slots } = this.settings;
    const only = slots.get(target);
    const targets = target === ALL_SYMBOLS ? slots.all() : only ? [only] : [];
    // A symbol this instance does not run: another instance may, so stay silent.
    if (targets.length === 0) return;
    void this.dispatch(targets, command, controlBodyOf(message), { viaRisk: target === ALL_SYMBOLS, traceCarrier }).then((results) => {
      if (message.reply) message.respond(encoder.encode(JSON.stringify(replyOf(this.settings.instance, command, results))));
    });
  }

  /** The command to each target's actor (or, for a dead one, answered here); every result, once all are in. */
  dispatch(targets: readonly SymbolSlot[], command: string, body: unknown, options: { readonly viaRisk: boolean; readonly traceCarrier?: Record<string, string> | undefined }): Promise<ControlResult[]> {
    const { slots, requests, risk } = this.settings;
    const { traceCarrier } = options;
    const live = targets.filter(isServed);
    if (command === "kill") this.settings.killing(live.map((slot) => slot.symbol));
    const dead = targets.filter((slot) => !live.includes(slot));

    const { requestId, outcomes } = requests.open(
      live.map((slot) => slot.symbol),
      this.settings.replyTimeoutMs,
    );
    const carrier = traceCarrier ? { traceCarrier } : {};
    // `all` goes through the risk actor; should it be gone, straight to every actor. A worker
    // not spawned yet (staggered start-up) is not connected to the risk actor: its slot holds
    // the command until it starts.
    const fannedOut = options.viaRisk && risk.controlAll({ kind: "CONTROL_ALL", requestId, command, body, ...carrier });
    const direct = fannedOut ? live.filter((slot) => !slot.worker && slot.waitingToStart) : live;
    for (const slot of direct) slots.post(slot, { kind: "ACTOR_EVENT", symbol: slot.symbol, event: { kind: "CONTROL", requestId, command, body }, ...carrier });

    const deadResults = Promise.all(dead.map((slot) => answerForDeadSymbol(slot, command, body, this.settings.voice, this.settings.restart)));
    return Promise.all([outcomes, deadResults]).then(([liveOutcomes, fromDead]) => {
      const answered = liveOutcomes.flatMap((outcome) => (outcome.answered ? [outcome.answer] : []));
      const unanswered = liveOutcomes.flatMap((outcome): ControlResult[] => {
        const slot = outcome.answered ? undefined : slots.get(outcome.party);
        if (outcome.answered || !slot) return [];
        return [{ symbol: slot.symbol, from: slot.lastStatus.state, to: slot.lastStatus.state, accepted: false, reason: outcome.reason }];
      });
      return [...answered, ...fromDead, ...unanswered];
    });
  }
}

function replyOf(instance: string, command: string, results: ControlResult[]): ControlReply {
  const known = (CONTROL_COMMANDS as readonly string[]).includes(command);
  if (known) return { ok: results.every((result) => result.accepted), instance, results };
  return { ok: false, instance, results, error: `unknown command "${command}"; known: ${CONTROL_COMMANDS.join(", ")}` };
}
