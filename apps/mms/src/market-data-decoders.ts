import { decodeJson, subjects, validators, type ValidationIssue, type Validator } from "@mms/contracts/runtime";
import type { SymbolEvent } from "@mms/trading-core";

/** Where a decoded market-data message goes: no result object per message, the hot path allocates only the event. */
export interface MarketDataSink {
  accepted(symbol: string, ts: number, event: SymbolEvent): void;
  refused(issues: readonly ValidationIssue[]): void;
}

/** One kind of market data: its own subject, and its bytes validated by its own kind's schema into the actor event. */
export interface MarketDataKind {
  readonly subject: (symbol: string) => string;
  readonly decode: (bytes: Uint8Array, sink: MarketDataSink) => void;
}

function kind<T extends { readonly symbol: string; readonly ts: number }>(subject: (symbol: string) => string, validator: Validator<T>, wrap: (value: T) => SymbolEvent): MarketDataKind {
  return {
    subject,
    decode: (bytes, sink) => {
      const decoded = decodeJson(bytes);
      if (!decoded.ok) return sink.refused(decoded.issues);
      const result = validator(decoded.value);
      if (!result.ok) return sink.refused(result.issues);
      sink.accepted(result.value.symbol, result.value.ts, wrap(result.value));
    },
  };
}

/** Each kind on its own subscription: the kind is known without decoding the subject of every message. */
export const MARKET_DATA_KINDS: readonly MarketDataKind[] = [
  kind(subjects.snapshot, validators.bookSnapshot, (snapshot) => ({ kind: "BOOK_SNAPSHOT", snapshot })),
  kind(subjects.delta, validators.bookDelta, (delta) => ({ kind: "BOOK_DELTA", delta })),
  kind(subjects.trade, validators.publicTrade, (trade) => ({ kind: "PUBLIC_TRADE", trade })),
  kind(subjects.status, validators.marketStatus, (status) => ({ kind: "MARKET_STATUS", status })),
];
