import { connect } from "@nats-io/transport-node";
import type { BenchOptions } from "./lib/options";
import { beginResult, loadAverage, round, type BenchResult, type GoalCheck } from "./lib/machine";
import { AlertWatch, mmsStatus, reasonCounts, resumeAll } from "./lib/mms-control";
import { benchSymbolConfig, benchSymbols, startMms } from "./lib/mms-process";
import { startNatsServer, type BenchNatsServer } from "./lib/nats-server";
import { cpuMeter } from "./lib/proc";
import { PublisherPool } from "./lib/publisher";
import { slope } from "./lib/stats";
import { createExchangeStreams } from "./lib/streams";
import { ExchangeStub } from "./lib/exchange-stub";
import { sleep } from "./lib/threads";

interface Connz {
  connections: Array<{ name?: string; out_msgs: number; pending_bytes: number }>;
}

/** Messages the server has delivered to the MMS's symbol connections, and their largest outbound backlog. */
async function deliveredToMms(server: BenchNatsServer, symbols: ReadonlySet<string>): Promise<{ outMessages: number; maxPendingBytes: number }> {
  const connz = await server.monitor<Connz>("/connz?limit=1024");
  let outMessages = 0;
  let maxPendingBytes = 0;
  for (const connection of connz.connections) {
    const name = connection.name ?? "";
    if (!name.startsWith("mms-bench") || ![...symbols].some((symbol) => name.endsWith(`-${symbol}`))) continue;
    outMessages += connection.out_msgs;
    maxPendingBytes = Math.max(maxPendingBytes, connection.pending_bytes);
  }
  return { outMessages, maxPendingBytes };
}

export interface ThroughputStep {
  readonly targetRate: number;
  readonly achievedRate: number;
  readonly deliveredRate: number;
  readonly seconds: number;
  readonly passed: boolean;
  readonly failures: string[];
  readonly alerts: Record<string, number>;
  readonly notActiveAtEnd: string[];
  readonly rssMb: { readonly start: number; readonly max: number; readonly end: number; readonly slopeMbPerSecondSecondHalf: number };
  readonly maxServerPendingBytes: number;
  readonly cpuCores: Record<string, number>;
  readonly publisherMaxBehind: number;
  readonly loadAverage: readonly number[];
}

/**
 * Benchmark 2: the highest aggregate market-data rate over 20 ACTIVE symbols the MMS
 * sustains for the whole step with no pause (any alert, BUS_LAG above all), every symbol
 * still ACTIVE at the end, the publishers reaching >= 97% of the target, and RSS bounded.
 */
