import { decodeAndValidate, validators, type Validated, type Validator } from "@mms/contracts";
import type { SymbolEvent } from "@mms/trading-core";

/** One market-data message, validated by its own kind's schema, as the actor event it becomes. */
export type MarketDataDecoder = (bytes: Uint8Array) => Validated<{ readonly symbol: string; readonly ts: number; readonly event: SymbolEvent }>;

function decoder<T extends { readonly symbol: string; readonly ts: number }>(validator: Validator<T>, wrap: (value: T) => SymbolEvent): MarketDataDecoder {
  return (bytes) => {
    const result = decodeAndValidate(bytes, validator);
    return result.ok ? { ok: true, value: { symbol: result.value.symbol, ts: result.value.ts, event: wrap(result.value) } } : result;
  };
}

/** By the last subject token; `md.<SYMBOL>.*` never matches `snapshot.get`. */
export const MARKET_DATA_DECODERS: Readonly<Record<string, MarketDataDecoder>> = {
  snapshot: decoder(validators.bookSnapshot, (snapshot) => ({ kind: "BOOK_SNAPSHOT", snapshot })),
  delta: decoder(validators.bookDelta, (delta) => ({ kind: "BOOK_DELTA", delta })),
  trade: decoder(validators.publicTrade, (trade) => ({ kind: "PUBLIC_TRADE", trade })),
  status: decoder(validators.marketStatus, (status) => ({ kind: "MARKET_STATUS", status })),
};
