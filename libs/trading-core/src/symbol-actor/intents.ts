import type { NewOrderIntent, OrderIntent, StopReason } from "@mms/contracts/runtime";
import { formatToStep } from "../decimal";
import type { OrderAction } from "../order-manager";
import type { PretradeDenial } from "../protection/pretrade-check";
import { pretradeVerdict, sideBlockedByUnansweredOrder } from "./pretrade-gate";
import { emit, symbolOf, type StepContext } from "./step-context";
import { isConnected } from "./state";

/** Why a CANCEL_ALL goes out: a stop's reason, or the switch to shadow mode. */
export type CancelAllReason = StopReason | "SHADOW_MODE";

interface SendOptions {
  /** The order manager recorded the actions as it decided them (reconcile does). */
  readonly alreadyRecorded: boolean;
  /** Cancels of our own orders after the lease was lost: they go out all the same. */
  readonly despiteLostLease: boolean;
}

/** What reconcile decided: already recorded by the order manager. A denied NEW comes back, unsent, for the caller to stop on. */
export function sendReconciledActions(ctx: StepContext, actions: readonly OrderAction[]): PretradeDenial | undefined {
  return sendActions(ctx, actions, { alreadyRecorded: true, despiteLostLease: false });
}

export function sendCancels(ctx: StepContext, clientOrderIds: readonly string[]): void {
  sendActions(ctx, cancelsOf(clientOrderIds), { alreadyRecorded: false, despiteLostLease: false });
}

/** The lease is gone, so no CANCEL_ALL (another instance may own the account now): our orders one by one. */
export function sendCancelsDespiteLostLease(ctx: StepContext, clientOrderIds: readonly string[]): void {
  sendActions(ctx, cancelsOf(clientOrderIds), { alreadyRecorded: false, despiteLostLease: true });
}

function cancelsOf(clientOrderIds: readonly string[]): OrderAction[] {
  return clientOrderIds.map((clientOrderId) => ({ kind: "CANCEL", clientOrderId }));
}

/** Turns order actions into contract intents; every NEW passes the pre-trade checks first. */
function sendActions(ctx: StepContext, actions: readonly OrderAction[], options: SendOptions): PretradeDenial | undefined {
  const { actor, now } = ctx;
  for (const [index, action] of actions.entries()) {
    // An overdue order's CANCELs are the ack watch's, one every orderAckTimeoutMs.
    if (action.kind === "CANCEL" && actor.ackWatch.isOverdue(action.clientOrderId)) continue;
    if (!options.alreadyRecorded && action.kind === "CANCEL") actor.orders.recordCancel(action.clientOrderId, now);
    const common = { intentId: actor.ids.next("I"), account: actor.settings.account, symbol: symbolOf(ctx), ts: now };
    if (action.kind === "NEW") {
      const intent: NewOrderIntent = { kind: "NEW", ...common, clientOrderId: action.clientOrderId, side: action.side, type: "LIMIT", tif: "POST_ONLY", px: formatToStep(action.price, actor.parameters.tickSize), qty: formatToStep(action.quantity, actor.parameters.lotSize), tag: "MM" };
      if (sideBlockedByUnansweredOrder(ctx, intent)) {
        actor.orders.dropUnsent(action.clientOrderId);
        continue;
      }
      const verdict = pretradeVerdict(ctx, intent);
      if (!verdict.ok) {
        // Nothing after a denial goes out: the symbol is about to halt.
        for (const unsent of actions.slice(index)) if (unsent.kind === "NEW") actor.orders.dropUnsent(unsent.clientOrderId);
        if (actor.mode === "shadow") emit(ctx, { type: "intent", shadow: true, intent, denied: { check: verdict.check, values: { ...verdict.values }, detail: verdict.detail } });
        return verdict;
      }
      sendIntent(ctx, intent, options);
    } else {
      sendIntent(ctx, { kind: "CANCEL", ...common, clientOrderId: action.clientOrderId }, options);
    }
    if (actor.mode === "shadow") actor.orders.settleAsShadow(action);
  }
  return undefined;
}

/** Callers know they are connected (or in shadow mode): see `cancelAllNowOrOnReconnect`. */
export function sendCancelAll(ctx: StepContext, reason: CancelAllReason): void {
  const { actor, now } = ctx;
  const intent: OrderIntent = { kind: "CANCEL_ALL", intentId: actor.ids.next("I"), account: actor.settings.account, symbol: symbolOf(ctx), reason, ts: now };
  actor.orders.recordCancelAll(now);
  sendIntent(ctx, intent);
  if (actor.mode === "shadow") actor.orders.forgetAllAsShadow();
}

/** Connected: the CANCEL_ALL goes out now. Disconnected: it is owed to the reconnect. */
export function cancelAllNowOrOnReconnect(ctx: StepContext, reason: CancelAllReason): void {
  const actor = ctx.actor;
  if (isConnected(actor)) sendCancelAll(ctx, reason);
  else actor.connection = { kind: "DISCONNECTED", cancelAllOnReconnect: true };
}

export function sendIntent(ctx: StepContext, intent: OrderIntent, options: Pick<SendOptions, "despiteLostLease"> = { despiteLostLease: false }): void {
  const actor = ctx.actor;
  const shadow = actor.mode === "shadow";
  if (!shadow && !options.despiteLostLease && actor.ownership.kind !== "HELD") return;
  // Disconnected: a publish could only fail and count toward the reject storm. Cancels
  // stay recorded and are retried; a stop's CANCEL_ALL is kept for the reconnect.
  if (!shadow && !isConnected(actor)) return;
  emit(ctx, { type: "intent", shadow, intent });
  if (shadow) return;
  ctx.commands.push({ kind: "SEND_INTENT", intent });
  watchForReport(ctx, intent);
}

/** Each NEW and CANCEL (a CANCEL_ALL cancels them all) must be answered within orderAckTimeoutMs. */
function watchForReport(ctx: StepContext, intent: OrderIntent): void {
  const { actor, now } = ctx;
  const watch = actor.ackWatch;
  if (intent.kind === "NEW") watch.sent(intent, now);
  else if (intent.kind === "CANCEL") {
    const order = actor.orders.get(intent.clientOrderId);
    if (order) watch.sent(order, now);
  } else if (intent.kind === "CANCEL_ALL") {
    for (const order of actor.orders.all()) watch.sent(order, now);
  }
}
