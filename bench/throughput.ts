import { connect } from "@nats-io/transport-node";
import type { BenchOptions } from "./lib/options";
import { beginResult, round, type BenchResult, type GoalCheck } from "./lib/machine";
import { AlertWatch, reasonCounts, resumeAll } from "./lib/mms-control";
import { notActive, shortList } from "./lib/mms-state";
import { benchSymbolConfig, benchSymbols, startMms } from "./lib/mms-process";
import { startMinimalConsumer } from "./lib/minimal";
import { FLOOR_PREFIX, THREAD_FLOOR_PREFIX } from "./lib/market-feed";
import { startNatsServer, type BenchNatsServer } from "./lib/nats-server";
import { beginPhase, type PhaseRecord } from "./lib/phase";
import { PublisherPool } from "./lib/publisher";
import { slope } from "./lib/stats";
import { createExchangeStreams } from "./lib/streams";
import { ExchangeStub } from "./lib/exchange-stub";
import { sleep } from "./lib/threads";
import { Teardown } from "./lib/teardown";

interface Connz {
  connections: Array<{ name?: string; out_msgs: number; pending_bytes: number }>;
}

/** Messages the server has delivered to the MMS's connections, and their largest outbound backlog. */
export async function deliveredToMms(server: BenchNatsServer): Promise<{ outMessages: number; maxPendingBytes: number }> {
  const connz = await server.monitor<Connz>("/connz?limit=1024");
  let outMessages = 0;
  let maxPendingBytes = 0;
  for (const connection of connz.connections) {
    if (!(connection.name ?? "").startsWith("mms-bench")) continue;
    outMessages += connection.out_msgs;
    maxPendingBytes = Math.max(maxPendingBytes, connection.pending_bytes);
  }
  return { outMessages, maxPendingBytes };
}

export const GOAL_RATE = 50_000;
export const GOAL_MICROS_PER_MESSAGE = 20;

export interface ThroughputStep {
  readonly targetRate: number;
  readonly achievedRate: number;
  readonly deliveredRate: number;
  readonly seconds: number;
  readonly held: boolean;
  readonly failures: string[];
  readonly alerts: Record<string, number>;
  readonly notActiveAtEnd: string[];
  readonly rssMb: { readonly start: number; readonly max: number; readonly end: number; readonly slopeMbPerMinuteSecondHalf: number };
  readonly maxServerPendingBytes: number;
  readonly publisherMaxBehind: number;
  /** The floor's phase (same deltas, floor.md.*) and the MMS's phase of this step. */
  readonly floor: PhaseRecord;
  /** The thread floor's phase (same deltas, tfloor.md.*): 20 threads, 20 connections, JSON.parse only; the least the MMS's design costs. */
  readonly threadFloor?: PhaseRecord;
  readonly mms: PhaseRecord;
}

/** A step that could not run: the MMS was not in a state to be measured. */
function notHeldStep(rate: number, floor: PhaseRecord, failure: string): ThroughputStep {
  const none = { ...floor, subject: "mms" as const, seconds: 0, messages: 0, cpuSeconds: {}, cores: {}, microsPerMessage: Number.NaN };
  return { targetRate: rate, achievedRate: 0, deliveredRate: 0, seconds: 0, held: false, failures: [failure], alerts: {}, notActiveAtEnd: [], rssMb: { start: Number.NaN, max: Number.NaN, end: Number.NaN, slopeMbPerMinuteSecondHalf: Number.NaN }, maxServerPendingBytes: 0, publisherMaxBehind: 0, floor, mms: none };
}

/** Steps of the goal run: shorter below the goal rate, 60 s at it. */
function stepPlan(options: BenchOptions): Array<{ rate: number; durationMs: number }> {
  const rates = options.steps ?? (options.quick ? [2000, 5000] : [5000, 10_000, 20_000, 30_000, 40_000, 50_000]);
  return rates.map((rate) => ({ rate, durationMs: options.quick ? 4000 : rate >= GOAL_RATE ? 60_000 : 15_000 }));
}

/**
 * Issue 12 goal 1: depth-only deltas over 20 ACTIVE symbols in steps of rate. Each step
 * is a floor phase (the relay parses and republishes the same deltas on floor.md.*; the
 * MMS only gets its heartbeats) and then an MMS phase, never both at once. A step is held
 * with no alert event, every symbol ACTIVE after it, the publishers at >= 97% of the rate.
 */
