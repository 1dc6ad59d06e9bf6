import { writeFileSync } from "node:fs";
import Big from "big.js";
import type { SymbolConfig } from "@mms/contracts";
import type { SymbolEvent } from "@mms/trading-core";
import type { RecordingLine } from "../../src/recording";

/** mulberry32: a tiny seeded generator, so the same seed writes the same market. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes a recording of a random-walk market for one symbol: a snapshot, a delta every
 * 200 ms, trades on both sides, a status heartbeat every second and the 100 ms timer.
 */
export function writeSyntheticRecording(path: string, config: SymbolConfig, options: { seed: number; durationMs: number; startPrice: string }): void {
  const next = random(options.seed);
  const tick = new Big(config.tickSize);
  const start = 1_764_000_000_000;
  let fair = new Big(options.startPrice);
  let seq = 1;
  let bid = fair.minus(tick.times(20));
  let ask = fair.plus(tick.times(20));
  const lines: RecordingLine[] = [
    {
      kind: "HEADER",
      version: 1,
      instance: "synthetic",
      startedAt: start,
      settings: { config, account: "SYSTEM_MARKET_MAKER", maxLagMs: 2000, rejectStorm: { count: 5, windowMs: 10_000 }, idPrefix: "MM-synthetic", leaseRequired: false },
    },
  ];
  const input = (now: number, event: SymbolEvent) => lines.push({ kind: "INPUT", now, event });
  input(start, { kind: "RECOVERY_COMPLETE" });
  input(start, { kind: "BOOK_SNAPSHOT", snapshot: { symbol: config.symbol, seq, ts: start, bids: [[bid.toFixed(), "5"]], asks: [[ask.toFixed(), "5"]] } });
  let tradeId = 0;
  for (let now = start + 100; now <= start + options.durationMs; now += 100) {
    if ((now - start) % 1000 === 0) input(now, { kind: "MARKET_STATUS", status: { symbol: config.symbol, ts: now, seq, status: "TRADING" } });
    if ((now - start) % 200 === 0) {
      fair = fair.plus(tick.times(Math.floor(next() * 7) - 3));
      const newBid = fair.minus(tick.times(20));
      const newAsk = fair.plus(tick.times(20));
      seq += 1;
      input(now, { kind: "BOOK_DELTA", delta: { symbol: config.symbol, seq, ts: now, bids: [[bid.toFixed(), "0"], [newBid.toFixed(), "5"]], asks: [[ask.toFixed(), "0"], [newAsk.toFixed(), "5"]] } });
      bid = newBid;
      ask = newAsk;
    }
    if (next() < 0.3) {
      const side = next() < 0.5 ? "BUY" : "SELL";
      const px = side === "BUY" ? fair.plus(tick.times(Math.floor(next() * 400))) : fair.minus(tick.times(Math.floor(next() * 400)));
      input(now, { kind: "PUBLIC_TRADE", trade: { symbol: config.symbol, tradeId: ++tradeId, ts: now, px: px.toFixed(), qty: "0.5", takerSide: side } });
    }
    input(now, { kind: "TIMER" });
  }
  writeFileSync(path, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
}
