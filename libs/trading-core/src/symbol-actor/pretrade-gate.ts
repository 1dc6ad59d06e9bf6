import type { NewOrderIntent } from "@mms/contracts/runtime";
import { toDecimalString } from "../decimal";
import { checkPretrade, type PretradeResult } from "../protection/pretrade-check";
import type { SymbolActorState } from "./state";
import { log, type StepContext } from "./step-context";

/** The contract's default, for recordings made before the setting existed. */
const DEFAULT_MAX_ORDER_NOTIONAL = "1000000";

/**
 * The last look at a NEW, against the current book and every order that may be live: any
 * tracked order counts (PENDING_NEW, LIVE, PENDING_CANCEL), since the order manager only
 * replaces after the exchange confirmed the old order gone, so a legitimate replace never
 * has another tracked order on its side.
 */
export function pretradeVerdict(ctx: StepContext, intent: NewOrderIntent): PretradeResult {
  const actor = ctx.actor;
  const touch = bookTouch(actor);
  return checkPretrade({
    intent,
    config: actor.settings.config,
    bestBid: touch.bid,
    bestAsk: touch.ask,
    maxOrderNotional: actor.settings.maxOrderNotional ?? DEFAULT_MAX_ORDER_NOTIONAL,
    account: actor.settings.account,
    liveOrders: actor.orders.all(),
  });
}

/** An unanswered order blocks its side: the NEW is held back (never sent) until a report settles it. */
export function sideBlockedByUnansweredOrder(ctx: StepContext, intent: NewOrderIntent): boolean {
  if (!ctx.actor.ackWatch.blocksSide(intent.side)) return false;
  log(ctx, "warn", "NEW held: an unanswered order may still be live on its side", { clientOrderId: intent.clientOrderId, side: intent.side });
  return true;
}

/** Everyone else's best prices: our orders the exchange may hold are taken out; NEWs not yet acknowledged are not in the book. */
function bookTouch(actor: SymbolActorState): { readonly bid: string | undefined; readonly ask: string | undefined } {
  const book = actor.book;
  if (!book || book.isCrossed()) return { bid: undefined, ask: undefined };
  const resting = (side: "BUY" | "SELL") => actor.orders.all().flatMap((order) => (order.side === side && order.status !== "PENDING_NEW" ? [{ price: order.price, quantity: actor.orders.leaves(order) }] : []));
  const bid = book.bestExcluding("BUY", resting("BUY"));
  const ask = book.bestExcluding("SELL", resting("SELL"));
  return { bid: bid ? toDecimalString(bid) : undefined, ask: ask ? toDecimalString(ask) : undefined };
}
