import { connect } from "@nats-io/transport-node";
import type { BenchOptions } from "./lib/options";
import { ExchangeStub } from "./lib/exchange-stub";
import { beginResult, round, type BenchResult, type GoalCheck } from "./lib/machine";
import { MarketFeed } from "./lib/market-feed";
import { AlertWatch, reasonCounts, resumeAll } from "./lib/mms-control";
import { notActive, shortList } from "./lib/mms-state";
import { benchSymbolConfig, benchSymbols, startMms } from "./lib/mms-process";
import { startMinimalConsumer } from "./lib/minimal";
import { startNatsServer } from "./lib/nats-server";
import { beginPhase, phaseSummary, type PhaseRecord } from "./lib/phase";
import { threadCpuSeconds } from "./lib/proc";
import { createExchangeStreams } from "./lib/streams";
import { sleep } from "./lib/threads";
import { Teardown } from "./lib/teardown";

export const IDLE_GOAL_CORES = 0.05;
/** One TRADING heartbeat a second a symbol: what keeps a symbol ACTIVE (staleMs 3000, contract "Faults"). */
const HEARTBEAT_MS = 1000;

/** CPU seconds of each thread of `pid` over `run()`: the main thread and the busiest others. */
async function threadsOver(pid: number, run: () => Promise<void>): Promise<{ mainThread: number; otherThreads: number; busiest: Array<{ tid: number; name: string; seconds: number }> }> {
  const before = new Map(threadCpuSeconds(pid).map((thread) => [thread.tid, thread.seconds]));
  await run();
  const used = threadCpuSeconds(pid).map((thread) => ({ ...thread, seconds: round(thread.seconds - (before.get(thread.tid) ?? 0), 2) }));
  const main = used.find((thread) => thread.tid === pid)?.seconds ?? 0;
  const others = used.filter((thread) => thread.tid !== pid);
  return { mainThread: main, otherThreads: round(others.reduce((sum, thread) => sum + thread.seconds, 0), 2), busiest: others.sort((a, b) => b.seconds - a.seconds).slice(0, 5) };
}

/**
 * Issue 12 goal 2: 20 ACTIVE symbols (quotes resting at the stub) with nothing but the
 * heartbeats that keep them ACTIVE. Phases: floor (a relay parsing the same heartbeats),
 * MMS, floor, MMS; cores = CPU seconds of the process / wall seconds.
 */
export async function runIdle(options: BenchOptions): Promise<BenchResult> {
  const finish = beginResult("idle", "Idle: 20 ACTIVE symbols, heartbeats only", options.quick);
  const symbols = benchSymbols(20, "I");
  const floorMs = options.quick ? 3000 : 10_000;
  const mmsMs = options.quick ? 8000 : 30_000;
  const teardown = new Teardown();
  try {
    const server = teardown.add(await startNatsServer(), (started) => started.stop());
    const bench = teardown.add(await connect({ servers: [server.url], name: "bench-idle" }), (connection) => connection.close());
    await createExchangeStreams(bench);
    teardown.add(await ExchangeStub.start(server.url), (started) => started.stop());
    const feed = teardown.add(new MarketFeed(bench, symbols, "depth"), (started) => started.stop());
    feed.answerSnapshots();
    feed.startHeartbeats(HEARTBEAT_MS);
    const floor = teardown.add(await startMinimalConsumer("floor", server.url, symbols, "md"), (started) => started.stop());
    const mms = teardown.add(await startMms({ name: "idle", natsUrl: server.url, symbols: symbols.map((symbol) => benchSymbolConfig(symbol)), env: options.mmsEnv("idle") }), (started) => started.stop());
    const alerts = teardown.add(new AlertWatch(), (watch) => watch.stop());
    alerts.listen(bench);
    await mms.waitReady(300_000);
    await resumeAll(bench, symbols, 60_000);
    // Let the start-up work (first quotes, acks, countdowns) settle before measuring.
    await sleep(options.quick ? 2000 : 10_000);
    const startedAt = performance.now();
    const processes = { mms: mms.pid, floor: floor.pid, natsServer: server.pid, bench: process.pid };
    const phases: PhaseRecord[] = [];
    let threads: Awaited<ReturnType<typeof threadsOver>> | undefined;
    for (const round of [1, 2]) {
      process.stdout.write(`  idle round ${round}: floor ${floorMs / 1000}s, MMS ${mmsMs / 1000}s ... `);
      const statusesBefore = feed.publishedStatuses;
      const floorPhase = beginPhase("floor", round, processes);
      await sleep(floorMs);
      phases.push(floorPhase.finish(feed.publishedStatuses - statusesBefore));
      const mmsBefore = feed.publishedStatuses;
      const mmsPhase = beginPhase("mms", round, processes);
      const measured = await threadsOver(mms.pid, () => sleep(mmsMs));
      threads ??= measured;
      const record = mmsPhase.finish(feed.publishedStatuses - mmsBefore);
      phases.push(record);
      process.stdout.write(`MMS ${record.cores.mms} cores (floor ${phases[phases.length - 2]!.cores.floor}), load ${record.loadAtStart}\n`);
    }
    const stillDown = await notActive(bench);
    const idleAlerts = reasonCounts(alerts.since(startedAt));
    const mmsSummary = phaseSummary(phases, "mms");
    const floorSummary = phaseSummary(phases, "floor");
    const valid = stillDown.length === 0 && Object.keys(idleAlerts).length === 0;
    const goals: GoalCheck[] = [
      {
        metric: "cores used by the MMS, 20 ACTIVE symbols, heartbeats only",
        value: `${mmsSummary.cores} cores (median of ${phases.filter((phase) => phase.subject === "mms").length} phases; floor ${floorSummary.cores})${valid ? "" : `; not valid: ${stillDown.length ? `not ACTIVE ${shortList(stillDown)}` : ""} ${Object.keys(idleAlerts).length ? `alerts ${JSON.stringify(idleAlerts)}` : ""}`}`,
        goal: `<= ${IDLE_GOAL_CORES} cores`,
        met: valid && mmsSummary.cores <= IDLE_GOAL_CORES,
      },
    ];
    return finish({
      method: `20 symbols resumed to ACTIVE, both quotes resting at the exchange stub; then nothing but a TRADING heartbeat a second a symbol (${(symbols.length * 1000) / HEARTBEAT_MS} msg/s in all: a symbol with no market data for staleMs 3000 pauses MD_STALE). After a ${options.quick ? 2 : 10} s settle: floor phase ${floorMs / 1000} s (a relay parsing the same heartbeats), MMS phase ${mmsMs / 1000} s, twice. Cores = CPU seconds of the whole process (/proc/<pid>/stat) / wall seconds. Valid only if every symbol is still ACTIVE and no alert came.`,
      goals,
      data: { phases, mmsThreadsFirstPhase: threads, notActiveAtEnd: stillDown, alerts: idleAlerts, heartbeatMs: HEARTBEAT_MS },
    });
  } finally {
    await teardown.run();
  }
}
