import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { parse as parseYaml } from "yaml";
import type { ServiceConfigInput, SymbolConfigInput } from "@mms/contracts";
import type { BenchOptions } from "./lib/options";
import { beginResult, REPO_ROOT, RESULTS_DIRECTORY, round, type BenchResult, type GoalCheck } from "./lib/machine";
import { startExchangeSim } from "./lib/exchange-sim-process";
import { maxOf, scrapeMetrics, sumOf, type MetricSample } from "./lib/metrics";
import { AlertWatch, control, mmsStatus, OPERATOR_BODY, reasonCounts, resumeAll } from "./lib/mms-control";
import { stateCounts } from "./lib/mms-state";
import { startMms } from "./lib/mms-process";
import { startNatsServer } from "./lib/nats-server";
import { percentile, slope } from "./lib/stats";
import { getFreePort } from "@mms/test-support";
import { heapAfterGc, PostGcProbe, threadSampleOf, windowsFullAt, ACTOR_WINDOW_CAPACITY, type ThreadSample } from "./lib/soak-memory";
import { sleep } from "./lib/threads";
import { Teardown } from "./lib/teardown";

/** Memory counts as flat when the least-squares slope over the second half stays under these. */
export const FLAT_RSS_MB_PER_HOUR = 10;
export const FLAT_HEAP_MB_PER_HOUR = 5;

interface SoakSample {
  /** Seconds since the soak began. */
  readonly t: number;
  readonly rssMb: number;
  /** V8 heap in use over every sampled thread (coordinator + symbol threads), MB. */
  readonly heapMb: number;
  /** Largest per-thread event-loop delay p99 / max over the last second, ms. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly fills: number;
  readonly marketDataMessages: number;
}

function sampleOf(t: number, metrics: readonly MetricSample[]): SoakSample {
  return {
    t: round(t, 1),
    rssMb: round(sumOf(metrics, "process_resident_memory_bytes") / 1048576, 1),
    heapMb: round(sumOf(metrics, "mms_thread_heap_used_bytes") / 1048576, 2),
    loopDelayP99Ms: round(maxOf(metrics, "mms_thread_event_loop_delay_seconds") * 1000, 2),
    loopDelayMaxMs: round(maxOf(metrics, "mms_thread_event_loop_delay_max_seconds") * 1000, 2),
    fills: sumOf(metrics, "mms_orders_filled_total"),
    marketDataMessages: sumOf(metrics, "mms_market_data_messages_total"),
  };
}

/** Heap low points are taken per window of this length (see windowMinima). */
const HEAP_WINDOW_SECONDS = 60;
/**
 * Fast fills: a taker on every 10 ms driver step (the default: 30 % of the 200 ms steps),
 * 5 to 40 lots (default 1 to 5), so most fills take a whole quote and close an order.
 */
const FAST_FILL_DRIVER = { intervalMs: 10, settings: { takerProbability: 1, takerMinLots: 5, takerMaxLots: 40 } };

export function simulatorArguments(fastFills: boolean): string[] {
  if (!fastFills) return [];
  const path = join(RESULTS_DIRECTORY, "logs", "soak-exchange-sim-fast-fills.json");
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ driver: FAST_FILL_DRIVER }));
  return ["--config", path];
}

/**
 * The demo's symbols and risk (deploy/config/demo.yaml): what the simulator knows how to
 * trade. With fast fills the fill-burst guard, order rate, position and loss limits are opened
 * up: the soak measures memory, and a stopped or throttled symbol would stop filling.
 */
export function demoConfig(fastFills: boolean): { symbols: SymbolConfigInput[]; risk: ServiceConfigInput["risk"] } {
  const raw = parseYaml(readFileSync(join(REPO_ROOT, "deploy/config/demo.yaml"), "utf8")) as ServiceConfigInput;
  if (!fastFills) return { symbols: raw.symbols, risk: raw.risk };
  const symbols = raw.symbols.map((symbol) => ({
    ...symbol,
    maxPosition: "1000000",
    maxOrdersPerSecond: 50,
    mmp: { windowMs: 1000, maxFills: 1_000_000, maxFillQty: "1000000", maxNetQty: "1000000", frozenMs: 1000 },
  }));
  return { symbols, risk: { ...raw.risk, maxTotalExposure: "1000000000000", maxDrawdown: "1000000000000" } };
}

