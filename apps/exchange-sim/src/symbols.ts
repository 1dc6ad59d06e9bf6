import { Big } from "./decimal";
import type { MarketDriverSettings } from "./market-driver";

/** Everything the simulator needs to run one symbol. */
export interface SimulatedSymbol {
  readonly symbol: string;
  readonly tickSize: Big;
  readonly lotSize: Big;
  readonly initialFairValue: Big;
  /** Overrides of the background market for this symbol. */
  readonly driver: Partial<MarketDriverSettings>;
}

/** The same fields as they appear in a JSON config or an options object: decimals as strings. */
export interface SymbolSetup {
  readonly symbol: string;
  readonly tickSize?: string;
  readonly lotSize?: string;
  readonly initialFairValue?: string;
  readonly driver?: Partial<MarketDriverSettings>;
}

interface Preset {
  readonly tickSize: string;
  readonly lotSize: string;
  readonly initialFairValue: string;
  readonly walkMaxTicks: number;
}

/** Defaults per well-known symbol; any other symbol gets FALLBACK_PRESET. */
export const SYMBOL_PRESETS: Readonly<Record<string, Preset>> = {
  "BTCUSDT-PERP": { tickSize: "0.1", lotSize: "0.001", initialFairValue: "50000", walkMaxTicks: 20 },
  "ETHUSDT-PERP": { tickSize: "0.01", lotSize: "0.001", initialFairValue: "3000", walkMaxTicks: 15 },
  "SOLUSDT-PERP": { tickSize: "0.001", lotSize: "0.01", initialFairValue: "150", walkMaxTicks: 10 },
};

export const FALLBACK_PRESET: Preset = { tickSize: "0.01", lotSize: "0.001", initialFairValue: "100", walkMaxTicks: 5 };

const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9_-]{0,31}$/;
const POSITIVE_DECIMAL = /^(?=.*[1-9])(0|[1-9][0-9]{0,19})(\.[0-9]{1,18})?$/;

/** A setup with its preset filled in; throws with a clear message on a bad field. */
export function resolveSymbol(setup: SymbolSetup | string): SimulatedSymbol {
  const fields = typeof setup === "string" ? { symbol: setup } : setup;
  if (!SYMBOL_PATTERN.test(fields.symbol)) throw new Error(`symbol ${JSON.stringify(fields.symbol)} must match ${SYMBOL_PATTERN.source}`);
  const preset = SYMBOL_PRESETS[fields.symbol] ?? FALLBACK_PRESET;
  const decimal = (name: keyof Preset & keyof SymbolSetup, value: string): Big => {
    if (!POSITIVE_DECIMAL.test(value)) throw new Error(`${fields.symbol}: ${name} ${JSON.stringify(value)} must be a positive decimal string`);
    return new Big(value);
  };
  const tickSize = decimal("tickSize", fields.tickSize ?? preset.tickSize);
  const lotSize = decimal("lotSize", fields.lotSize ?? preset.lotSize);
  const initialFairValue = decimal("initialFairValue", fields.initialFairValue ?? preset.initialFairValue);
  return { symbol: fields.symbol, tickSize, lotSize, initialFairValue, driver: { walkMaxTicks: preset.walkMaxTicks, ...fields.driver } };
}
