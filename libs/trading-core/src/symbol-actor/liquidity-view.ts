import { quotesPresent, type RestingQuote } from "../protection/liquidity-metrics";
import type { Side } from "@mms/contracts/runtime";
import type { SymbolActorState } from "./state";
import { marketTouch } from "./views";

/**
 * Whether the symbol provides the liquidity it is meant to right now (mms_quote_presence_ratio):
 * one order the exchange acknowledged on each side, resting at quoteSize, within twice the
 * target spread of the market's mid. Orders still in flight do not count.
 */
export function quotesPresentNow(state: SymbolActorState): boolean {
  if (state.state.name !== "ACTIVE") return false;
  const mid = marketTouch(state).mid;
  if (!mid) return false;
  const { quoteSize, spreadBps } = state.parameters;
  return quotesPresent({ bid: restingOn(state, "BUY"), ask: restingOn(state, "SELL"), mid, quoteSize, spreadBps });
}

function restingOn(state: SymbolActorState, side: Side): RestingQuote | undefined {
  const order = state.orders.all().find((candidate) => candidate.side === side && candidate.accepted && candidate.status === "LIVE");
  return order ? { price: order.price, quantity: state.orders.leaves(order) } : undefined;
}
