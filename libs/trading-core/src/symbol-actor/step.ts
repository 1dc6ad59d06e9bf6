import type { SymbolCommand, SymbolEvent } from "../symbol-protocol";
import { onCheckpointRestored, onReplayCaughtUp, writeCheckpoint } from "./checkpoints";
import { onControl } from "./control";
import { onInvalidReport, onReport, onSubmissionFailed } from "./execution-reports";
import { intendedStop, stop } from "./lifecycle";
import { lookAtDeferredBookChange, onDelta, onInvalidMarketData, onMarketMessage, onMarketStatus, onSnapshot } from "./market-data";
import { onConnectionLost, onConnectionRestored, onGlobalRisk, onOwnership, onRecoveryComplete } from "./ownership";
import type { SymbolActorState } from "./state";
import type { StepContext } from "./step-context";
import { onTimer } from "./timer";

export interface StepResult {
  readonly state: SymbolActorState;
  readonly commands: readonly SymbolCommand[];
}

/**
 * The symbol actor as a reducer: the same events at the same times give the same
 * commands, so a recorded run replays to the same decisions. State is updated in place
 * (the book would be too costly to copy per delta) and returned.
 */
export function stepSymbol(state: SymbolActorState, event: SymbolEvent, now: number): StepResult {
  const ctx: StepContext = { actor: state, now, commands: [] };
  // The start-up stop is dated by the actor's first event: the actor itself has no clock.
  if (state.stop?.at === undefined && state.stop) state.stop = { ...state.stop, at: now };
  // Conflated deltas wait for the look at the market; anything else that may read it comes after that look.
  if (state.bookChangedSinceLook && event.kind !== "BOOK_DELTA" && event.kind !== "BOOK_SNAPSHOT") lookAtDeferredBookChange(ctx);
  // Only the market and the ledger move the risk figures; a heartbeat or a TIMER does not.
  if (event.kind !== "TIMER" && event.kind !== "MARKET_STATUS") state.riskFiguresMayHaveMoved = true;
  dispatch(ctx, event);
  return { state, commands: ctx.commands };
}

function dispatch(ctx: StepContext, event: SymbolEvent): void {
  switch (event.kind) {
    case "BOOK_SNAPSHOT":
      return onSnapshot(ctx, event.snapshot);
    case "BOOK_DELTA":
      return onDelta(ctx, event.delta, event.moreQueued === true);
    case "PUBLIC_TRADE":
      onMarketMessage(ctx, event.trade.ts);
      return;
    case "MARKET_STATUS":
      return onMarketStatus(ctx, event.status);
    case "MARKET_DATA_INVALID":
      return onInvalidMarketData(ctx, event.subject, event.issues);
    case "EXECUTION_REPORT":
      return onReport(ctx, event.report, event.replay, event.streamSequence);
    case "EXECUTION_REPORT_INVALID":
      return onInvalidReport(ctx, event.subject, event.issues);
    case "RECOVERY_COMPLETE":
      onRecoveryComplete(ctx);
      return onReplayCaughtUp(ctx, event.streamFirstSequence);
    case "CHECKPOINT_RESTORED":
      return onCheckpointRestored(ctx, event.checkpoint);
    case "SUBMISSION_FAILED":
      return onSubmissionFailed(ctx, event.intent, event.reason);
    case "CONTROL":
      return onControl(ctx, event.requestId, event.command, event.body);
    case "GLOBAL_RISK":
      return onGlobalRisk(ctx, event.breach);
    case "TIMER":
      return onTimer(ctx);
    case "SLOW_CONSUMER":
      return stop(ctx, "PAUSED", "BUS_LAG", "the NATS client reported a slow consumer");
    case "CONNECTION_LOST":
      return onConnectionLost(ctx);
    case "CONNECTION_RESTORED":
      return onConnectionRestored(ctx);
    case "OWNERSHIP":
      return onOwnership(ctx, event.status, event.owner);
    case "SHUTDOWN":
      // An intended stop (SIGTERM), not an automatic one: cancels, no alert.
      intendedStop(ctx, "PAUSED", "SHUTDOWN", "the service is stopping");
      return writeCheckpoint(ctx);
  }
}
