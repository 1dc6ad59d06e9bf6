import Big from "big.js";
import fc from "fast-check";
import { LIMITS } from "../src/primitives";
import { validators } from "../src/validators";
import { EXECUTION_REPORT_EXAMPLES, MARKET_DATA_EXAMPLES, ORDER_INTENTS_AS_WRITTEN } from "./contract-examples";

const digit = fc.constantFrom("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
const nonZeroDigit = fc.constantFrom("1", "2", "3", "4", "5", "6", "7", "8", "9");
const digits = (minLength: number, maxLength: number) => fc.string({ unit: digit, minLength, maxLength });

/** Every string of the contract's decimal grammar, up to its digit limits. */
const decimalString = fc
  .tuple(
    fc.oneof(fc.constant("0"), fc.tuple(nonZeroDigit, digits(0, LIMITS.maxDecimalIntegerDigits - 1)).map(([first, rest]) => first + rest)),
    fc.option(digits(1, LIMITS.maxDecimalFractionDigits), { nil: undefined }),
  )
  .map(([integer, fraction]) => (fraction === undefined ? integer : `${integer}.${fraction}`));
const positiveDecimalString = decimalString.filter((text) => /[1-9]/.test(text));

function fractionDigits(text: string): number {
  return text.includes(".") ? text.length - text.indexOf(".") - 1 : 0;
}

const newIntent = JSON.parse(ORDER_INTENTS_AS_WRITTEN.NEW) as Record<string, unknown>;
const { trade, snapshot, delta } = MARKET_DATA_EXAMPLES;

describe("decimal strings (property based)", () => {
  it("any valid decimal string validates as a quantity and round-trips through big.js unchanged", () => {
    fc.assert(
      fc.property(decimalString, (text) => {
        expect(validators.bookDelta({ ...delta, bids: [["1", text]] }).ok).toBe(true);
        const parsed = new Big(text);
        expect(parsed.toFixed(fractionDigits(text))).toBe(text);
        expect(new Big(parsed.toString()).eq(parsed)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("any valid positive decimal string validates as a price, and its negation as a signed fee", () => {
    fc.assert(
      fc.property(positiveDecimalString, (text) => {
        expect(validators.publicTrade({ ...trade, px: text }).ok).toBe(true);
        expect(validators.orderIntent({ ...newIntent, px: text, qty: text }).ok).toBe(true);
        expect(validators.executionReport({ ...EXECUTION_REPORT_EXAMPLES.FILL, fee: `-${text}` }).ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("any JSON number in a price field is rejected, as a number, at that path", () => {
    const jsonNumber = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.maxSafeInteger());
    fc.assert(
      fc.property(jsonNumber, (price) => {
        // Through JSON text, as it arrives from the wire.
        const cases = [
          { result: validators.publicTrade(JSON.parse(JSON.stringify({ ...trade, px: price }))), path: "/px" },
          { result: validators.orderIntent(JSON.parse(JSON.stringify({ ...newIntent, px: price }))), path: "/px" },
          { result: validators.bookSnapshot(JSON.parse(JSON.stringify({ ...snapshot, asks: [[price, "1"]] }))), path: "/asks/0/0" },
          { result: validators.executionReport(JSON.parse(JSON.stringify({ ...EXECUTION_REPORT_EXAMPLES.ACCEPTED, px: price }))), path: "/px" },
        ];
        for (const { result, path } of cases) {
          expect(result.ok).toBe(false);
          expect(result.ok ? [] : result.issues).toContainEqual({ path, message: expect.stringContaining("never a JSON number") });
        }
      }),
      { numRuns: 300 },
    );
  });

  it("any number written in exponent notation is rejected even in quotes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999 }), fc.integer({ min: -30, max: 30 }), fc.constantFrom("e", "E"), (mantissa, exponent, letter) => {
        expect(validators.publicTrade({ ...trade, px: `${mantissa}${letter}${exponent}` }).ok).toBe(false);
      }),
    );
  });
});
