import { connect } from "@nats-io/transport-node";
import type { BenchOptions } from "./lib/options";
import { beginResult, loadAverage, round, type BenchResult, type GoalCheck } from "./lib/machine";
import { MarketFeed } from "./lib/market-feed";
import { scrapeMetrics } from "./lib/metrics";
import { mmsStatus, resumeAll } from "./lib/mms-control";
import { notIn, stateCounts } from "./lib/mms-state";
import { benchSymbolConfig, benchSymbols, startMms } from "./lib/mms-process";
import { startNatsServer } from "./lib/nats-server";
import { median } from "./lib/phase";
import { cpuSeconds } from "./lib/proc";
import { createExchangeStreams } from "./lib/streams";
import { sleep } from "./lib/threads";
import { workerFootprint, type FootprintRow } from "./worker-footprint";

export const STARTUP_GOAL_MS = 15_000;
export const PER_ACTOR_GOAL_MB = 15;

interface StartupPoint {
  readonly symbols: number;
  /** Process spawn -> /readyz 200 (every symbol recovered from an empty EXEC). */
  readonly readyMs: number;
  /** Spawn -> mms.status shows every symbol PAUSED/STARTUP. */
  readonly allPausedStartupMs: number;
  /** Spawn -> a resume of every symbol accepted (ACTIVE): start-up is through. */
  readonly resumableMs: number;
  /** CPU seconds of the process (every thread) until ready. */
  readonly cpuSecondsToReady: number;
  readonly loadAtStart: number;
  /** Median of 5 VmRSS reads after a settle, MB. */
  readonly rssMb: number;
  /** Median V8 heap in use of one symbol thread (mms_thread_heap_used_bytes), MB. */
  readonly symbolHeapMb: number;
  readonly states: Record<string, number>;
  readonly failedWorkers: number;
  /** Why not every symbol could be resumed (then resumableMs is NaN). */
  readonly resumeRefused: string | null;
}

/** One MMS start with `count` symbols on its own nats-server and an empty EXEC. */
async function startOnce(options: BenchOptions, count: number): Promise<StartupPoint> {
  const server = await startNatsServer();
  const bench = await connect({ servers: [server.url], name: "bench-startup" });
  await createExchangeStreams(bench);
  const symbols = benchSymbols(count, "U");
  const feed = new MarketFeed(bench, symbols, "depth");
  feed.answerSnapshots();
  feed.startHeartbeats(1000);
  const loadAtStart = loadAverage()[0];
  const mms = await startMms({ name: `startup-${count}`, natsUrl: server.url, symbols: symbols.map((symbol) => benchSymbolConfig(symbol)), env: options.mmsEnv("startup") });
  try {
    process.stdout.write(`  startup: ${count} symbols ... `);
    const readyAt = await mms.waitReady(600_000, 20);
    const cpuSecondsToReady = cpuSeconds(mms.pid);
    let statuses = await mmsStatus(bench, 10_000);
    // Every symbol PAUSED/STARTUP; a HALTED one (WORKER_FAILED) will not get there: that is the result.
    while (notIn(statuses, "PAUSED").length > 0 || statuses.some((status) => status.reason !== "STARTUP")) {
      if (performance.now() - readyAt > 120_000 || statuses.some((status) => status.state === "HALTED")) break;
      await sleep(50);
      statuses = await mmsStatus(bench, 10_000);
    }
    const allPausedStartupAt = performance.now();
    const states = stateCounts(statuses);
    const halted = statuses.filter((status) => status.state === "HALTED").length;
    const resumeRefused = halted > 0 ? `${halted} symbols HALTED` : await resumeAll(bench, symbols, 120_000).then(() => undefined, (error: Error) => error.message);
    const resumableAt = resumeRefused ? Number.NaN : performance.now();
    await sleep(options.quick ? 3000 : 10_000);
    const samples: number[] = [];
    for (let sample = 0; sample < 5; sample++) {
      samples.push(mms.rssMb());
      await sleep(1000);
    }
    const metrics = await scrapeMetrics(mms.httpPort).catch(() => []);
    const heaps = metrics.filter((sample) => sample.name === "mms_thread_heap_used_bytes" && sample.labels.thread === "symbol").map((sample) => sample.value / 1048576);
    const point: StartupPoint = {
      symbols: count,
      readyMs: round(readyAt - mms.startedAt, 0),
      allPausedStartupMs: round(allPausedStartupAt - mms.startedAt, 0),
      resumableMs: round(resumableAt - mms.startedAt, 0),
      cpuSecondsToReady: round(cpuSecondsToReady, 1),
      loadAtStart,
      rssMb: round(median(samples), 1),
      symbolHeapMb: round(median(heaps), 1),
      states,
      failedWorkers: statuses.filter((status) => status.reason === "WORKER_FAILED").length,
      resumeRefused: resumeRefused ?? null,
    };
    process.stdout.write(`ready ${point.readyMs} ms, resumable ${point.resumableMs} ms, ${point.cpuSecondsToReady} CPU s, RSS ${point.rssMb} MB, states ${JSON.stringify(states)}\n`);
    return point;
  } finally {
    feed.stop();
    await mms.stop();
    await bench.close();
    await server.stop();
  }
}

