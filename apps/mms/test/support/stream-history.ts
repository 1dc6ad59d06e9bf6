import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { readStream } from "@mms/nats-adapter";

const decoder = new TextDecoder();

export interface StoredMessage<T> {
  readonly value: T;
  readonly subject: string;
  readonly streamSeq: number;
  /** When the stream stored it (server clock, ms). */
  readonly storedAt: number;
}

/**
 * Everything a stream holds on `subject` right now, decoded from JSON. Read after the fact, it
 * sees what was stored whatever happened to the reader's own connection meanwhile (a live core
 * subscription loses what arrives while it reconnects).
 */
export async function readStoredMessages<T>(connection: NatsConnection, stream: string, subject: string): Promise<Array<StoredMessage<T>>> {
  const stored = await readStream(jetstream(connection), stream, subject, undefined);
  return stored.map((message) => ({ value: JSON.parse(decoder.decode(message.data)) as T, subject: message.subject, streamSeq: message.seq, storedAt: message.storedAt }));
}
