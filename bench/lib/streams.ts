import { jetstream, jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";

/**
 * The exchange-owned streams ORDERS (`orders.>`) and EXEC (`exec.>`), file storage like
 * production. The duplicate window is 30 s (the server keeps every Nats-Msg-Id of the
 * window in memory; at bench rates the 2-minute default only costs the server memory).
 * MMS_EVENTS is left to the MMS, which creates it as it does in production.
 */
export async function createExchangeStreams(connection: NatsConnection, options: { maxMessages?: number } = {}): Promise<void> {
  const manager = await jetstreamManager(connection);
  for (const [name, subject] of [
    ["ORDERS", "orders.>"],
    ["EXEC", "exec.>"],
  ] as const) {
    await manager.streams.add({
      name,
      subjects: [subject],
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      storage: StorageType.File,
      num_replicas: 1,
      duplicate_window: 30_000_000_000,
      max_msgs: options.maxMessages ?? -1,
    });
  }
}

/**
 * Reads every message of a stream (ordered consumer, deliver-all) and hands each body to
 * `onMessage`; resolves with the count and the seconds it took. A floor for recovery (a
 * consumer that reads and parses) and the bench's check of what a stream holds. Messages
 * come by callback in pulls of 2,048: of the settings tried (bench/recovery-floor.ts) the
 * least CPU a report; the async iterator costs about 1 us a message more (a promise each).
 */
export async function readWholeStream(connection: NatsConnection, stream: string, onMessage: (data: Uint8Array) => void): Promise<{ messages: number; seconds: number }> {
  const manager = await jetstreamManager(connection);
  const total = (await manager.streams.info(stream)).state.messages;
  const started = performance.now();
  if (total === 0) return { messages: 0, seconds: 0 };
  const consumer = await jetstream(connection).consumers.get(stream);
  let count = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const messages = await consumer.consume({
    max_messages: 2048,
    callback: (message) => {
      onMessage(message.data);
      count += 1;
      if (message.info.pending === 0) finish();
    },
  });
  await finished;
  messages.stop();
  return { messages: count, seconds: (performance.now() - started) / 1000 };
}
