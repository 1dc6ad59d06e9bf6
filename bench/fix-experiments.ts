/**
 * Micro-experiments behind the proposed fixes in bench/findings.md (no service code is
 * changed): volatilityBps per call; computeQuote as is vs with precomputed factors (same
 * result checked); roundDownToStep vs Big.round; client CPU of a JetStream publish with
 * nats.js async traces on and off (this process runs under tsx like the MMS); client CPU of
 * a publish and its ack the way a symbol worker makes them (bursts of five, one a millisecond,
 * each its own wake-up): nats.js's `js.publish` against the MMS's StreamPublisher, alternating.
 *
 *   npx tsx bench/fix-experiments.ts
 */
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { headers as createHeaders } from "@nats-io/nats-core";
import { StreamPublisher } from "@mms/nats-adapter";
import Big from "big.js";
import { MarketMonitor, computeQuote, quoteParameters, roundDownToStep, roundUpToStep, fromBps, minDecimal, maxDecimal } from "@mms/trading-core";
import { startNatsServer } from "./lib/nats-server";
import { createExchangeStreams } from "./lib/streams";
import { sleep } from "./lib/threads";

type Publish = (subject: string, data: Uint8Array, messageId: string) => Promise<unknown>;

/** CPU per publish in requote-sized bursts: five at once (a quote event, two CANCELs, two intent events), then a wake-up. */
async function burstCost(label: string, publish: Publish, bursts: number): Promise<number> {
  const body = new TextEncoder().encode(JSON.stringify({ kind: "CANCEL", intentId: "MM-x-S-I1", clientOrderId: "MM-x-S-O1", account: "SYSTEM_MARKET_MAKER", symbol: "S", ts: 1 }));
  const inFlight: Promise<unknown>[] = [];
  const cpuBefore = process.cpuUsage();
  for (let burst = 0; burst < bursts; burst++) {
    for (let index = 0; index < 5; index++) inFlight.push(publish("orders.S", body, `${label}-${burst}-${index}-${Math.random()}`));
    await sleep(1);
    if (inFlight.length >= 500) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  const cpu = process.cpuUsage(cpuBefore);
  return (cpu.user + cpu.system) / (bursts * 5);
}

function t(n: number, f: (i: number) => void) { const s = process.hrtime.bigint(); for (let i = 0; i < n; i++) f(i); return Number(process.hrtime.bigint() - s) / 1000 / n; }

async function main() {
  // 1. volatility: 61 samples
  const m = new MarketMonitor({ staleMs: 3000, maxLagMs: 2000, volatilitySampleMs: 1000, volatilityWindow: 60 });
  for (let i = 0; i < 70; i++) m.sampleMid(i * 1000, new Big(1000 + (i % 7) * 0.5));
  console.log("volatilityBps us", t(2000, () => m.volatilityBps()).toFixed(1));

  // 2. computeQuote as is vs precomputed factors
  const p = quoteParameters({ tickSize: "0.1", lotSize: "0.001", quoteSize: "0.010", spreadBps: "10", skewBps: "5", maxPosition: "1000", bandBps: "100" } as Parameters<typeof quoteParameters>[0]);
  const input = { bestBid: new Big("1000.0"), bestAsk: new Big("1000.2"), position: new Big(0), restingBuyQuantity: new Big(0), restingSellQuantity: new Big(0) };
  console.log("computeQuote us", t(20000, () => computeQuote(input, p)).toFixed(2));
  const one = new Big(1);
  const pre = { bidFactor: one.minus(p.spreadBps.div(20000)), askFactor: one.plus(p.spreadBps.div(20000)), bandLow: one.minus(fromBps(p.bandBps)), bandHigh: one.plus(fromBps(p.bandBps)), skew: fromBps(p.skewBps) };
  const fast = (i: typeof input) => {
    const mid = i.bestBid.plus(i.bestAsk).times(0.5);
    const shift = i.position.eq(0) ? null : pre.skew.times(mid).times(i.position.div(p.maxPosition)).neg();
    let bid = roundDownToStep(shift ? mid.times(pre.bidFactor).plus(shift) : mid.times(pre.bidFactor), p.tickSize);
    let ask = roundUpToStep(shift ? mid.times(pre.askFactor).plus(shift) : mid.times(pre.askFactor), p.tickSize);
    const lo = roundUpToStep(mid.times(pre.bandLow), p.tickSize);
    const hi = roundDownToStep(mid.times(pre.bandHigh), p.tickSize);
    bid = minDecimal(minDecimal(maxDecimal(bid, lo), hi), i.bestAsk.minus(p.tickSize));
    ask = maxDecimal(maxDecimal(minDecimal(ask, hi), lo), i.bestBid.plus(p.tickSize));
    return { mid, bid, ask };
  };
  const a = computeQuote(input, p); const b = fast(input);
  console.log("same result", a.bid!.price.eq(b.bid) && a.ask!.price.eq(b.ask), "fast computeQuote us", t(20000, () => fast(input)).toFixed(2));
  // round to a power-of-ten tick without division
  console.log("roundDownToStep us", t(50000, () => roundDownToStep(new Big("999.4567"), p.tickSize)).toFixed(2), "round(1,down) us", t(50000, () => new Big("999.4567").round(1, Big.roundDown)).toFixed(2));

  // 3. JetStream publish cost with and without async traces (under tsx source maps, like the MMS)
  const server = await startNatsServer();
  for (const noAsyncTraces of [false, true, false, true]) {
    const nc = await connect({ servers: [server.url], noAsyncTraces });
    if (!noAsyncTraces) await createExchangeStreams(nc).catch(() => undefined);
    const js = jetstream(nc);
    const body = new TextEncoder().encode(JSON.stringify({ kind: "CANCEL", intentId: "x", clientOrderId: "y", account: "A", symbol: "S", ts: 1 }));
    const n = 5000;
    const cpu0 = process.cpuUsage();
    const ps: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) { ps.push(js.publish("orders.S", body, { msgID: `${noAsyncTraces}-${i}-${Math.random()}`, timeout: 2000, retries: 1 })); if (ps.length >= 200) { await Promise.all(ps); ps.length = 0; } }
    await Promise.all(ps);
    const cpu = process.cpuUsage(cpu0);
    console.log(`js.publish noAsyncTraces=${noAsyncTraces}: ${((cpu.user + cpu.system) / n).toFixed(1)} us CPU per publish (client side)`);
    await nc.close();
  }

  // 4. requote-sized bursts: nats.js js.publish (msgID, one attempt, as the MMS used it) vs StreamPublisher
  const nc = await connect({ servers: [server.url], noAsyncTraces: true });
  const js = jetstream(nc);
  const publisher = new StreamPublisher(nc);
  const variants: Record<string, Publish> = {
    "nats.js js.publish": (subject, data, messageId) => js.publish(subject, data, { msgID: messageId, timeout: 2000, retries: 1, headers: createHeaders() }),
    StreamPublisher: (subject, data, messageId) => publisher.publish(subject, data, { messageId, timeoutMs: 2000 }),
  };
  for (let round = 1; round <= 3; round++) {
    for (const [label, publish] of Object.entries(variants)) console.log(`round ${round} ${label}: ${(await burstCost(label, publish, 1500)).toFixed(1)} us CPU per publish and ack`);
  }
  await nc.close();
  await server.stop();
}
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
