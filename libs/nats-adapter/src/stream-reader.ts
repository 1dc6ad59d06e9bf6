import { DeliverPolicy, type JetStreamClient } from "@nats-io/jetstream";

export interface StoredMessage {
  readonly stream: string;
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  /** When the stream stored it (server clock, ms since the epoch). */
  readonly storedAt: number;
}

/**
 * Every message of a stream on one subject (wildcards allowed), from `startTime` on (the
 * whole stream without one), read once through an ordered consumer: nothing is left on the
 * server. One subject, not several: nats-server 2.9 knows no `filter_subjects`.
 */
export async function readStream(jetStream: JetStreamClient, stream: string, filterSubject: string, startTime: Date | undefined): Promise<StoredMessage[]> {
  const consumer = await jetStream.consumers.get(stream, {
    filter_subjects: filterSubject,
    ...(startTime ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: startTime.toISOString() } : { deliver_policy: DeliverPolicy.All }),
  });
  const messages: StoredMessage[] = [];
  let remaining = (await consumer.info(true)).num_pending;
  while (remaining > 0) {
    const batch = await consumer.fetch({ max_messages: Math.min(remaining, 1000), expires: 2000 });
    let received = 0;
    for await (const message of batch) {
      received += 1;
      messages.push({ stream, seq: message.seq, subject: message.subject, data: message.data, storedAt: message.time.getTime() });
    }
    if (received === 0) break;
    remaining -= received;
  }
  return messages;
}
