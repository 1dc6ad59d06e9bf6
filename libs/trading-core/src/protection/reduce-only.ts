import type { Side } from "@mms/contracts/runtime";
import { roundDownToStep, type Decimal } from "../decimal";

// The way back from a large position after a reset: quote only the side that brings the
// position toward zero, never more than is left to reduce, so no fill can make it grow.

export interface ReduceOnlyInput {
  readonly position: Decimal;
  readonly quoteSize: Decimal;
  readonly lotSize: Decimal;
  /** The normal quote's prices (the Quoting section); a side it skipped has none. */
  readonly bidPrice: Decimal | undefined;
  readonly askPrice: Decimal | undefined;
  /** Quantity still live on the reducing side that this quote would not replace (cancels in flight). */
  readonly restingReducingQuantity: Decimal;
}

export type ReduceOnlyQuote =
  | { readonly kind: "QUOTE"; readonly side: Side; readonly price: Decimal; readonly quantity: Decimal }
  /** Nothing to send now: the reducing side has no price, or what is left rounds to zero lots. */
  | { readonly kind: "NO_QUOTE"; readonly side: Side; readonly why: "SIDE_NOT_QUOTED" | "BELOW_ONE_LOT" }
  /** The position is flat: the symbol goes PAUSED with this reason. */
  | { readonly kind: "REDUCED"; readonly code: "REDUCED" };

/** The side whose fill moves the position toward zero; undefined when flat. */
export function reducingSide(position: Decimal): Side | undefined {
  if (position.eq(0)) return undefined;
  return position.gt(0) ? "SELL" : "BUY";
}

/** min(quoteSize, abs(position) - what already rests on that side), rounded down to the lot. */
export function reduceOnlyQuote(input: ReduceOnlyInput): ReduceOnlyQuote {
  const side = reducingSide(input.position);
  if (!side) return { kind: "REDUCED", code: "REDUCED" };
  const price = side === "BUY" ? input.bidPrice : input.askPrice;
  if (!price) return { kind: "NO_QUOTE", side, why: "SIDE_NOT_QUOTED" };
  const left = input.position.abs().minus(input.restingReducingQuantity);
  const room = roundDownToStep(left.lt(input.quoteSize) ? left : input.quoteSize, input.lotSize);
  if (room.lte(0)) return { kind: "NO_QUOTE", side, why: "BELOW_ONE_LOT" };
  return { kind: "QUOTE", side, price, quantity: room };
}

/** The refusal of the `reduce` command for a flat symbol. */
export function reduceRefusal(position: Decimal): "NOTHING_TO_REDUCE" | undefined {
  return position.eq(0) ? "NOTHING_TO_REDUCE" : undefined;
}
