// computeQuote and the step roundings take shortcuts (factors precomputed per config, no
// skew product when flat, a power-of-ten tick rounded by decimal places): the results must
// be the very numbers of the contract's formula as first written, kept here as the reference.
import fc from "fast-check";
import { Big, computeQuote, maxDecimal, minDecimal, quoteParameters, roundDownToStep, roundUpToStep, type Quote, type QuoteParameters, type SideSkipReason } from "../src";
import { baseConfig } from "./harness";

function referenceRoundDown(value: Big, step: Big): Big {
  return value.div(step).round(0, Big.roundDown).times(step);
}

function referenceRoundUp(value: Big, step: Big): Big {
  return value.div(step).round(0, Big.roundUp).times(step);
}

interface ReferenceInput {
  readonly bestBid: Big;
  readonly bestAsk: Big;
  readonly position: Big;
  readonly restingBuyQuantity: Big;
  readonly restingSellQuantity: Big;
}

/** The contract's "Quoting" formula step by step, every factor computed afresh. */
function referenceQuote(input: ReferenceInput, parameters: QuoteParameters): Quote {
  const { bestBid, bestAsk, position } = input;
  const { tickSize, quoteSize, maxPosition } = parameters;
  const mid = bestBid.plus(bestAsk).div(2);
  const inventoryRatio = position.div(maxPosition);
  const shift = parameters.skewBps.div(10000).times(mid).times(inventoryRatio).neg();
  const halfSpread = parameters.spreadBps.div(20000);
  let bid = referenceRoundDown(mid.times(new Big(1).minus(halfSpread)).plus(shift), tickSize);
  let ask = referenceRoundUp(mid.times(new Big(1).plus(halfSpread)).plus(shift), tickSize);
  const band = parameters.bandBps.div(10000);
  const bandFloor = referenceRoundUp(mid.times(new Big(1).minus(band)), tickSize);
  const bandCeiling = referenceRoundDown(mid.times(new Big(1).plus(band)), tickSize);
  bid = minDecimal(minDecimal(maxDecimal(bid, bandFloor), bandCeiling), bestAsk.minus(tickSize));
  ask = maxDecimal(maxDecimal(minDecimal(ask, bandCeiling), bandFloor), bestBid.plus(tickSize));
  let bidSkipped: SideSkipReason | undefined;
  let askSkipped: SideSkipReason | undefined;
  if (position.plus(input.restingBuyQuantity).plus(quoteSize).gt(maxPosition)) bidSkipped = "POSITION_LIMIT";
  if (position.minus(input.restingSellQuantity).minus(quoteSize).lt(maxPosition.neg())) askSkipped = "POSITION_LIMIT";
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

/** A decimal's exact identity: sign, digits and exponent as its text and sign bit show them. */
const exact = (value: Big | undefined) => (value === undefined ? undefined : `${value.s < 0 ? "-" : "+"}${value.toFixed()}`);
const exactQuote = (quote: Quote) => ({
  mid: exact(quote.mid),
  bid: quote.bid && { price: exact(quote.bid.price), quantity: exact(quote.bid.quantity) },
  ask: quote.ask && { price: exact(quote.ask.price), quantity: exact(quote.ask.quantity) },
  bidSkipped: quote.bidSkipped,
  askSkipped: quote.askSkipped,
});

/** Decimal text with up to `places` digits after the point, signed or not. */
const decimalText = (places: number, maxUnits: number, signed: boolean) =>
  fc.tuple(fc.integer({ min: signed ? -maxUnits : 0, max: maxUnits }), fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: places })).map(([units, digits]) => `${units}${digits.length > 0 ? `.${digits.join("")}` : ""}`);

const STEPS = ["0.001", "0.01", "0.1", "1", "0.0001", "0.00000001", "0.5", "0.25", "5", "10", "100", "0.002"];

const parametersArbitrary = fc
  .record({
    tickSize: fc.constantFrom(...STEPS),
    spreadBps: decimalText(4, 2000, false),
    skewBps: decimalText(4, 500, false),
    bandBps: decimalText(3, 5000, false).filter((text) => !new Big(text).eq(0)),
    maxPosition: decimalText(3, 100, false).filter((text) => new Big(text).gt(0)),
    quoteSize: decimalText(3, 20, false).filter((text) => new Big(text).gt(0)),
  })
  .map((raw) => quoteParameters({ ...baseConfig, ...raw }));

const inputArbitrary = fc
  .record({
    bid: decimalText(9, 200_000, false).filter((text) => new Big(text).gt(0)),
    width: decimalText(9, 1000, false).filter((text) => new Big(text).gt(0)),
    position: fc.oneof(decimalText(6, 150, true), fc.constantFrom("0", "-0")),
    restingBuy: fc.oneof(fc.constant("0"), decimalText(3, 20, false)),
    restingSell: fc.oneof(fc.constant("0"), decimalText(3, 20, false)),
  })
  .map((raw) => {
    const bestBid = new Big(raw.bid);
    return { bestBid, bestAsk: bestBid.plus(raw.width), position: new Big(raw.position), restingBuyQuantity: new Big(raw.restingBuy), restingSellQuantity: new Big(raw.restingSell) };
  });

describe("computeQuote against the reference formula", () => {
  test("gives the reference's exact numbers and skips for any market, position and config", () => {
    fc.assert(
      fc.property(parametersArbitrary, inputArbitrary, (parameters, input) => {
        expect(exactQuote(computeQuote(input, parameters))).toEqual(exactQuote(referenceQuote(input, parameters)));
      }),
      { numRuns: 1000 },
    );
  });

  test("rounding to a step, power of ten or not, gives the division's exact result, down and up", () => {
    const value = fc.oneof(decimalText(12, 1_000_000, true), decimalText(30, 10, true), decimalText(40, 2, true), fc.constantFrom("0", "-0", "0.99999999999999999999999", "-0.000000000000000000000001"));
    fc.assert(
      fc.property(value, fc.constantFrom(...STEPS), (text, stepText) => {
        const step = new Big(stepText);
        const number = new Big(text);
        expect(exact(roundDownToStep(number, step))).toBe(exact(referenceRoundDown(number, step)));
        expect(exact(roundUpToStep(number, step))).toBe(exact(referenceRoundUp(number, step)));
      }),
      { numRuns: 2000 },
    );
  });
});
