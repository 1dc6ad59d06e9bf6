import { Type, type Static } from "@sinclair/typebox";
import { LIMITS } from "./limits";

export { LIMITS };

const integerPart = `(0|[1-9][0-9]{0,${LIMITS.maxDecimalIntegerDigits - 1}})`;
const fractionPart = `(\\.[0-9]{1,${LIMITS.maxDecimalFractionDigits}})?`;

/** A non-negative decimal string such as "0", "0.010" or "50000.5". */
export const DecimalString = Type.String({
  pattern: `^${integerPart}${fractionPart}$`,
  description: "non-negative decimal string",
});

/** A decimal string strictly above zero. */
export const PositiveDecimalString = Type.String({
  pattern: `^(?=.*[1-9])${integerPart}${fractionPart}$`,
  description: "positive decimal string",
});

/** A decimal string that may be negative (fees, PnL, position). */
export const SignedDecimalString = Type.String({
  pattern: `^-?${integerPart}${fractionPart}$`,
  description: "signed decimal string",
});

/**
 * A figure the MMS computes by division (average entry, PnL): exact to big.js's 20
 * decimal places of a quotient, times a quantity, so it may carry more digits than any
 * exchange input. Outbound only.
 */
export const ComputedDecimalString = Type.String({
  pattern: `^-?${integerPart}(\\.[0-9]{1,40})?$`,
  description: "signed decimal string",
});

export const SymbolName = Type.String({ pattern: "^[A-Z0-9][A-Z0-9_-]{0,31}$", description: "symbol" });
export const AccountName = Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", description: "account" });
export const Identifier = Type.String({ minLength: 1, maxLength: LIMITS.maxIdLength });
export const Text = Type.String({ maxLength: LIMITS.maxTextLength });
export const Timestamp = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: "ms since the Unix epoch" });
export const SequenceNumber = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
export const Side = Type.Union([Type.Literal("BUY"), Type.Literal("SELL")]);
export type Side = Static<typeof Side>;
