import { DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { JetStreamManager, StreamConfig, StreamInfo } from "@nats-io/jetstream";
import { nanos } from "@nats-io/nats-core";
import { STREAMS } from "@mms/contracts/runtime";

/** Server code for "stream not found". */
const STREAM_NOT_FOUND = 10059;

export interface StreamDefinition {
  readonly name: string;
  readonly subjects: readonly string[];
  /** Messages older than this are dropped; 0 or absent keeps them forever. */
  readonly maxAgeMs?: number;
  readonly maxBytes?: number;
  readonly storage?: "file" | "memory";
  readonly replicas?: number;
  /** Window of the `Nats-Msg-Id` duplicate check. Server default (2 min) when absent. */
  readonly duplicateWindowMs?: number;
  readonly description?: string;
}

export interface EnsuredStream {
  /** False when the stream was already there: its config was left as it was. */
  readonly created: boolean;
  readonly info: StreamInfo;
}

export function isStreamNotFound(error: unknown): boolean {
  return (error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND) || (error instanceof Error && error.message === "stream not found");
}

function toStreamConfig(definition: StreamDefinition): Partial<StreamConfig> & { name: string } {
  return {
    name: definition.name,
    subjects: [...definition.subjects],
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    storage: definition.storage === "memory" ? StorageType.Memory : StorageType.File,
    num_replicas: definition.replicas ?? 1,
    max_age: nanos(definition.maxAgeMs ?? 0),
    ...(definition.maxBytes !== undefined ? { max_bytes: definition.maxBytes } : {}),
    ...(definition.duplicateWindowMs !== undefined ? { duplicate_window: nanos(definition.duplicateWindowMs) } : {}),
    ...(definition.description !== undefined ? { description: definition.description } : {}),
  };
}

/**
 * Creates the stream when it is missing and leaves an existing one alone (another
 * instance or an operator may have tuned it). Safe to race: a lost race re-reads.
 */
export async function ensureStream(streamManager: JetStreamManager, definition: StreamDefinition): Promise<EnsuredStream> {
  try {
    return { created: false, info: await streamManager.streams.info(definition.name) };
  } catch (error) {
    if (!isStreamNotFound(error)) throw error;
  }
  try {
    return { created: true, info: await streamManager.streams.add(toStreamConfig(definition)) };
  } catch (error) {
    // Another instance may have created it between our two calls.
    try {
      return { created: false, info: await streamManager.streams.info(definition.name) };
    } catch {
      throw error;
    }
  }
}

/** Audit events are kept 30 days unless told otherwise. */
export const DEFAULT_EVENTS_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/** The MMS's own audit stream `MMS_EVENTS` on `mms.events.>`. */
export function ensureEventsStream(streamManager: JetStreamManager, overrides: Partial<Omit<StreamDefinition, "name" | "subjects">> = {}): Promise<EnsuredStream> {
  return ensureStream(streamManager, {
    name: STREAMS.events.name,
    subjects: STREAMS.events.subjects,
    maxAgeMs: DEFAULT_EVENTS_MAX_AGE_MS,
    description: "Market Maker Service audit events",
    ...overrides,
  });
}
