import type { OrderIntent } from "@mms/contracts";
import { isRefusedByContract, publishIntent, type PublishIntentOptions, type PublishIntentResult } from "./intent-publisher";
import type { StreamPublisher } from "./stream-publisher";

export interface ResendOptions extends PublishIntentOptions {
  /** Pause before the first resend; doubled after each failed attempt up to `maxBackoffMs`. Default 100 ms. */
  readonly initialBackoffMs?: number;
  /** Default 2000 ms. */
  readonly maxBackoffMs?: number;
  /** True once nothing can be sent any more (the connection is closed, the process stops): the last failure is returned. */
  readonly stopped: () => boolean;
  /** After each attempt without an ack; `attempt` counts from 1; `resending` unless stopped or refused by the contract. */
  readonly onFailedAttempt?: (failure: Extract<PublishIntentResult, { kind: "FAILED" }>, attempt: number, resending: boolean) => void;
}

const DEFAULT_INITIAL_BACKOFF_MS = 100;
const DEFAULT_MAX_BACKOFF_MS = 2000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Publishes an intent again and again, with backoff, until the stream acknowledges it or
 * `stopped()`. Meant for a CANCEL_ALL: a stop must never be lost to a missing ack. Every
 * attempt carries the same `Nats-Msg-Id` (the intentId), so an attempt whose ack only was
 * lost is stored once (the stream reports the next one a duplicate), and the exchange's
 * CANCEL_ALL is idempotent besides. An intent the contract refuses is not sent again.
 */
export async function publishIntentUntilAcked(publisher: StreamPublisher, intent: OrderIntent, options: ResendOptions): Promise<PublishIntentResult> {
  let backoffMs = options.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
  const maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  for (let attempt = 1; ; attempt += 1) {
    const result = await publishIntent(publisher, intent, options);
    if (result.kind === "ACKED") return result;
    const giveUp = isRefusedByContract(result) || options.stopped();
    options.onFailedAttempt?.(result, attempt, !giveUp);
    if (giveUp) return result;
    await sleep(backoffMs);
    if (options.stopped()) return result;
    backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
  }
}
