import type { GlobalBreach } from "../risk";
import { sendCancelAll, sendCancelsDespiteLostLease } from "./intents";
import { relabelPause, stop, stopWithoutCancelAll } from "./lifecycle";
import { requestSnapshot } from "./market-data";
import { isConnected } from "./state";
import { log, type StepContext } from "./step-context";
import { reportRisk } from "./views";

export type LeaseStatus = "HELD" | "LOST" | "OWNED_ELSEWHERE";

export function onRecoveryComplete(ctx: StepContext): void {
  const actor = ctx.actor;
  if (actor.recovery === "REPLAYING") actor.recovery = "LEFTOVER_CANCEL_PENDING";
  log(ctx, "info", "recovery complete", { position: actor.ledger.position.toFixed(), openOrders: actor.orders.all().length });
  cancelLeftovers(ctx);
  reportRisk(ctx);
}

/** An earlier run's orders go once the replay is done, the lease held and the connection up. */
function cancelLeftovers(ctx: StepContext): void {
  const actor = ctx.actor;
  if (actor.recovery !== "LEFTOVER_CANCEL_PENDING" || actor.ownership.kind !== "HELD" || !isConnected(actor)) return;
  actor.recovery = "RECOVERED";
  sendCancelAll(ctx, "STARTUP");
}

export function onConnectionLost(ctx: StepContext): void {
  const actor = ctx.actor;
  if (isConnected(actor)) actor.connection = { kind: "DISCONNECTED", cancelAllOnReconnect: false };
  stop(ctx, "PAUSED", "NATS_DISCONNECTED", "the NATS connection was lost");
}

export function onConnectionRestored(ctx: StepContext): void {
  const actor = ctx.actor;
  const owed = actor.connection.kind === "DISCONNECTED" && actor.connection.cancelAllOnReconnect;
  actor.connection = { kind: "CONNECTED" };
  if (owed) sendCancelAll(ctx, "NATS_DISCONNECTED");
  cancelLeftovers(ctx);
  // Market data may have been missed while away: rebuild the book from a snapshot.
  requestSnapshot(ctx);
}

export function onOwnership(ctx: StepContext, status: LeaseStatus, owner: string | undefined): void {
  const actor = ctx.actor;
  const before = actor.ownership.kind;
  actor.ownership = status === "HELD" ? { kind: "HELD" } : { kind: status, owner };
  if (status === "HELD") {
    if (before !== "HELD") log(ctx, "info", "ownership lease held", {});
    cancelLeftovers(ctx);
    // Taken over from another instance: the symbol starts here PAUSED (STARTUP), as after a
    // restart. OWNED_ELSEWHERE would tell on-call that someone else still holds the lease.
    if (actor.state.name === "PAUSED" && actor.state.reason === "OWNED_ELSEWHERE") relabelPause(ctx, "STARTUP", "the lease is held now");
    return;
  }
  // Someone else holds a lease we never had: stay out. Held a moment ago: it was lost.
  if (status === "OWNED_ELSEWHERE" && before !== "HELD") {
    stop(ctx, "PAUSED", "OWNED_ELSEWHERE", `the lease is held by ${owner ?? "another instance"}`);
    return;
  }
  // Lost: another instance may now own the symbol and the account, so no CANCEL_ALL;
  // only our own orders are cancelled, one by one.
  const ours = actor.orders.all().map((order) => order.clientOrderId);
  stopWithoutCancelAll(ctx, "PAUSED", "OWNERSHIP_LOST", `the lease was lost${owner ? ` to ${owner}` : ""}`);
  sendCancelsDespiteLostLease(ctx, ours);
  // Whoever holds the lease next cancels leftovers; if it is us again, so do we.
  if (actor.recovery === "RECOVERED") actor.recovery = "LEFTOVER_CANCEL_PENDING";
}

export function onGlobalRisk(ctx: StepContext, breach: GlobalBreach | undefined): void {
  ctx.actor.globalBreach = breach;
  if (breach) stop(ctx, "HALTED", breach.reason, breach.detail);
}
