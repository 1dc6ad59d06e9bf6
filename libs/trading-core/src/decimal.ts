import Big from "big.js";

export type Decimal = Big;
export { Big };

export const ZERO = new Big(0);
const BPS_DIVISOR = new Big(10000);

export function decimal(value: string | Big): Big {
  return value instanceof Big ? value : new Big(value);
}

/** Plain notation always: Big's toString switches to exponents for tiny or huge values. */
export function toDecimalString(value: Big): string {
  return value.toFixed();
}

export function roundDownToStep(value: Big, step: Big): Big {
  return roundToStep(value, step, Big.roundDown);
}

export function roundUpToStep(value: Big, step: Big): Big {
  return roundToStep(value, step, Big.roundUp);
}

/**
 * `value / step` rounded to an integer, times `step`. A power-of-ten step (0.1, 0.01, 1) is
 * a rounding to its decimal places, several times cheaper than a division; it gives the
 * same number whenever the division is exact, i.e. when `value / step` has at most Big.DP
 * decimal places. Otherwise (and for any other step) the division decides, as it always did.
 */
function roundToStep(value: Big, step: Big, mode: typeof Big.roundDown | typeof Big.roundUp): Big {
  const stepDigits = step.c;
  if (stepDigits.length === 1 && stepDigits[0] === 1 && step.e <= 0 && step.s === 1) {
    const places = -step.e;
    if (value.c.length - 1 - value.e - places <= Big.DP) return value.round(places, mode);
  }
  return value.div(step).round(0, mode).times(step);
}

export function fromBps(bps: Big): Big {
  return bps.div(BPS_DIVISOR);
}

/** `part / whole` in basis points. */
export function toBps(part: Big, whole: Big): Big {
  return whole.eq(0) ? ZERO : part.div(whole).times(BPS_DIVISOR);
}

export function minDecimal(a: Big, b: Big): Big {
  return a.lt(b) ? a : b;
}

export function maxDecimal(a: Big, b: Big): Big {
  return a.gt(b) ? a : b;
}

/** Digits after the point of a step such as a tick ("0.1" → 1) or lot ("0.010" → 2). */
export function decimalPlaces(step: Big): number {
  return Math.max(0, step.c.length - 1 - step.e);
}

/** Fixed notation with exactly the step's digits, as an exchange expects: "0.010", "50000.0". */
export function formatToStep(value: Big, step: Big): string {
  return value.toFixed(decimalPlaces(step));
}
