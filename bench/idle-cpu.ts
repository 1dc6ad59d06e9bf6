import { connect } from "@nats-io/transport-node";
import { loadAverage } from "./lib/machine";
import { resumeAll } from "./lib/mms-control";
import { benchSymbolConfig, benchSymbols, startMms } from "./lib/mms-process";
import { startNatsServer } from "./lib/nats-server";
import { MarketFeed } from "./lib/market-feed";
import { cpuMeter } from "./lib/proc";
import { createExchangeStreams } from "./lib/streams";
import { ExchangeStub } from "./lib/exchange-stub";
import { sleep } from "./lib/threads";

/**
 * Idle cost: 20 ACTIVE symbols whose only market data is the TRADING heartbeat that keeps
 * them ACTIVE (one a symbol every 500 ms); the MMS process's cores over `IDLE_SECONDS` (20).
 * A smoke harness (`npx tsx bench/idle-cpu.ts`), not a timed test: on a loaded machine the
 * figure is an upper bound.
 */
async function main(): Promise<void> {
  const seconds = Number(process.env.IDLE_SECONDS ?? 20);
  const symbols = benchSymbols(20);
  const server = await startNatsServer();
  const control = await connect({ servers: [server.url], name: "bench-control" });
  await createExchangeStreams(control);
  const stub = await ExchangeStub.start(server.url);
  const feed = new MarketFeed(control, symbols, "depth");
  feed.answerSnapshots();
  feed.startHeartbeats(500);
  const mms = await startMms({ name: "idle-cpu", natsUrl: server.url, symbols: symbols.map((symbol) => benchSymbolConfig(symbol)) });
  try {
    await mms.waitReady(300_000);
    await resumeAll(control, symbols, 60_000);
    await sleep(3000);
    const loadBefore = loadAverage();
    const meter = cpuMeter({ mms: mms.pid, natsServer: server.pid });
    await sleep(seconds * 1000);
    const cores = meter.stop();
    process.stdout.write(`${JSON.stringify({ seconds, cores, loadBefore, loadAfter: loadAverage() })}\n`);
  } finally {
    feed.stop();
    await mms.stop();
    await stub.stop();
    await control.close();
    await server.stop();
  }
}

void main();
