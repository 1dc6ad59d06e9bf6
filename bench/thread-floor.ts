/**
 * The floors of depth-only throughput without the MMS: the relay (one thread, one
 * connection, JSON.parse and a republish per delta) and the thread floor (a worker thread
 * and a connection per symbol, as the MMS has, JSON.parse only), at each rate in turn, in
 * alternating phases. What 20 threads x nats.js cost here before the MMS does anything.
 *
 *   npx tsx bench/thread-floor.ts [20k,40k,50k] [seconds]
 */
import { startMinimalConsumer } from "./lib/minimal";
import { FLOOR_PREFIX, THREAD_FLOOR_PREFIX } from "./lib/market-feed";
import { benchSymbols } from "./lib/mms-process";
import { startNatsServer } from "./lib/nats-server";
import { beginPhase } from "./lib/phase";
import { PublisherPool } from "./lib/publisher";
import { sleep } from "./lib/threads";
import { Teardown } from "./lib/teardown";

async function main(): Promise<void> {
  const rates = (process.argv[2] ?? "20k,40k,50k").split(",").map((rate) => Number(rate.replace(/k$/i, "000")));
  const seconds = Number(process.argv[3] ?? 10);
  const symbols = benchSymbols(20);
  const teardown = new Teardown();
  try {
    const server = teardown.add(await startNatsServer(), (started) => started.stop());
    const publishers = teardown.add(await PublisherPool.start(server.url, symbols, "depth", 2), (started) => started.stop());
    const relay = teardown.add(await startMinimalConsumer("floor", server.url, symbols, FLOOR_PREFIX), (started) => started.stop());
    const threads = teardown.add(await startMinimalConsumer("thread-floor", server.url, symbols, THREAD_FLOOR_PREFIX), (started) => started.stop());
    for (const [index, rate] of rates.entries()) {
      for (const [name, target, pid] of [["relay", "floor", relay.pid], ["thread floor", "thread-floor", threads.pid]] as const) {
        const phase = beginPhase("floor", index + 1, { floor: pid, natsServer: server.pid, bench: process.pid });
        const outcome = await publishers.run(rate, seconds * 1000, target);
        await sleep(1000);
        const record = phase.finish(outcome.published);
        process.stdout.write(`${rate}/s ${name}: published ${Math.round(outcome.achievedRate)}/s, ${record.microsPerMessage} us/msg, cores ${JSON.stringify(record.cores)}, load ${record.loadAtStart}\n`);
      }
    }
  } finally {
    await teardown.run();
  }
}

void main();