export async function runThroughput(options: BenchOptions): Promise<BenchResult> {
  const finish = beginResult("throughput", "Market-data throughput (20 symbols, no BUS_LAG)", options.quick);
  const symbols = benchSymbols(20);
  const symbolSet = new Set(symbols);
  const rates = options.steps ?? (options.quick ? [2000, 5000] : [5000, 10_000, 15_000, 20_000, 35_000, 50_000, 70_000]);
  const durationMs = options.quick ? 5000 : 30_000;
  const server = await startNatsServer();
  const control = await connect({ servers: [server.url], name: "bench-control" });
  await createExchangeStreams(control, { maxMessages: 1_000_000 });
  const stub = await ExchangeStub.start(server.url);
  const publishers = await PublisherPool.start(server.url, symbols, "depth", 2);
  const mms = await startMms({ name: "throughput", natsUrl: server.url, symbols: symbols.map((symbol) => benchSymbolConfig(symbol)), env: options.mmsEnv("throughput") });
  const alerts = new AlertWatch();
  alerts.listen(control);
  const steps: ThroughputStep[] = [];
  try {
    await mms.waitReady(300_000);
    for (const rate of rates) {
      await resumeAll(control, symbols, 60_000);
      await sleep(1000);
      process.stdout.write(`  throughput: ${rate}/s for ${durationMs / 1000}s ... `);
      const startedAt = performance.now();
      const deliveredBefore = await deliveredToMms(server, symbolSet);
      const rss: Array<[number, number]> = [];
      let maxPending = 0;
      const meter = cpuMeter({ mms: mms.pid, natsServer: server.pid, bench: process.pid });
      const sampler = setInterval(() => {
        rss.push([(performance.now() - startedAt) / 1000, mms.rssMb()]);
        void deliveredToMms(server, symbolSet).then((delivered) => (maxPending = Math.max(maxPending, delivered.maxPendingBytes)), () => undefined);
      }, 1000);
      const outcome = await publishers.run(rate, durationMs);
      const cpuCores = meter.stop();
      // Whatever is still queued must be handled in time too: a late BUS_LAG counts.
      await sleep(2500);
      clearInterval(sampler);
      const deliveredAfter = await deliveredToMms(server, symbolSet);
      const statuses = await mmsStatus(control);
      const notActive = statuses.filter((status) => status.state !== "ACTIVE").map((status) => `${status.symbol}:${status.state}/${status.reason}`);
      const stepAlerts = reasonCounts(alerts.since(startedAt));
      const rssValues = rss.map(([, value]) => value);
      const secondHalf = rss.filter(([time]) => time >= durationMs / 2000);
      const rssSummary = {
        start: round(rssValues[0] ?? Number.NaN, 1),
        max: round(Math.max(...rssValues), 1),
        end: round(rssValues[rssValues.length - 1] ?? Number.NaN, 1),
        slopeMbPerSecondSecondHalf: round(slope(secondHalf), 2),
      };
      const failures: string[] = [];
      if (Object.keys(stepAlerts).length > 0) failures.push(`alerts ${JSON.stringify(stepAlerts)}`);
      if (notActive.length > 0) failures.push(`not ACTIVE: ${notActive.slice(0, 5).join(", ")}${notActive.length > 5 ? "..." : ""}`);
      if (outcome.achievedRate < 0.97 * rate) failures.push(`publishers reached only ${Math.round(outcome.achievedRate)}/s`);
      // Bounded: the peak stays within 1.5x the start + 256 MB (GC saw-teeth of 20 heaps are normal; a runaway is not).
      if (rssSummary.max > 1.5 * rssSummary.start + 256) failures.push(`RSS grew ${rssSummary.start} -> max ${rssSummary.max} MB`);
      const step: ThroughputStep = {
        targetRate: rate,
        achievedRate: round(outcome.achievedRate, 0),
        // Everything delivered by the end of the drain, over the publishing time (heartbeats, 40/s, included).
        deliveredRate: round((deliveredAfter.outMessages - deliveredBefore.outMessages) / outcome.seconds, 0),
        seconds: round(outcome.seconds, 1),
        passed: failures.length === 0,
        failures,
        alerts: stepAlerts,
        notActiveAtEnd: notActive,
        rssMb: rssSummary,
        maxServerPendingBytes: maxPending,
        cpuCores,
        publisherMaxBehind: outcome.maxBehind,
        loadAverage: loadAverage(),
      };
      steps.push(step);
      process.stdout.write(`${step.passed ? "pass" : `FAIL (${failures.join("; ")})`}; published ${step.achievedRate}/s, cpu ${JSON.stringify(cpuCores)}, rss ${rssSummary.start}->${rssSummary.end} MB\n`);
      if (!step.passed) break;
    }
    const best = steps.filter((step) => step.passed).reduce<ThroughputStep | undefined>((highest, step) => (!highest || step.targetRate > highest.targetRate ? step : highest), undefined);
    const goals: GoalCheck[] = [
      {
        metric: "highest sustained rate (20 symbols)",
        value: best ? `${best.targetRate} msg/s (${steps.length > (steps.indexOf(best) + 1) ? `next step ${steps[steps.indexOf(best) + 1]!.targetRate}/s failed` : "highest step tried"})` : `none of ${rates.join(", ")} passed`,
        goal: ">= 50,000 msg/s",
        met: (best?.targetRate ?? 0) >= 50_000,
      },
    ];
    return finish({
      method: `20 ACTIVE symbols, 10 levels a side; each delta changes the quantity of one bid and one ask level (the mid never moves, so the whole quoting path runs and no intent is due). Two publisher threads, each with its own connection and 10 symbols, publish evenly paced deltas (plus TRADING heartbeats); steps of ${durationMs / 1000} s (+2.5 s to drain). A step passes with no alert event (BUS_LAG = a message handled > maxLagMs 2000 after it was sent, or a slow consumer), every symbol ACTIVE at the end (mms.status), publishers >= 97% of the target, and RSS bounded (peak <= 1.5x the step's first sample + 256 MB; the second-half slope is recorded). Delivered rate = messages the server sent to the MMS's symbol connections (/connz).`,
      goals,
      data: { steps, durationMs, stub: (await stub.state()).counts },
    });
  } finally {
    alerts.stop();
    await mms.stop();
    await publishers.stop();
    await stub.stop();
    await control.close();
    await server.stop();
  }
}
