import { sendIntent } from "./intents";
import { stop } from "./lifecycle";
import { canSend } from "./state";
import { log, type StepContext } from "./step-context";

/**
 * On each TIMER: a CANCEL (new intentId, same clientOrderId) for every order past its
 * orderAckTimeoutMs with no report, and a pause once one has had three such CANCELs
 * unanswered. The CANCELs go on while stopped, until a report settles the order.
 */
export function chaseUnansweredOrders(ctx: StepContext): void {
  const { actor, now } = ctx;
  if (actor.mode === "shadow" || !canSend(actor) || actor.ackWatch.size === 0) return;
  const due = actor.ackWatch.due(now);
  for (const cancel of due.cancels) {
    // While quoting, these count toward maxOrdersPerSecond like any cancel; a held one waits a timeout.
    if (actor.state.name === "ACTIVE" && !actor.orders.takeRateToken(now, actor.settings.config.maxOrdersPerSecond)) continue;
    actor.orders.recordCancel(cancel.clientOrderId, now);
    log(ctx, "warn", "order unanswered: cancel sent again", { clientOrderId: cancel.clientOrderId, intentId: cancel.intentId });
    sendIntent(ctx, cancel);
  }
  const first = due.unknown[0];
  if (first) stop(ctx, "PAUSED", "ORDER_STATE_UNKNOWN", first.detail);
}