export async function runThroughput(options: BenchOptions): Promise<BenchResult> {
  const finish = beginResult("throughput", "Throughput: depth-only deltas over 20 symbols", options.quick);
  const symbols = benchSymbols(20);
  const plan = stepPlan(options);
  const floorMs = options.quick ? 3000 : 10_000;
  const teardown = new Teardown();
  try {
    const server = teardown.add(await startNatsServer(), (started) => started.stop());
    const control = teardown.add(await connect({ servers: [server.url], name: "bench-control" }), (connection) => connection.close());
    await createExchangeStreams(control, { maxMessages: 1_000_000 });
    const stub = teardown.add(await ExchangeStub.start(server.url), (started) => started.stop());
    const publishers = teardown.add(await PublisherPool.start(server.url, symbols, "depth", 2), (started) => started.stop());
    const floor = teardown.add(await startMinimalConsumer("floor", server.url, symbols, FLOOR_PREFIX), (started) => started.stop());
    const threadFloor = teardown.add(await startMinimalConsumer("thread-floor", server.url, symbols, THREAD_FLOOR_PREFIX), (started) => started.stop());
    const mms = teardown.add(await startMms({ name: "throughput", natsUrl: server.url, symbols: symbols.map((symbol) => benchSymbolConfig(symbol)), env: options.mmsEnv("throughput") }), (started) => started.stop());
    const alerts = teardown.add(new AlertWatch(), (watch) => watch.stop());
    alerts.listen(control);
    const steps: ThroughputStep[] = [];
    await mms.waitReady(300_000);
    const processes = { mms: mms.pid, floor: floor.pid, natsServer: server.pid, bench: process.pid };
    const threadFloorProcesses = { mms: mms.pid, floor: threadFloor.pid, natsServer: server.pid, bench: process.pid };
    for (const [index, { rate, durationMs }] of plan.entries()) {
      process.stdout.write(`  throughput ${rate}/s: floor ${floorMs / 1000}s ... `);
      const floorPhase = beginPhase("floor", index + 1, processes);
      const floorOutcome = await publishers.run(rate, floorMs, "floor");
      await sleep(1000);
      const floorRecord = floorPhase.finish(floorOutcome.published);
      const threadFloorPhase = beginPhase("floor", index + 1, threadFloorProcesses);
      const threadFloorOutcome = await publishers.run(rate, floorMs, "thread-floor");
      await sleep(1000);
      const threadFloorRecord = threadFloorPhase.finish(threadFloorOutcome.published);
      process.stdout.write(`${floorRecord.microsPerMessage} us/msg, thread floor ${threadFloorRecord.microsPerMessage} us/msg (${threadFloorRecord.cores.floor} cores, published ${Math.round(threadFloorOutcome.achievedRate)}/s); MMS ${durationMs / 1000}s ... `);

      const resumeRefused = await resumeAll(control, symbols, 60_000).then(
        () => undefined,
        (error: Error) => error.message,
      );
      if (resumeRefused) {
        // A symbol that cannot be resumed (e.g. WORKER_FAILED in the step before, or at start-up) ends the steps: that is the result.
        steps.push(notHeldStep(rate, floorRecord, `not resumable before the step: ${resumeRefused}`));
        process.stdout.write(`NOT HELD (${resumeRefused})\n`);
        break;
      }
      await sleep(500);
      const startedAt = performance.now();
      const deliveredBefore = await deliveredToMms(server);
      const rss: Array<[number, number]> = [];
      let maxPending = 0;
      const sampler = setInterval(() => {
        rss.push([(performance.now() - startedAt) / 1000, mms.rssMb()]);
        void deliveredToMms(server).then((delivered) => (maxPending = Math.max(maxPending, delivered.maxPendingBytes)), () => undefined);
      }, 1000);
      const mmsPhase = beginPhase("mms", index + 1, processes);
      const outcome = await publishers.run(rate, durationMs, "mms");
      // Whatever is still queued must be handled in time too: a late BUS_LAG counts.
      await sleep(2500);
      const mmsRecord = mmsPhase.finish(outcome.published + outcome.statuses);
      clearInterval(sampler);
      const deliveredAfter = await deliveredToMms(server);
      const stillDown = await notActive(control).catch((error: Error) => [`mms.status failed: ${error.message}`]);
      const stepAlerts = reasonCounts(alerts.since(startedAt));
      const rssValues = rss.map(([, value]) => value);
      const secondHalf = rss.filter(([time]) => time >= durationMs / 2000);
      const rssMb = {
        start: round(rssValues[0] ?? Number.NaN, 1),
        max: round(Math.max(...rssValues), 1),
        end: round(rssValues[rssValues.length - 1] ?? Number.NaN, 1),
        slopeMbPerMinuteSecondHalf: round(slope(secondHalf) * 60, 2),
      };
      const failures: string[] = [];
      if (Object.keys(stepAlerts).length > 0) failures.push(`alerts ${JSON.stringify(stepAlerts)}`);
      if (stillDown.length > 0) failures.push(`not ACTIVE: ${shortList(stillDown)}`);
      if (outcome.achievedRate < 0.97 * rate) failures.push(`publishers reached only ${Math.round(outcome.achievedRate)}/s`);
      const step: ThroughputStep = {
        targetRate: rate,
        achievedRate: round(outcome.achievedRate, 0),
        deliveredRate: round((deliveredAfter.outMessages - deliveredBefore.outMessages) / outcome.seconds, 0),
        seconds: round(outcome.seconds, 1),
        held: failures.length === 0,
        failures,
        alerts: stepAlerts,
        notActiveAtEnd: stillDown,
        rssMb,
        maxServerPendingBytes: maxPending,
        publisherMaxBehind: outcome.maxBehind,
        floor: floorRecord,
        threadFloor: threadFloorRecord,
        mms: mmsRecord,
      };
      steps.push(step);
      process.stdout.write(`${step.held ? "held" : `NOT HELD (${failures.join("; ")})`}; ${mmsRecord.microsPerMessage} us/msg, ${mmsRecord.cores.mms} cores, load ${mmsRecord.loadAtStart}\n`);
      if (!step.held) break;
    }
    const held = steps.filter((step) => step.held);
    const best = held[held.length - 1];
    const atGoal = steps.find((step) => step.targetRate >= GOAL_RATE);
    const next = best ? steps[steps.indexOf(best) + 1] : steps[0];
    const goals: GoalCheck[] = [
      {
        metric: "highest rate held, 20 symbols, no BUS_LAG / halt, all ACTIVE",
        value: best ? `${best.targetRate.toLocaleString("en-US")} msg/s for ${best.seconds} s${next ? ` (${next.targetRate.toLocaleString("en-US")}/s not held: ${next.failures.join("; ")})` : ""}` : `none of ${plan.map((step) => step.rate).join(", ")} held${next ? ` (${next.failures.join("; ")})` : ""}`,
        goal: `>= ${GOAL_RATE.toLocaleString("en-US")} msg/s for 60 s`,
        met: best !== undefined && best.targetRate >= GOAL_RATE && best.seconds >= 59,
      },
      {
        metric: `MMS CPU per message at ${GOAL_RATE.toLocaleString("en-US")} msg/s (all threads)`,
        value: atGoal ? `${atGoal.mms.microsPerMessage} us (floor ${atGoal.floor.microsPerMessage} us; ${atGoal.held ? "held" : "not held"})` : best ? `not reached; ${best.mms.microsPerMessage} us at ${best.targetRate.toLocaleString("en-US")}/s (floor ${best.floor.microsPerMessage} us)` : "not reached",
        goal: `<= ${GOAL_MICROS_PER_MESSAGE} us`,
        met: atGoal !== undefined && atGoal.held && atGoal.mms.microsPerMessage <= GOAL_MICROS_PER_MESSAGE,
      },
    ];
    return finish({
      method: `20 ACTIVE symbols, 10 levels a side; each delta changes the quantity of one bid and one ask level (the mid never moves: the quoting path runs, no intent is due). Two publisher threads (own connections, 10 symbols each) pace the deltas evenly, plus TRADING heartbeats (2/s a symbol). Each step: a floor phase of ${floorMs / 1000} s (the same deltas on floor.md.*, parsed and republished by the floor relay; the MMS gets only its heartbeats), a thread-floor phase of ${floorMs / 1000} s (the same deltas on tfloor.md.*, one worker thread and one NATS connection per symbol as in the MMS, JSON.parse only: the least the design costs), then an MMS phase (${plan.map((step) => `${step.rate / 1000}k ${step.durationMs / 1000} s`).join(", ")}; +2.5 s drain counted in). Held: no alert event (BUS_LAG, halts), every symbol ACTIVE after the step (mms.status), publishers >= 97% of the rate. CPU per message: utime+stime of the whole process over the phase / messages handed to it. The steps stop at the first one not held.`,
      goals,
      data: { steps, highestHeldRate: best?.targetRate ?? 0, stub: (await stub.state()).counts },
    });
  } finally {
    await teardown.run();
  }
}
