import { CONFIG_DEFAULTS } from "@mms/contracts/runtime";
import type { RestoredCheckpoint } from "../symbol-protocol";
import { stop } from "./lifecycle";
import { emit, log, type StepContext } from "./step-context";
import type { SymbolActorState } from "./state";

/**
 * Checkpoints: the ledger at an EXEC stream sequence, so a restart replays only what came
 * after. None is written while the inventory is unverified (EXEC had lost the history it
 * needed): the next start would otherwise take the guess for the truth.
 */
export function onCheckpointRestored(ctx: StepContext, checkpoint: RestoredCheckpoint): void {
  const actor = ctx.actor;
  actor.ledger.restore(checkpoint);
  actor.execSeqHighWater = checkpoint.execSeq;
  actor.checkpoints.restoredExecSeq = checkpoint.execSeq;
  log(ctx, "info", "checkpoint restored", { ...checkpoint });
}

/** The first EXEC sequence the replay needs: after the checkpoint, or 1 without one. */
export function firstSequenceNeeded(actor: SymbolActorState): number {
  return (actor.checkpoints.restoredExecSeq ?? 0) + 1;
}

/**
 * At catch-up: a stream whose first sequence is beyond the first one needed has lost
 * history the position depends on (a stream that never held a message has first sequence 0).
 */
export function historyTruncated(firstNeeded: number, streamFirstSequence: number | undefined): boolean {
  return streamFirstSequence !== undefined && streamFirstSequence > firstNeeded;
}

/** After the replay: halt if history is missing, else write a checkpoint so the next start is fast. */
export function onReplayCaughtUp(ctx: StepContext, streamFirstSequence: number | undefined): void {
  const actor = ctx.actor;
  const needed = firstSequenceNeeded(actor);
  if (historyTruncated(needed, streamFirstSequence)) {
    actor.checkpoints.inventoryUnverified = true;
    stop(ctx, "HALTED", "INVENTORY_UNVERIFIED", `EXEC starts at sequence ${streamFirstSequence}, the position needs it from ${needed}; rebuilt position ${actor.ledger.position.toFixed()}`);
    return;
  }
  writeCheckpoint(ctx);
}

/** Counts an applied report; every `checkpointEvery` of them (after the replay) a checkpoint goes out. */
export function noteReportApplied(ctx: StepContext): void {
  const actor = ctx.actor;
  actor.checkpoints.appliedSinceLast += 1;
  const every = actor.settings.config.checkpointEvery ?? CONFIG_DEFAULTS.checkpointEvery;
  // During the replay truncation is not known yet: the catch-up writes the first one.
  if (actor.recovery !== "REPLAYING" && actor.checkpoints.appliedSinceLast >= every) writeCheckpoint(ctx);
}

/** At SIGTERM, and when a reset confirmed an unverified position. */
export function writeCheckpoint(ctx: StepContext): void {
  const actor = ctx.actor;
  if (actor.recovery === "REPLAYING" || actor.checkpoints.inventoryUnverified) return;
  actor.checkpoints.appliedSinceLast = 0;
  emit(ctx, { type: "checkpoint", account: actor.settings.account, ...actor.ledger.figures(), execSeq: actor.execSeqHighWater });
}

/** The operator confirmed the position against the exchange's ledger: it is verified from now on. */
export function confirmInventory(ctx: StepContext): void {
  if (!ctx.actor.checkpoints.inventoryUnverified) return;
  ctx.actor.checkpoints.inventoryUnverified = false;
  writeCheckpoint(ctx);
}
