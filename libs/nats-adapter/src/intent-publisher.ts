import { headers as createHeaders, RequestError, TimeoutError } from "@nats-io/nats-core";
import type { JetStreamClient } from "@nats-io/jetstream";
import { formatIssues, subjects, validators } from "@mms/contracts";
import type { OrderIntent } from "@mms/contracts";

export interface PublishIntentOptions {
  /** How long to wait for the stream's ack; no ack in time is a failed submission. */
  readonly timeoutMs: number;
  /** Extra headers, e.g. a W3C `traceparent`. `Nats-Msg-Id` is always the intentId. */
  readonly headers?: Readonly<Record<string, string>>;
}

export type PublishFailureReason = "TIMEOUT" | "NO_STREAM" | "ERROR";

export type PublishIntentResult =
  | { readonly kind: "ACKED"; readonly stream: string; readonly seq: number; readonly duplicate: boolean }
  | { readonly kind: "FAILED"; readonly reason: PublishFailureReason; readonly message: string };

const MESSAGE_ID_HEADER = "Nats-Msg-Id";
const INVALID_INTENT = "invalid intent: ";

/** The intent broke the contract and never reached the bus: sending it again cannot help. */
export function isRefusedByContract(result: PublishIntentResult): boolean {
  return result.kind === "FAILED" && result.message.startsWith(INVALID_INTENT);
}

const encoder = new TextEncoder();

function isNoResponders(error: unknown): boolean {
  if (error instanceof RequestError && error.isNoResponders()) return true;
  return error instanceof Error && error.cause !== undefined && error.cause !== error && isNoResponders(error.cause);
}

function isTimeout(error: unknown): boolean {
  return error instanceof TimeoutError || (error instanceof Error && error.name === "TimeoutError");
}

export function classifyPublishError(error: unknown): { reason: PublishFailureReason; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (isTimeout(error)) return { reason: "TIMEOUT", message };
  // No stream listens on the subject: the server answers "no responders" at once.
  if (isNoResponders(error)) return { reason: "NO_STREAM", message: `no stream captures the subject, or JetStream is off (${message})` };
  return { reason: "ERROR", message };
}

/**
 * JetStream-publishes one intent to `orders.<SYMBOL>` with `Nats-Msg-Id: <intentId>` and
 * waits for the ack. Never throws: every failure is a result, so a caller cannot forget
 * that an unacknowledged order may still be live.
 */
export async function publishIntent(jetStream: JetStreamClient, intent: OrderIntent, options: PublishIntentOptions): Promise<PublishIntentResult> {
  try {
    const checked = validators.orderIntent(intent);
    if (!checked.ok) return { kind: "FAILED", reason: "ERROR", message: `${INVALID_INTENT}${formatIssues(checked.issues)}` };
    const messageHeaders = createHeaders();
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (name.toLowerCase() !== MESSAGE_ID_HEADER.toLowerCase()) messageHeaders.set(name, value);
    }
    const ack = await jetStream.publish(subjects.orders(intent.symbol), encoder.encode(JSON.stringify(intent)), {
      msgID: intent.intentId,
      timeout: options.timeoutMs,
      headers: messageHeaders,
      // One attempt only: the caller owns retries and counts failures toward the reject storm.
      retries: 1,
    });
    return { kind: "ACKED", stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  } catch (error) {
    return { kind: "FAILED", ...classifyPublishError(error) };
  }
}
