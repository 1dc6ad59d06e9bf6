import { connect } from "@nats-io/transport-node";
import type { BenchOptions } from "./lib/options";
import { beginResult, loadAverage, round, type BenchResult, type GoalCheck } from "./lib/machine";
import { MarketFeed } from "./lib/market-feed";
import { mmsStatus } from "./lib/mms-control";
import { benchSymbolConfig, benchSymbols, startMms } from "./lib/mms-process";
import { startNatsServer } from "./lib/nats-server";
import { cpuSeconds } from "./lib/proc";
import { createExchangeStreams } from "./lib/streams";
import { sleep } from "./lib/threads";
import { workerFootprint } from "./worker-footprint";

interface FootprintPoint {
  readonly symbols: number;
  readonly rssMb: number;
  readonly rssSamplesMb: number[];
  /** Process start -> /readyz 200 (every symbol recovered from an empty EXEC). */
  readonly readyMs: number;
  /** CPU seconds the process used up to ready: the start-up cost. */
  readonly startupCpuSeconds: number;
  readonly failedWorkers: number;
  readonly states: Record<string, number>;
  readonly loadAverage: readonly number[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * Benchmark 5: resident memory of the MMS process (main pid; worker threads are in it)
 * with 1 (baseline), 10, 50 and 100 symbol actors, idle after start: each symbol has a
 * book (snapshot answered) and TRADING heartbeats, stays PAUSED (no resume, no orders).
 */
export async function runFootprint(options: BenchOptions): Promise<BenchResult> {
  const finish = beginResult("footprint", "Memory footprint per symbol actor (idle)", options.quick);
  const counts = options.quick ? [1, 10] : [1, 10, 50, 100];
  const settleMs = options.quick ? 3000 : 10_000;
  const points: FootprintPoint[] = [];
  for (const count of counts) {
    const server = await startNatsServer();
    const bench = await connect({ servers: [server.url], name: "bench-footprint" });
    await createExchangeStreams(bench);
    const symbols = benchSymbols(count, "F");
    const feed = new MarketFeed(bench, symbols, "depth");
    feed.answerSnapshots();
    feed.startHeartbeats(1000);
    const mms = await startMms({ name: `footprint-${count}`, natsUrl: server.url, symbols: symbols.map((symbol) => benchSymbolConfig(symbol)), env: options.mmsEnv("footprint") });
    try {
      process.stdout.write(`  footprint: ${count} symbols ... `);
      const readyAt = await mms.waitReady(900_000, 50);
      const startupCpuSeconds = cpuSeconds(mms.pid);
      await sleep(settleMs);
      const samples: number[] = [];
      for (let sample = 0; sample < 5; sample++) {
        samples.push(round(mms.rssMb(), 1));
        await sleep(1000);
      }
      const statuses = await mmsStatus(bench, 10_000);
      const states: Record<string, number> = {};
      for (const status of statuses) states[`${status.state}/${status.reason}`] = (states[`${status.state}/${status.reason}`] ?? 0) + 1;
      const point: FootprintPoint = {
        symbols: count,
        rssMb: round(median(samples), 1),
        rssSamplesMb: samples,
        readyMs: round(readyAt - mms.startedAt, 0),
        startupCpuSeconds: round(startupCpuSeconds, 1),
        failedWorkers: statuses.filter((status) => status.reason === "WORKER_FAILED").length,
        states,
        loadAverage: loadAverage(),
      };
      points.push(point);
      process.stdout.write(`RSS ${point.rssMb} MB, ready after ${point.readyMs} ms (${point.startupCpuSeconds} CPU s), states ${JSON.stringify(states)}\n`);
    } finally {
      feed.stop();
      await mms.stop();
      await bench.close();
      await server.stop();
    }
  }
  process.stdout.write("  footprint: worker breakdown ... ");
  const breakdown = workerFootprint(options.quick ? 4 : 12);
  process.stdout.write(`${JSON.stringify(breakdown)}\n`);
  const baseline = points[0]!;
  const goals: GoalCheck[] = points.slice(1).flatMap((point) => {
    const marginal = (point.rssMb - baseline.rssMb) / (point.symbols - baseline.symbols);
    const perActor = point.rssMb / point.symbols;
    // Failed workers are terminated by the coordinator: the RSS left is that of the survivors, not of n actors.
    if (point.failedWorkers > 0) {
      return [{ metric: `RSS per actor, ${point.symbols} symbols`, value: `not measurable: ${point.failedWorkers} of ${point.symbols} workers were declared WORKER_FAILED at start-up (RSS of what was left: ${point.rssMb} MB)`, goal: "< 15 MB per actor", met: false }];
    }
    return [
      {
        metric: `RSS per actor, ${point.symbols} symbols`,
        value: `${round(marginal, 1)} MB marginal ((${point.rssMb} - ${baseline.rssMb}) / ${point.symbols - baseline.symbols}); ${round(perActor, 1)} MB RSS/n`,
        goal: "< 15 MB per actor",
        met: marginal < 15,
      },
    ];
  });
  return finish({
    method: `One MMS process per size (1 = baseline, ${counts.slice(1).join(", ")} symbols), its own nats-server, empty EXEC. Each symbol gets a book and a TRADING heartbeat a second and stays PAUSED (no resume). After /readyz 200 and ${settleMs / 1000} s idle, VmRSS of the main pid (worker threads share it) is read 5 times a second apart; the median is kept. Marginal = (RSS(n) - RSS(1)) / (n - 1) (the baseline has one actor because a config needs one symbol); RSS/n is also given. The start-up columns are the same runs: process start -> /readyz 200, and the CPU seconds used until then. Breakdown (bench/worker-footprint.ts): RSS added per idle worker thread in a fresh process, for a bare worker, + tsx's loader, + nats.js, + @mms/contracts (ajv validators), + the whole symbol-runtime module graph, and that with resourceLimits.maxYoungGenerationSizeMb = 4.`,
    goals,
    data: { points, workerBreakdownMbPerWorker: breakdown },
  });
}
