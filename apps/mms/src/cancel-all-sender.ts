import type { CancelAllIntent } from "@mms/contracts";
import { publishIntentUntilAcked, type PublishIntentOptions, type PublishIntentResult, type StreamPublisher } from "@mms/nats-adapter";
import type { Logger } from "@mms/logging";

export interface CancelAllSending {
  /** Nothing can be sent any more (the connection is closed): resending ends. */
  readonly stopped: () => boolean;
  /** One more attempt is due for lack of an ack (a metric counts these). */
  readonly resent: () => void;
  /** The whole sending, resends included (a shutdown waits for it within its budget). */
  readonly track?: (sending: Promise<unknown>) => void;
  readonly logger: Logger;
}

/**
 * Sends a CANCEL_ALL until the ORDERS stream acknowledges it, and answers with the first
 * attempt's result, so the caller reacts to a missing ack as to any other (the actor counts
 * it toward the reject storm) while the resends go on: a stop is never lost to one lost ack.
 */
export function sendCancelAll(publisher: StreamPublisher, intent: CancelAllIntent, options: PublishIntentOptions, sending: CancelAllSending): Promise<PublishIntentResult> {
  const { logger } = sending;
  const context = { symbol: intent.symbol, intentId: intent.intentId };
  return new Promise<PublishIntentResult>((firstAnswered) => {
    const whole = publishIntentUntilAcked(publisher, intent, {
      ...options,
      stopped: sending.stopped,
      onFailedAttempt: (failure, attempt, resending) => {
        if (attempt === 1) firstAnswered(failure);
        if (resending) sending.resent();
        logger.warn(resending ? "cancel-all not acknowledged: sending it again" : "cancel-all not acknowledged: not sent again", { ...context, attempt, reason: failure.reason, message: failure.message });
      },
    }).then((result) => {
      if (result.kind === "ACKED") firstAnswered(result);
      return result;
    });
    sending.track?.(whole);
  });
}
