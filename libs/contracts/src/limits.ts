/** Limits that keep a hostile message from costing unbounded memory or CPU. */
export const LIMITS = {
  maxBookLevels: 2000,
  maxIdLength: 128,
  maxTextLength: 512,
  maxDecimalIntegerDigits: 20,
  maxDecimalFractionDigits: 18,
} as const;