/**
 * Issue 12 goal 6: 100 symbols from an empty EXEC to ready (every symbol PAUSED/STARTUP and
 * resumable), the CPU it took, RSS per actor (marginal over a 1-symbol start) and where a
 * worker's memory goes against a bare isolate (the floor: an empty worker thread).
 */
export async function runStartup(options: BenchOptions): Promise<BenchResult> {
  const finish = beginResult("startup", "Start-up of 100 symbols and RSS per actor", options.quick);
  const count = options.quick ? 10 : 100;
  process.stdout.write("  startup floor: bare isolates and the worker breakdown ... ");
  const breakdown: FootprintRow[] = workerFootprint(options.quick ? 4 : 12, { bare: count });
  process.stdout.write(`${breakdown.map((row) => `${row.kind} ${row.perWorkerMb} MB`).join(", ")}\n`);
  const baseline = await startOnce(options, 1);
  const point = await startOnce(options, count);
  const marginalMb = round((point.rssMb - baseline.rssMb) / (count - 1), 1);
  const bare = breakdown.find((row) => row.kind === "bare");
  const valid = point.failedWorkers === 0 && point.resumeRefused === null;
  const goals: GoalCheck[] = [
    {
      metric: `start-up of ${count} symbols: spawn -> ready and resumable`,
      value: `${point.resumableMs} ms (readyz ${point.readyMs} ms; all PAUSED/STARTUP ${point.allPausedStartupMs} ms; ${point.cpuSecondsToReady} CPU s to ready; floor: ${count} bare isolates spawned in ${bare?.spawnAllMs ?? "?"} ms)${point.failedWorkers ? `; ${point.failedWorkers} WORKER_FAILED` : ""}${point.resumeRefused ? `; not resumable: ${point.resumeRefused}` : ""}`,
      goal: `<= ${STARTUP_GOAL_MS / 1000} s (100 symbols, 2 cores)`,
      met: valid && count >= 100 && point.resumableMs <= STARTUP_GOAL_MS,
    },
    {
      metric: `RSS per actor (${count} symbols, marginal over 1)`,
      value: `${marginalMb} MB ((${point.rssMb} - ${baseline.rssMb}) / ${count - 1}); total ${point.rssMb} MB; bare isolate ${bare?.perWorkerMb ?? "?"} MB; symbol thread heap ${point.symbolHeapMb} MB`,
      goal: `<= ${PER_ACTOR_GOAL_MB} MB`,
      met: valid && marginalMb <= PER_ACTOR_GOAL_MB,
    },
  ];
  return finish({
    method: `Floor first: ${count} empty worker threads (bare isolates) spawned at once in a plain node process, then the breakdown of a worker's RSS by what it loads (bench/worker-footprint.ts: bare, + nats.js, + @mms/contracts, + apps/mms/dist/symbol-runtime.js, + the MMS's resource limits; ${options.quick ? 4 : 12} workers a kind, one process a kind). Then the MMS with 1 symbol and with ${count} symbols, each on its own nats-server with an empty EXEC, books answered and a TRADING heartbeat a second: spawn -> /readyz 200, -> mms.status shows every symbol PAUSED/STARTUP, -> a resume of every symbol accepted; CPU seconds (utime+stime) until ready; after a settle, the median of 5 VmRSS reads. RSS per actor = (RSS(${count}) - RSS(1)) / ${count - 1}.`,
    goals,
    data: { baseline, point, marginalMb, breakdown },
  });
}
