import type { QuoteSkipReason, SymbolConfig } from "@mms/contracts/runtime";
import { Big, fromBps, maxDecimal, minDecimal, roundDownToStep, roundUpToStep, type Decimal } from "./decimal";

/** The numbers of a symbol's config that quoting uses, parsed once, and the factors derived from them. */
export interface QuoteParameters {
  readonly tickSize: Decimal;
  readonly lotSize: Decimal;
  readonly quoteSize: Decimal;
  readonly spreadBps: Decimal;
  readonly skewBps: Decimal;
  readonly maxPosition: Decimal;
  readonly bandBps: Decimal;
  /** 1 - spreadBps/20000 and 1 + spreadBps/20000: the mid times these is the unskewed bid and ask. */
  readonly bidFactor: Decimal;
  readonly askFactor: Decimal;
  /** 1 - bandBps/10000 and 1 + bandBps/10000: the band's edges over the mid. */
  readonly bandFloorFactor: Decimal;
  readonly bandCeilingFactor: Decimal;
  /** skewBps/10000. */
  readonly skewFraction: Decimal;
}

export function quoteParameters(config: SymbolConfig): QuoteParameters {
  const spreadBps = new Big(config.spreadBps);
  const skewBps = new Big(config.skewBps);
  const bandBps = new Big(config.bandBps);
  const halfSpread = spreadBps.div(20000);
  const band = fromBps(bandBps);
  const one = new Big(1);
  return {
    tickSize: new Big(config.tickSize),
    lotSize: new Big(config.lotSize),
    quoteSize: new Big(config.quoteSize),
    spreadBps,
    skewBps,
    maxPosition: new Big(config.maxPosition),
    bandBps,
    bidFactor: one.minus(halfSpread),
    askFactor: one.plus(halfSpread),
    bandFloorFactor: one.minus(band),
    bandCeilingFactor: one.plus(band),
    skewFraction: fromBps(skewBps),
  };
}

export interface QuoteInput {
  readonly bestBid: Decimal;
  readonly bestAsk: Decimal;
  readonly position: Decimal;
  /** Quantity still live on each side that the new quote would not replace (e.g. cancels in flight). */
  readonly restingBuyQuantity: Decimal;
  readonly restingSellQuantity: Decimal;
}

export interface QuoteLevel {
  readonly price: Decimal;
  readonly quantity: Decimal;
}

export type SideSkipReason = QuoteSkipReason;

export interface Quote {
  readonly mid: Decimal;
  readonly bid: QuoteLevel | undefined;
  readonly ask: QuoteLevel | undefined;
  readonly bidSkipped?: SideSkipReason;
  readonly askSkipped?: SideSkipReason;
}

/**
 * The "Quoting" section of the contract, step by step, in decimals:
 * 1. shift = -skewBps/10000 x mid x position/maxPosition, added to both sides;
 * 2. bid rounded down and ask rounded up to the tick (away from the mid);
 * 3. never cross the book (post-only), never leave the band (rounded inward);
 * 4. skip a side whose full fill would take |position| above maxPosition.
 */
export function computeQuote(input: QuoteInput, parameters: QuoteParameters): Quote {
  const { bestBid, bestAsk, position } = input;
  const { tickSize, quoteSize, maxPosition } = parameters;
  const mid = bestBid.plus(bestAsk).div(2);
  let unskewedBid = mid.times(parameters.bidFactor);
  let unskewedAsk = mid.times(parameters.askFactor);
  // Flat, the shift is zero and adding it changes nothing (the mid is positive).
  if (!position.eq(0)) {
    const shift = parameters.skewFraction.times(mid).times(position.div(maxPosition)).neg();
    unskewedBid = unskewedBid.plus(shift);
    unskewedAsk = unskewedAsk.plus(shift);
  }
  let bid = roundDownToStep(unskewedBid, tickSize);
  let ask = roundUpToStep(unskewedAsk, tickSize);

  const bandFloor = roundUpToStep(mid.times(parameters.bandFloorFactor), tickSize);
  const bandCeiling = roundDownToStep(mid.times(parameters.bandCeilingFactor), tickSize);
  // The band first, then the no-cross clamp: a post-only order that crosses is rejected,
  // so when the two disagree, not crossing wins.
  // The band binds both ways: a large skew must not push a quote past the far edge either.
  bid = minDecimal(minDecimal(maxDecimal(bid, bandFloor), bandCeiling), bestAsk.minus(tickSize));
  ask = maxDecimal(maxDecimal(minDecimal(ask, bandCeiling), bandFloor), bestBid.plus(tickSize));

  let bidSkipped: SideSkipReason | undefined;
  let askSkipped: SideSkipReason | undefined;
  // A fill that moves the position back toward zero is always allowed, even beyond the limit.
  if (position.plus(input.restingBuyQuantity).plus(quoteSize).gt(maxPosition)) bidSkipped = "POSITION_LIMIT";
  if (position.minus(input.restingSellQuantity).minus(quoteSize).lt(maxPosition.neg())) askSkipped = "POSITION_LIMIT";
  // A quote outside the band or at a non-positive price is never sent.
  if (!bidSkipped && (bid.lte(0) || bid.lt(bandFloor) || bid.gte(ask))) bidSkipped = "NO_ROOM_INSIDE_BAND";
  if (!askSkipped && (ask.gt(bandCeiling) || ask.lte(bid))) askSkipped = "NO_ROOM_INSIDE_BAND";

  return {
    mid,
    bid: bidSkipped ? undefined : { price: bid, quantity: quoteSize },
    ask: askSkipped ? undefined : { price: ask, quantity: quoteSize },
    ...(bidSkipped ? { bidSkipped } : {}),
    ...(askSkipped ? { askSkipped } : {}),
  };
}
