import type { StatusReply, SymbolStatus } from "@mms/contracts/runtime";
import type { RequestTracker } from "./request-tracker";
import { isServed, type SymbolSlots } from "./symbol-slots";

export const STATUS_REPLY_TIMEOUT_MS = 1000;

export interface Readiness {
  readonly ready: boolean;
  readonly reasons: string[];
}

export interface ReadinessInputs {
  readonly natsConnected: boolean;
  readonly stopping: boolean;
}

/** `mms.status` and /v1/status: every actor asked; one that cannot answer is shown as last heard. */
export async function collectStatus(instance: string, slots: SymbolSlots, requests: RequestTracker<SymbolStatus>): Promise<StatusReply> {
  const live = slots.all().filter(isServed);
  const { requestId, outcomes } = requests.open(
    live.map((slot) => slot.symbol),
    STATUS_REPLY_TIMEOUT_MS,
  );
  for (const slot of live) slots.post(slot, { kind: "STATUS_QUERY", symbol: slot.symbol, requestId });
  const answers = new Map<string, SymbolStatus>();
  for (const outcome of await outcomes) if (outcome.answered) answers.set(outcome.party, outcome.answer);
  return { instance, symbols: slots.all().map((slot) => answers.get(slot.symbol) ?? slot.lastStatus) };
}

/** /readyz: connected, every live symbol recovered from EXEC, not shutting down. */
export function readinessOf(slots: SymbolSlots, inputs: ReadinessInputs): Readiness {
  const reasons: string[] = [];
  if (!inputs.natsConnected) reasons.push("NATS_DISCONNECTED");
  const recovering = slots
    .all()
    .filter((slot) => !slot.recovered && !slot.failed)
    .map((slot) => slot.symbol);
  if (recovering.length > 0) reasons.push(`RECOVERING ${recovering.join(",")}`);
  if (inputs.stopping) reasons.push("SHUTTING_DOWN");
  return { ready: reasons.length === 0, reasons };
}
