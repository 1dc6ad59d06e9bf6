import type { JetStreamManager } from "@nats-io/jetstream";
import { decodeAndValidate, STREAMS, subjects, validators } from "@mms/contracts/runtime";
import type { CheckpointEvent, ValidationIssue } from "@mms/contracts/runtime";
import { isStreamNotFound } from "./streams";

export type LatestCheckpoint =
  | { readonly kind: "FOUND"; readonly checkpoint: CheckpointEvent; readonly streamSequence: number }
  | { readonly kind: "NONE" }
  /** The newest checkpoint of the symbol belongs to another account (another deployment shares the stream): replay from the start. */
  | { readonly kind: "OTHER_ACCOUNT"; readonly account: string; readonly streamSequence: number }
  /** A stored checkpoint that fails its schema is never restored: the caller replays from the start. */
  | { readonly kind: "INVALID"; readonly streamSequence: number; readonly issues: readonly ValidationIssue[] };

/**
 * The newest `mms.events.<SYMBOL>.checkpoint` in MMS_EVENTS, whichever instance wrote it:
 * the inventory belongs to the account, not to a run of the process (so one of another
 * account is never restored).
 */
export async function readLatestCheckpoint(streamManager: JetStreamManager, symbol: string, account: string, stream: string = STREAMS.events.name): Promise<LatestCheckpoint> {
  let stored;
  try {
    stored = await streamManager.streams.getMessage(stream, { last_by_subj: subjects.event(symbol, "checkpoint") });
  } catch (error) {
    if (isStreamNotFound(error)) return { kind: "NONE" };
    throw error;
  }
  if (!stored) return { kind: "NONE" };
  const decoded = decodeAndValidate(stored.data, validators.checkpointEvent);
  if (!decoded.ok) return { kind: "INVALID", streamSequence: stored.seq, issues: decoded.issues };
  if (decoded.value.symbol !== symbol) return { kind: "INVALID", streamSequence: stored.seq, issues: [{ path: "/symbol", message: `names ${decoded.value.symbol}, not ${symbol}` }] };
  if (decoded.value.account !== account) return { kind: "OTHER_ACCOUNT", account: decoded.value.account, streamSequence: stored.seq };
  return { kind: "FOUND", checkpoint: decoded.value, streamSequence: stored.seq };
}
