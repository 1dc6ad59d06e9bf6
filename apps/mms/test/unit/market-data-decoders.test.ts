import type { ValidationIssue } from "@mms/contracts";
import type { SymbolEvent } from "@mms/trading-core";
import { MARKET_DATA_KINDS, type MarketDataSink } from "../../src/market-data-decoders";

const encoder = new TextEncoder();
const SYMBOL = "BTCUSDT-PERP";

function sink() {
  const accepted: Array<{ symbol: string; ts: number; event: SymbolEvent }> = [];
  const refused: Array<readonly ValidationIssue[]> = [];
  const target: MarketDataSink = { accepted: (symbol, ts, event) => accepted.push({ symbol, ts, event }), refused: (issues) => refused.push(issues) };
  return { target, accepted, refused };
}

const kindOn = (subject: string) => MARKET_DATA_KINDS.find((kind) => kind.subject(SYMBOL) === subject)!;

describe("market-data kinds", () => {
  test("each kind of the contract has its own subject", () => {
    expect(MARKET_DATA_KINDS.map((kind) => kind.subject(SYMBOL)).sort()).toEqual([`md.${SYMBOL}.delta`, `md.${SYMBOL}.snapshot`, `md.${SYMBOL}.status`, `md.${SYMBOL}.trade`]);
  });

  test("a valid delta becomes a BOOK_DELTA event with its symbol and ts", () => {
    const { target, accepted, refused } = sink();
    kindOn(`md.${SYMBOL}.delta`).decode(encoder.encode(`{"symbol":"${SYMBOL}","seq":7,"ts":1234,"bids":[["100.0","1"]],"asks":[]}`), target);
    expect(refused).toEqual([]);
    expect(accepted).toEqual([{ symbol: SYMBOL, ts: 1234, event: { kind: "BOOK_DELTA", delta: { symbol: SYMBOL, seq: 7, ts: 1234, bids: [["100.0", "1"]], asks: [] } } }]);
  });

  test("a message is validated by its own kind's schema: a status on the delta subject is refused", () => {
    const { target, accepted, refused } = sink();
    kindOn(`md.${SYMBOL}.delta`).decode(encoder.encode(`{"symbol":"${SYMBOL}","seq":7,"ts":1234,"status":"TRADING"}`), target);
    expect(accepted).toEqual([]);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.map((issue) => issue.path)).toContain("/bids");
  });

  test("bytes that are not JSON are refused with the reason", () => {
    const { target, accepted, refused } = sink();
    kindOn(`md.${SYMBOL}.status`).decode(encoder.encode("{not json"), target);
    expect(accepted).toEqual([]);
    expect(refused[0]![0]!.message).toMatch(/is not JSON/);
  });
});
