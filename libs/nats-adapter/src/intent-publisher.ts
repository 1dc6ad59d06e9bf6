import { formatIssues, subjects, validators } from "@mms/contracts";
import type { OrderIntent } from "@mms/contracts";
import type { StreamPublisher, StreamPublishResult } from "./stream-publisher";

export type { PublishFailureReason } from "./stream-publisher";

export interface PublishIntentOptions {
  /** How long to wait for the stream's ack; no ack in time is a failed submission. */
  readonly timeoutMs: number;
  /** Extra headers, e.g. a W3C `traceparent`. `Nats-Msg-Id` is always the intentId. */
  readonly headers?: Readonly<Record<string, string>>;
}

export type PublishIntentResult = StreamPublishResult;

const INVALID_INTENT = "invalid intent: ";

/** The intent broke the contract and never reached the bus: sending it again cannot help. */
export function isRefusedByContract(result: PublishIntentResult): boolean {
  return result.kind === "FAILED" && result.message.startsWith(INVALID_INTENT);
}

const encoder = new TextEncoder();

/**
 * JetStream-publishes one intent to `orders.<SYMBOL>` with `Nats-Msg-Id: <intentId>` and
 * waits for the ack. Never rejects: every failure is a result, so a caller cannot forget
 * that an unacknowledged order may still be live.
 */
export function publishIntent(publisher: StreamPublisher, intent: OrderIntent, options: PublishIntentOptions): Promise<PublishIntentResult> {
  const checked = validators.orderIntent(intent);
  if (!checked.ok) return Promise.resolve({ kind: "FAILED", reason: "ERROR", message: `${INVALID_INTENT}${formatIssues(checked.issues)}` });
  // One attempt only: the caller owns retries and counts failures toward the reject storm.
  return publisher.publish(subjects.orders(intent.symbol), encoder.encode(JSON.stringify(intent)), { messageId: intent.intentId, timeoutMs: options.timeoutMs, ...(options.headers ? { headers: options.headers } : {}) });
}
