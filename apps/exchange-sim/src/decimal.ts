import Big from "big.js";

export const ZERO = new Big(0);
const BPS_DIVISOR = new Big(10000);
/** The contract allows at most 18 fraction digits in a decimal string. */
const MAX_FRACTION_DIGITS = 18;

/** Plain notation always: Big's toString switches to exponents for tiny or huge values. */
export function decimalString(value: Big): string {
  return value.toFixed();
}

/** Fee in quote currency: px x qty x bps / 10000, negative for a rebate. */
export function feeFor(px: Big, qty: Big, bps: Big): Big {
  return px.times(qty).times(bps).div(BPS_DIVISOR).round(MAX_FRACTION_DIGITS, Big.roundHalfUp);
}

/** `value x (1 + bps / 10000)`; bps may be negative. */
export function shiftByBps(value: Big, bps: Big): Big {
  return value.times(BPS_DIVISOR.plus(bps)).div(BPS_DIVISOR);
}

export function isMultipleOf(value: Big, step: Big): boolean {
  return value.mod(step).eq(0);
}

export function roundDownToStep(value: Big, step: Big): Big {
  return value.div(step).round(0, Big.roundDown).times(step);
}

export function roundUpToStep(value: Big, step: Big): Big {
  return value.div(step).round(0, Big.roundUp).times(step);
}

export { Big };