/**
 * Issue 14: the MMS against the exchange simulator (background makers and takers, so its
 * quotes are filled) at a steady load for --soak-minutes; /metrics sampled every few
 * seconds. Memory is flat when the RSS and heap slopes over the second half are small.
 */
export async function runSoak(options: BenchOptions): Promise<BenchResult> {
  const finish = beginResult("soak", `Soak: ${options.quick ? "quick" : `${options.soakMinutes} min`} against the exchange simulator`, options.quick);
  const minutes = options.quick ? 1 : options.soakMinutes;
  const everyMs = options.quick ? 2000 : 5000;
  const { symbols, risk } = demoConfig(options.soakFastFills);
  const names = symbols.map((symbol) => symbol.symbol);
  const teardown = new Teardown();
  try {
    const server = teardown.add(await startNatsServer(), (started) => started.stop());
    const bench = teardown.add(await connect({ servers: [server.url], name: "bench-soak" }), (connection) => connection.close());
    teardown.add(await startExchangeSim(server.url, names, join(RESULTS_DIRECTORY, "logs", "soak-exchange-sim.log"), simulatorArguments(options.soakFastFills)), (started) => started.stop());
    const auditLog = { held: 0, dropped: 0 };
    const inspectPort = await getFreePort();
    const mms = teardown.add(
      await startMms({
        name: "soak",
        natsUrl: server.url,
        symbols,
        risk,
        env: options.mmsEnv("soak"),
        // For the post-GC heap probe (PostGcProbe); loopback only.
        nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`],
        onLogLine: (line) => {
          const message = String(line.message ?? "");
          if (message.startsWith("audit event dropped")) auditLog.dropped += 1;
          else if (message.startsWith("audit event not stored yet")) auditLog.held += 1;
        },
      }),
      (started) => started.stop(),
    );
    const alerts = teardown.add(new AlertWatch(), (watch) => watch.stop());
    alerts.listen(bench);
    const samples: SoakSample[] = [];
    const threadSamples: ThreadSample[] = [];
    let auditMetrics: Record<string, number> = {};
    await mms.waitReady(300_000);
    await resumeAll(bench, names, 60_000);
    const probe = await PostGcProbe.connect(inspectPort).catch((error: Error) => {
      process.stdout.write(`  (no post-GC heap probe: ${error.message})\n`);
      return undefined;
    });
    if (probe) teardown.add(probe, (connected) => connected.close());
    const startedAt = performance.now();
    const endAt = startedAt + minutes * 60_000;
    process.stdout.write(`  soak: ${minutes} min, ${names.join(", ")}, a sample every ${everyMs / 1000} s ...`);
    let lastReport = startedAt;
    // A soak of memory needs steady fills: a symbol an automatic stop paused (BUS_LAG on a
    // loaded machine) is resumed once the stop's cause allows. The alerts are still reported.
    let resumes = 0;
    while (performance.now() < endAt) {
      await sleep(everyMs);
      if (!mms.running()) throw new Error("the MMS exited during the soak");
      const metrics = await scrapeMetrics(mms.httpPort).catch(() => undefined);
      if (!metrics) continue;
      const t = (performance.now() - startedAt) / 1000;
      samples.push(sampleOf(t, metrics));
      threadSamples.push(threadSampleOf(round(t, 1), metrics));
      // mms_audit_events_held and mms_audit_events_dropped_total, per symbol.
      auditMetrics = Object.fromEntries(metrics.filter((sample) => /audit_event/.test(sample.name)).map((sample) => [`${sample.name}${JSON.stringify(sample.labels)}`, sample.value]));
      if (probe && samples.length % Math.round(60_000 / everyMs) === 0) await probe.sample(round(t, 1)).catch(() => undefined);
      if (alerts.alerts.length > 0 && samples.length % 6 === 0) {
        const reply = await control(bench, "all", "resume", OPERATOR_BODY, 10_000).catch(() => undefined);
        resumes += reply?.results.filter((result) => result.accepted && result.from !== "ACTIVE" && result.to === "ACTIVE").length ?? 0;
      }
      if (performance.now() - lastReport >= 60_000) {
        lastReport = performance.now();
        const last = samples[samples.length - 1]!;
        process.stdout.write(`\n    ${Math.round(last.t / 60)} min: RSS ${last.rssMb} MB, heap ${last.heapMb} MB, fills ${last.fills}, alerts ${alerts.alerts.length}`);
      }
    }
    process.stdout.write("\n");
    const statuses = await mmsStatus(bench, 10_000);
    const secondHalf = samples.filter((sample) => sample.t >= (minutes * 60) / 2);
    const hours = (points: ReadonlyArray<readonly [number, number]>) => round(slope(points) * 3600, 2);
    const rssSlope = hours(secondHalf.map((sample) => [sample.t, sample.rssMb]));
    const heapSlope = hours(secondHalf.map((sample) => [sample.t, sample.heapMb]));
    const heapLow = heapAfterGc(threadSamples, (minutes * 60) / 2, HEAP_WINDOW_SECONDS);
    const postGc = probe?.slopes((minutes * 60) / 2);
    // The goal reads the probe's heap after a full GC when it has enough points, else the window low points.
    const heapJudged = postGc && postGc.points >= 3 ? postGc.total : heapLow.totalSlopeMbPerHour;
    const windowsFull = windowsFullAt(threadSamples);
    const fullBeforeHalf = Object.values(windowsFull).every((full) => [full.fillIds, full.closedOrders, full.execIds].every((at) => at !== undefined && at <= (minutes * 60) / 2));
    const p99s = samples.map((sample) => sample.loopDelayP99Ms).sort((a, b) => a - b);
    const loopP99 = round(percentile(p99s, 0.99), 2);
    const loopMax = round(Math.max(...samples.map((sample) => sample.loopDelayMaxMs)), 2);
    const first = samples[0];
    const last = samples[samples.length - 1];
    const fills = (last?.fills ?? 0) - (first?.fills ?? 0);
    const alertCounts = reasonCounts(alerts.alerts);
    const droppedMetric = Object.entries(auditMetrics).filter(([name]) => name.startsWith("mms_audit_events_dropped")).reduce((sum, [, value]) => sum + value, 0);
    // Heap judged on its low points (what survives collection), not on where the saw-tooth was sampled.
    const flat = secondHalf.length >= 3 && rssSlope <= FLAT_RSS_MB_PER_HOUR && heapJudged <= FLAT_HEAP_MB_PER_HOUR;
    const goals: GoalCheck[] = [
      {
        metric: `memory flat over ${minutes} min (slope of the second half)`,
        value: `RSS ${rssSlope} MB/h (${first?.rssMb} -> ${last?.rssMb} MB), heap after a full GC ${postGc ? `${postGc.total} MB/h (inspector probe, ${postGc.points} points; per thread ${JSON.stringify(postGc.perThread)})` : "not probed"}, heap low points ${heapLow.totalSlopeMbPerHour} MB/h (per-minute minima; per thread ${JSON.stringify(heapLow.slopeMbPerHour)}), heap as sampled ${heapSlope} MB/h (${first?.heapMb} -> ${last?.heapMb} MB), ${samples.length} samples`,
        goal: `RSS <= ${FLAT_RSS_MB_PER_HOUR} MB/h, heap after GC <= ${FLAT_HEAP_MB_PER_HOUR} MB/h`,
        met: options.quick ? null : flat,
        ...(options.quick ? { note: "a quick soak is too short to judge" } : fullBeforeHalf ? {} : { note: `the actor's ${ACTOR_WINDOW_CAPACITY}-id windows were not all full by the second half (still filling: a plateau not shown; --soak-fast-fills fills them)` }),
      },
      { metric: "actor windows full (seconds into the soak)", value: JSON.stringify(windowsFull), goal: `(reported; each holds ${ACTOR_WINDOW_CAPACITY} ids)`, met: null },
      { metric: "event-loop delay, worst thread", value: `p99 ${loopP99} ms (99th percentile of the per-second p99 samples), max ${loopMax} ms`, goal: "(reported)", met: null },
      { metric: "alerts raised", value: `${Object.keys(alertCounts).length ? JSON.stringify(alertCounts) : "none"}; ${resumes} symbol resumes by the soak after them`, goal: "(reported)", met: null },
      { metric: "audit events held / dropped", value: `${auditLog.held} held for a retry, ${auditLog.dropped} dropped (log lines)${Object.keys(auditMetrics).length ? `; metrics at the end ${JSON.stringify(auditMetrics)}` : "; no audit-event metric exposed"}`, goal: "0 dropped", met: auditLog.dropped === 0 && droppedMetric === 0 },
      { metric: "fills during the soak", value: `${fills} fills, ${(last?.marketDataMessages ?? 0) - (first?.marketDataMessages ?? 0)} market-data messages; states at the end ${JSON.stringify(stateCounts(statuses))}`, goal: "(reported)", met: null },
    ];
    return finish({
      method: `nats-server, the exchange simulator (apps/exchange-sim/dist/main.js, seed 1: background makers and takers every 200 ms, so the MMS's quotes get filled) and the MMS with the demo's symbols and risk (deploy/config/demo.yaml), every symbol resumed; then ${minutes} min of steady load. Every ${everyMs / 1000} s the MMS's /metrics: process_resident_memory_bytes, mms_thread_heap_used_bytes summed over threads, the largest per-thread event-loop delay p99 and max (mms_thread_event_loop_delay_*; the risk thread is not sampled), fills and market-data counters. Slopes: least squares over the second half, MB per hour. Memory is flat when RSS <= ${FLAT_RSS_MB_PER_HOUR} MB/h and the heap after GC (below) <= ${FLAT_HEAP_MB_PER_HOUR} MB/h. Alerts: mms.events.*.alert; after one, every 30 s the soak sends resume to all (a paused symbol resumes once its cause is gone), counted. Heap after GC: once a minute, through the MMS's inspector (--inspect on loopback), a full collection in each thread and its heap right after it (HeapProfiler.collectGarbage, Runtime.getHeapUsage; risk thread included), least squares over the second half, summed over threads for the goal; also per thread the lowest gauge sample of each ${HEAP_WINDOW_SECONDS} s window (the saw-tooth's low points), used for the goal when the probe has fewer than 3 points. ${options.soakFastFills ? `Fast fills (--soak-fast-fills): the simulator's driver ${JSON.stringify(FAST_FILL_DRIVER)} (a taker every 10 ms, 5-40 lots), the MMS's fill-burst guard, position and loss limits opened up and 50 orders/s, so the actor's ${ACTOR_WINDOW_CAPACITY}-id windows fill early and the second half shows their plateau. ` : ""}Audit events held/dropped: the AuditEventStore's log lines and mms_audit_events_held / mms_audit_events_dropped_total.`,
      goals,
      data: { minutes, everyMs, fastFills: options.soakFastFills, resumes, samples, threadSamples, rssSlopeMbPerHour: rssSlope, heapSlopeMbPerHour: heapSlope, heapAfterGc: heapLow, postGcHeap: probe?.points ?? [], postGcSlopes: postGc, windowsFull, loopDelayP99Ms: loopP99, loopDelayMaxMs: loopMax, fills, alerts: alertCounts, auditLog, auditMetrics },
    });
  } finally {
    await teardown.run();
  }
}
