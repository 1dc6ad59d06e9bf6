import { jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy } from "@nats-io/jetstream";
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
