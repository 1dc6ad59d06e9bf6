import { reduceOnlyQuote, reducingSide } from "../protection/reduce-only";
import type { Quote } from "../quote-engine";
import type { SymbolActorState } from "./state";

/**
 * The normal quote cut down to reduce-only: the reducing side at its normal price, for
 * min(quoteSize, |position|) less what still rests on that side; the other side never.
 */
export function reducingQuoteOf(actor: SymbolActorState, normal: Quote): Quote {
  const position = actor.ledger.position;
  const side = reducingSide(position);
  // Flat: nothing to quote (the caller stops the symbol with REDUCED).
  if (!side) return { mid: normal.mid, bid: undefined, ask: undefined };
  const reduced = reduceOnlyQuote({
    position,
    quoteSize: actor.parameters.quoteSize,
    lotSize: actor.parameters.lotSize,
    bidPrice: normal.bid?.price,
    askPrice: normal.ask?.price,
    restingReducingQuantity: actor.orders.cancellingQuantity(side),
  });
  const level = reduced.kind === "QUOTE" ? { price: reduced.price, quantity: reduced.quantity } : undefined;
  const reducingSkip = side === "BUY" ? normal.bidSkipped : normal.askSkipped;
  return {
    mid: normal.mid,
    bid: side === "BUY" ? level : undefined,
    ask: side === "SELL" ? level : undefined,
    ...(reducingSkip ? (side === "BUY" ? { bidSkipped: reducingSkip } : { askSkipped: reducingSkip }) : {}),
  };
}
