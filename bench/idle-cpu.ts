import { connect } from "@nats-io/transport-node";
import { loadAverage } from "./lib/machine";
import { resumeAll } from "./lib/mms-control";
import { benchSymbolConfig, benchSymbols, startMms } from "./lib/mms-process";
import { startNatsServer } from "./lib/nats-server";
import { MarketFeed } from "./lib/market-feed";
import { cpuMeter, threadCpuSeconds } from "./lib/proc";
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
    const threadsBefore = new Map(threadCpuSeconds(mms.pid).map((thread) => [thread.tid, thread.seconds]));
    await sleep(seconds * 1000);
    const cores = meter.stop();
    // Cores by thread name (the main thread is named after the process; workers share names).
    const byName = new Map<string, number>();
    for (const thread of threadCpuSeconds(mms.pid)) byName.set(thread.name, (byName.get(thread.name) ?? 0) + (thread.seconds - (threadsBefore.get(thread.tid) ?? 0)) / seconds);
    const threads = Object.fromEntries([...byName].map(([name, value]) => [name, Math.round(value * 1000) / 1000]));
    process.stdout.write(`${JSON.stringify({ seconds, cores, threads, loadBefore, loadAfter: loadAverage() })}\n`);
  } finally {
    feed.stop();
    await mms.stop();
    await stub.stop();
    await control.close();
    await server.stop();
  }
}

void main();
