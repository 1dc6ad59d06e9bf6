import type { ControlRefusal } from "@mms/contracts/runtime";
import { positionBreached } from "../risk";
import { isAwaitingSnapshot, isConnected, type SymbolActorState } from "./state";

/**
 * Every condition that blocks a resume now (a halt aside), in the order on-call would fix
 * them: the first is what a resume would be refused with. Market-data checks count once,
 * as the first of them that fails (a missing book makes the others meaningless).
 */
export function resumeBlockers(actor: SymbolActorState, now: number, options: { readonly ignorePositionLimit: boolean } = { ignorePositionLimit: false }): ControlRefusal[] {
  const blockers: ControlRefusal[] = [];
  if (actor.recovery === "REPLAYING") blockers.push("STARTUP");
  if (actor.ownership.kind === "OWNED_ELSEWHERE" || actor.ownership.kind === "UNKNOWN") blockers.push("OWNED_ELSEWHERE");
  if (actor.ownership.kind === "LOST") blockers.push("OWNERSHIP_LOST");
  if (!isConnected(actor)) blockers.push("NATS_DISCONNECTED");
  const market = marketBlocker(actor, now);
  if (market) blockers.push(market);
  if (actor.lastLagMs !== undefined) blockers.push("BUS_LAG");
  // Reduce-only is the way back from beyond the limit: its quotes can only shrink the position.
  if (!options.ignorePositionLimit && positionBreached(actor.ledger.position, actor.parameters.maxPosition)) blockers.push("POSITION_LIMIT");
  if (actor.globalBreach) blockers.push(actor.globalBreach.reason);
  if (actor.rejections.isStorm(now)) blockers.push("REJECT_STORM");
  const frozen = actor.fillBurst.resumeRefusal(now);
  if (frozen) blockers.push(frozen);
  return blockers;
}

function marketBlocker(actor: SymbolActorState, now: number): ControlRefusal | undefined {
  if (!actor.book) return "NO_BOOK";
  if (isAwaitingSnapshot(actor)) return "MD_GAP";
  if (actor.monitor.isStale(now)) return "MD_STALE";
  if (actor.book.isCrossed()) return "MD_CROSSED";
  if (!actor.book.bestBid() || !actor.book.bestAsk()) return "NO_BOOK";
  if (actor.monitor.marketStatus === undefined) return "NO_MARKET_STATUS";
  if (!actor.monitor.isTrading()) return "MARKET_HALTED";
  return undefined;
}

/** What the status shows: a halt first (it needs a reset before anything else), nothing while ACTIVE. */
export function statusResumeBlockers(actor: SymbolActorState, now: number): ControlRefusal[] {
  if (actor.state.name === "ACTIVE") return [];
  const halt: ControlRefusal[] = actor.state.name === "HALTED" ? [actor.state.reason === "WORKER_FAILED" ? "WORKER_FAILED" : "HALTED_NEEDS_RESET"] : [];
  return [...halt, ...resumeBlockers(actor, now)];
}
