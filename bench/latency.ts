import { connect } from "@nats-io/transport-node";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { BenchOptions } from "./lib/options";
import { ExchangeStub } from "./lib/exchange-stub";
import { beginResult, loadAverage, round, type BenchResult, type GoalCheck } from "./lib/machine";
import { FLOOR_PREFIX, MarketFeed, midKey } from "./lib/market-feed";
import { AlertWatch, reasonCounts, resumeAll } from "./lib/mms-control";
import { BENCH_ACCOUNT, BENCH_INSTANCE, benchSymbolConfig, benchSymbols, startMms } from "./lib/mms-process";
import { InOrderReplyTracker, startCycleFloor, startMinimalConsumer, type MinimalVariant } from "./lib/minimal";
import { CYCLE_FLOOR_ACCOUNT, CYCLE_FLOOR_INSTANCE } from "./cycle-floor";
import { startNatsServer } from "./lib/nats-server";
import { ratio, summarize, type LatencySummary } from "./lib/stats";
import { createExchangeStreams } from "./lib/streams";
import { sleep } from "./lib/threads";
import { Teardown } from "./lib/teardown";
import { beginPhase, phaseSummary, type PhaseRecord } from "./lib/phase";

const decoder = new TextDecoder();

/**
 * Delta -> first CANCEL intent of the MMS. Every delta moves the mid 5 ticks, so the MMS
 * cancels its resting orders in the step that handles it. The quote audit event of that
 * step (`mms.events.<SYMBOL>.quote`, published just before the step's intents on the same
 * connection) names the mid, and the mid names the delta; the CANCEL that follows it with
 * the same `ts` (both carry the step's clock) is the delta's first intent. A delta that
 * finds both orders already being cancelled makes no intent and gives no sample.
 */
export class MmsCancelTracker {
  /** Whose cycles: quote events of an instance named so (the MMS's is `<instanceName>-<runId>`), intents and reports of this account. */
  constructor(private readonly owner: { readonly instancePrefix: string; readonly account: string }) {}

  private readonly midToDelta = new Map<string, Map<number, number>>();
  private readonly pending = new Map<string, { publishedAt: number; ts: number; matched: boolean }>();
  readonly samples: number[] = [];
  /** Diagnostics of the re-quote cycle: CANCEL seen -> stub's CANCELED report seen -> the MMS's NEW seen. */
  readonly cancelToReport: number[] = [];
  readonly reportToNew: number[] = [];
  private readonly lastCancelAt = new Map<string, number>();
  private readonly lastReportAt = new Map<string, number>();
  readonly counts = { quoteEvents: 0, quotesUnknownMid: 0, cancels: 0, attributedCancels: 0, unattributedCancels: 0, news: 0, cancelAlls: 0, countdowns: 0 };
  measureFrom = Number.POSITIVE_INFINITY;
  measureUntil = Number.POSITIVE_INFINITY;
  deltasInWindow = 0;
  private subscriptions: Subscription[] = [];

  onDelta(symbol: string, mid: number, publishedAt: number): void {
    let mids = this.midToDelta.get(symbol);
    if (!mids) {
      mids = new Map();
      this.midToDelta.set(symbol, mids);
    }
    mids.set(midKey(mid), publishedAt);
    if (publishedAt >= this.measureFrom && publishedAt < this.measureUntil) this.deltasInWindow += 1;
  }

  listen(connection: NatsConnection): void {
    this.subscriptions.push(
      connection.subscribe("mms.events.*.quote", {
        callback: (_error, message) => {
          const event = JSON.parse(decoder.decode(message.data)) as { symbol: string; instance: string; mid: string; ts: number };
          if (!event.instance.startsWith(this.owner.instancePrefix)) return;
          this.counts.quoteEvents += 1;
          const publishedAt = this.midToDelta.get(event.symbol)?.get(midKey(Number(event.mid)));
          if (publishedAt === undefined) {
            this.counts.quotesUnknownMid += 1;
            this.pending.delete(event.symbol);
            return;
          }
          this.pending.set(event.symbol, { publishedAt, ts: event.ts, matched: false });
        },
      }),
    );
    this.subscriptions.push(
      connection.subscribe("orders.>", {
        callback: (_error, message) => {
          const now = performance.now();
          const intent = JSON.parse(decoder.decode(message.data)) as { kind: string; account: string; symbol: string; ts: number };
          if (intent.account !== this.owner.account) return;
          switch (intent.kind) {
            case "NEW": {
              this.counts.news += 1;
              const reportAt = this.lastReportAt.get(intent.symbol);
              if (reportAt !== undefined && now >= this.measureFrom && now < this.measureUntil) this.reportToNew.push(now - reportAt);
              this.lastReportAt.delete(intent.symbol);
              return;
            }
            case "CANCEL_ALL":
              this.counts.cancelAlls += 1;
              return;
            case "COUNTDOWN":
              this.counts.countdowns += 1;
              return;
          }
          this.counts.cancels += 1;
          if (!this.lastCancelAt.has(intent.symbol)) this.lastCancelAt.set(intent.symbol, now);
          const pending = this.pending.get(intent.symbol);
          if (!pending || pending.matched || pending.ts !== intent.ts) {
            this.counts.unattributedCancels += 1;
            return;
          }
          pending.matched = true;
          this.counts.attributedCancels += 1;
          if (pending.publishedAt >= this.measureFrom && pending.publishedAt < this.measureUntil) this.samples.push(now - pending.publishedAt);
        },
      }),
    );
  }

  /** The exchange's reports to the owner's account, seen on a core subscription. */
  listenReports(connection: NatsConnection): void {
    this.subscriptions.push(
      connection.subscribe(`exec.${this.owner.account}.>`, {
        callback: (_error, message) => {
          const now = performance.now();
          const report = JSON.parse(decoder.decode(message.data)) as { kind: string; symbol: string };
          if (report.kind !== "CANCELED") return;
          const cancelAt = this.lastCancelAt.get(report.symbol);
          if (cancelAt !== undefined) {
            if (now >= this.measureFrom && now < this.measureUntil) this.cancelToReport.push(now - cancelAt);
            this.lastCancelAt.delete(report.symbol);
          }
          if (!this.lastReportAt.has(report.symbol)) this.lastReportAt.set(report.symbol, now);
        },
      }),
    );
  }

  stop(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }
}

export interface LatencyRun {
  readonly rate: number;
  readonly symbols: number;
  readonly published: number;
  readonly achievedRate: number;
  readonly floor: LatencySummary;
  /** The requote floor (bench/cycle-floor.ts): the contract's nine publishes, four reports and a delta per cycle, no logic. */
  readonly cycleFloor?: LatencySummary;
  readonly subject: LatencySummary;
  readonly p50Ratio: number;
  readonly p99Ratio: number;
  readonly p999Ratio: number;
  /** Share of measured deltas that produced a CANCEL (the rest found both orders already being cancelled). */
  readonly coverage?: number;
  readonly alerts: Record<string, number>;
  /** Cores each process used while the deltas were published (1.0 = one core busy). */
  readonly cpuCores?: Record<string, number>;
  /** The alternating floor and MMS phases of this rate. */
  readonly phases?: readonly PhaseRecord[];
  readonly mmsMicrosPerMessage?: number;
  readonly floorMicrosPerMessage?: number;
  readonly cycleFloorMicrosPerMessage?: number;
  /** MMS / requote floor, pooled samples. */
  readonly cycleFloorP50Ratio?: number;
  readonly cycleFloorP99Ratio?: number;
  readonly counts?: Record<string, number>;
  /** Diagnostics: CANCEL -> the stub's CANCELED report, and that report -> the MMS's replacement NEW (all seen by the bench). */
  readonly requoteCycle?: { cancelToReport: LatencySummary; reportToNew: LatencySummary };
  readonly loadAverage: readonly number[];
}

async function connectBench(url: string, name: string): Promise<NatsConnection> {
  return connect({ servers: [url], name });
}

/** Floor and MMS phases of one rate: warm-up (not sampled) then the measured part. */
function phaseTimes(options: BenchOptions) {
  return { rounds: options.quick ? 1 : 2, floorMs: options.quick ? 3000 : 10_000, warmupMs: options.quick ? 1000 : 3000, measureMs: options.quick ? 4000 : 20_000 };
}

const REQUOTE_FLOOR_LAYOUTS = {
  threads: "one worker thread and connection per symbol (the MMS's design)",
  single: "every symbol on the main thread over one connection (--requote-floor-layout single)",
  hop: "one connection on the main thread and a worker thread per symbol, messages crossing by postMessage a turn's worth at a time (--requote-floor-layout hop)",
} as const;

export const P50_GOAL_RATIO = 1.5;
export const P99_GOAL_RATIO = 2;

/**
 * Issue 12 goal 3: tick-to-intent at each rate in alternating phases of one run: floor
 * (the relay gets the deltas on floor.md.*, the MMS only its heartbeats), MMS (the deltas on
 * md.*, the floor gets nothing), floor, MMS. The ratios compare the pooled samples.
 */
export async function runLatency(options: BenchOptions): Promise<BenchResult> {
  const finish = beginResult("tick-to-intent", "Tick-to-intent: moving deltas -> first CANCEL intent", options.quick);
  const symbols = benchSymbols(20);
  const rates = options.rates ?? [1000, 5000];
  const { rounds, floorMs, warmupMs, measureMs } = phaseTimes(options);
  const teardown = new Teardown();
  try {
    const server = teardown.add(await startNatsServer(), (started) => started.stop());
    const publisher = teardown.add(await connectBench(server.url, "bench-md-publisher"), (connection) => connection.close());
    const collector = teardown.add(await connectBench(server.url, "bench-collector"), (connection) => connection.close());
    const runs: LatencyRun[] = [];
    await createExchangeStreams(publisher, { maxMessages: 2_000_000 });
    const stub = teardown.add(await ExchangeStub.start(server.url), (started) => started.stop());
    const feed = teardown.add(new MarketFeed(publisher, symbols, "moving"), (started) => started.stop());
    feed.answerSnapshots();
    feed.startHeartbeats(500);
    const floor = teardown.add(await startMinimalConsumer("floor", server.url, symbols, FLOOR_PREFIX), (started) => started.stop());
    const cycleFloor = teardown.add(await startCycleFloor(server.url, symbols, options.requoteFloorLayout), (started) => started.stop());
    // The synthetic mid climbs 0.5 a delta (and wraps every 1,000): the price-jump stop (jumpBps, contract "Protection stops") is off, or it would pause every symbol within a second.
    const mms = teardown.add(await startMms({ name: "tick-to-intent", natsUrl: server.url, symbols: symbols.map((symbol) => benchSymbolConfig(symbol, { jumpBps: "0" })), env: options.mmsEnv("tick-to-intent") }), (started) => started.stop());
    const alerts = teardown.add(new AlertWatch(), (watch) => watch.stop());
    alerts.listen(collector);
    const processes = { mms: mms.pid, floor: floor.pid, cycleFloor: cycleFloor.pid, natsServer: server.pid, bench: process.pid };
    await mms.waitReady(300_000);
    await resumeAll(collector, symbols, 60_000);
    await sleep(500);
    for (const rate of rates) {
      const floorTracker = new InOrderReplyTracker("floor");
      const mmsTracker = new MmsCancelTracker({ instancePrefix: `${BENCH_INSTANCE}-`, account: BENCH_ACCOUNT });
      const cycleTracker = new MmsCancelTracker({ instancePrefix: CYCLE_FLOOR_INSTANCE, account: CYCLE_FLOOR_ACCOUNT });
      floorTracker.listen(collector);
      for (const tracker of [mmsTracker, cycleTracker]) {
        tracker.listen(collector);
        tracker.listenReports(collector);
      }
      await collector.flush();
      const phases: PhaseRecord[] = [];
      const start = performance.now();
      let published = 0;
      let publishSeconds = 0;
      for (let round = 1; round <= rounds; round++) {
        process.stdout.write(`  tick-to-intent ${rate}/s round ${round}: floor ${floorMs / 1000}s ... `);
        feed.target = "floor";
        feed.onDelta = (symbol, _k, _seq, _mid, publishedAt) => floorTracker.onDelta(symbol, publishedAt);
        const floorPhase = beginPhase("floor", round, processes);
        floorTracker.measureFrom = performance.now() + Math.min(1000, warmupMs);
        floorTracker.measureUntil = Number.POSITIVE_INFINITY;
        const floorOutcome = await feed.run(rate, floorMs);
        floorTracker.measureUntil = performance.now();
        await sleep(1000);
        phases.push(floorPhase.finish(floorOutcome.published));
        process.stdout.write(`requote floor ${(warmupMs + floorMs) / 1000}s ... `);
        feed.target = "cycle-floor";
        feed.onDelta = (symbol, _k, _seq, mid, publishedAt) => cycleTracker.onDelta(symbol, mid, publishedAt);
        const cyclePhase = beginPhase("cycleFloor", round, processes);
        cycleTracker.measureFrom = performance.now() + warmupMs;
        cycleTracker.measureUntil = cycleTracker.measureFrom + floorMs;
        const cycleOutcome = await feed.run(rate, warmupMs + floorMs);
        await sleep(1500);
        phases.push(cyclePhase.finish(cycleOutcome.published));
        process.stdout.write(`MMS ${(warmupMs + measureMs) / 1000}s ... `);
        feed.target = "mms";
        feed.onDelta = (symbol, _k, _seq, mid, publishedAt) => mmsTracker.onDelta(symbol, mid, publishedAt);
        const statusesBefore = feed.publishedStatuses;
        const mmsPhase = beginPhase("mms", round, processes);
        mmsTracker.measureFrom = performance.now() + warmupMs;
        mmsTracker.measureUntil = mmsTracker.measureFrom + measureMs;
        const outcome = await feed.run(rate, warmupMs + measureMs);
        await sleep(1500);
        const record = mmsPhase.finish(outcome.published + feed.publishedStatuses - statusesBefore);
        phases.push(record);
        published += outcome.published;
        publishSeconds += outcome.seconds;
        process.stdout.write(`${record.microsPerMessage} us/msg, ${record.cores.mms} cores\n`);
        const pausedNow = reasonCounts(alerts.since(start));
        if (Object.keys(pausedNow).length > 0) {
          // A paused symbol stops quoting: resume before the next phase (the alert stays in the result).
          await resumeAll(collector, symbols, 30_000).catch((error: Error) => process.stdout.write(`  (resume failed: ${error.message})\n`));
        }
      }
      feed.onDelta = undefined;
      floorTracker.stop();
      mmsTracker.stop();
      cycleTracker.stop();
      const floorSummary = summarize(floorTracker.samples);
      const cycleSummary = summarize(cycleTracker.samples);
      const mmsSummary = summarize(mmsTracker.samples);
      const runAlerts = reasonCounts(alerts.since(start));
      const run: LatencyRun = {
        rate,
        symbols: symbols.length,
        published,
        achievedRate: round(published / publishSeconds, 0),
        floor: floorSummary,
        cycleFloor: cycleSummary,
        subject: mmsSummary,
        cycleFloorP50Ratio: ratio(mmsSummary.p50Ms, cycleSummary.p50Ms),
        cycleFloorP99Ratio: ratio(mmsSummary.p99Ms, cycleSummary.p99Ms),
        p50Ratio: ratio(mmsSummary.p50Ms, floorSummary.p50Ms),
        p99Ratio: ratio(mmsSummary.p99Ms, floorSummary.p99Ms),
        p999Ratio: ratio(mmsSummary.p999Ms, floorSummary.p999Ms),
        coverage: round(mmsTracker.samples.length / Math.max(1, mmsTracker.deltasInWindow), 3),
        alerts: runAlerts,
        phases,
        mmsMicrosPerMessage: phaseSummary(phases, "mms").microsPerMessage,
        floorMicrosPerMessage: phaseSummary(phases, "floor").microsPerMessage,
        cycleFloorMicrosPerMessage: phaseSummary(phases, "cycleFloor").microsPerMessage,
        requoteCycle: { cancelToReport: summarize(mmsTracker.cancelToReport), reportToNew: summarize(mmsTracker.reportToNew) },
        counts: { ...mmsTracker.counts, floorReplies: floorTracker.replies, deltasInWindow: mmsTracker.deltasInWindow, cycleFloorSamples: cycleTracker.samples.length, cycleFloorDeltasInWindow: cycleTracker.deltasInWindow },
        loadAverage: loadAverage(),
      };
      runs.push(run);
      process.stdout.write(`  ${rate}/s: floor p50 ${floorSummary.p50Ms} p99 ${floorSummary.p99Ms} | requote floor p50 ${cycleSummary.p50Ms} p99 ${cycleSummary.p99Ms} | MMS p50 ${mmsSummary.p50Ms} p99 ${mmsSummary.p99Ms} (x${run.p50Ratio} / x${run.p99Ratio}) coverage ${run.coverage} alerts ${JSON.stringify(runAlerts)}\n`);
      await sleep(1000);
    }
    const stubState = await stub.state();
    // A rate at which the MMS paused symbols (BUS_LAG: it fell > maxLagMs behind) failed whatever the ratios say: it stopped quoting.
    const goals: GoalCheck[] = runs.flatMap((run) => {
      const paused = Object.keys(run.alerts).length > 0;
      const note = paused ? `the MMS paused symbols (${JSON.stringify(run.alerts)}): overloaded, not a pass` : undefined;
      return [
        { metric: `tick-to-intent p50 @ ${run.rate.toLocaleString("en-US")} moving deltas/s`, value: `${run.subject.p50Ms} ms = ${run.p50Ratio}x floor (${run.floor.p50Ms} ms)`, goal: `<= ${P50_GOAL_RATIO}x floor`, met: !paused && run.subject.count > 0 && run.p50Ratio <= P50_GOAL_RATIO, ...(note ? { note } : {}) },
        { metric: `tick-to-intent p99 @ ${run.rate.toLocaleString("en-US")} moving deltas/s`, value: `${run.subject.p99Ms} ms = ${run.p99Ratio}x floor (${run.floor.p99Ms} ms)`, goal: `<= ${P99_GOAL_RATIO}x floor`, met: !paused && run.subject.count > 0 && run.p99Ratio <= P99_GOAL_RATIO, ...(note ? { note } : {}) },
        { metric: `MMS CPU per message @ ${run.rate.toLocaleString("en-US")} moving deltas/s`, value: `${run.mmsMicrosPerMessage} us (floor ${run.floorMicrosPerMessage} us, requote floor ${run.cycleFloorMicrosPerMessage} us)`, goal: "(reported)", met: null },
        { metric: `requote floor @ ${run.rate.toLocaleString("en-US")} moving deltas/s (the contract's messaging, no logic)`, value: `p50 ${run.cycleFloor?.p50Ms} ms = ${ratio(run.cycleFloor?.p50Ms ?? Number.NaN, run.floor.p50Ms)}x floor, p99 ${run.cycleFloor?.p99Ms} ms = ${ratio(run.cycleFloor?.p99Ms ?? Number.NaN, run.floor.p99Ms)}x; the MMS ${run.cycleFloorP50Ratio}x / ${run.cycleFloorP99Ratio}x of it`, goal: "(reported)", met: null },
      ];
    });
    return finish({
      method: `20 symbols, one level a side; every delta moves the mid 5 ticks (tolerance 2), so the MMS cancels in the step that handles it (the price-jump stop is off: jumpBps 0). Per rate, ${rounds} round(s) of a floor phase (${floorMs / 1000} s: the same kind of deltas on floor.md.*, the relay parses each and republishes {symbol, seq}, replies matched in order), a requote-floor phase (${warmupMs / 1000} s warm-up + ${floorMs / 1000} s measured, deltas on cfloor.md.*: bench/cycle-floor.ts, ${REQUOTE_FLOOR_LAYOUTS[options.requoteFloorLayout]} doing the contract's messaging of each requote cycle with the MMS's own JetStream publisher and no logic, measured like the MMS) and an MMS phase (${warmupMs / 1000} s warm-up + ${measureMs / 1000} s measured: deltas on md.*). Never two at once: in a floor phase the MMS gets only its heartbeats; in an MMS phase the floors get nothing. MMS latency: bench publish of the delta -> arrival of the MMS's first CANCEL of that step on a core subscription to orders.> (the JetStream publish, before its ack); the delta is identified by the mid of the quote audit event of the same step (same ts). The exchange stub (own thread) answers at once, so the MMS re-quotes after each cancel; a delta arriving while both orders are still being cancelled makes no intent (coverage). Ratios: pooled MMS samples / pooled floor samples.`,
      goals,
      data: { runs, rounds, floorMs, warmupMs, measureMs, stub: stubState.counts, mmsPid: mms.pid, floorPid: floor.pid, cycleFloorPid: cycleFloor.pid, requoteFloorLayout: options.requoteFloorLayout },
    });
  } finally {
    await teardown.run();
  }
}

/** The design question: a hop through the main thread vs a connection per worker, both without logic, each against the floor. */
export async function runConnectionDesign(options: BenchOptions, mmsRuns: readonly LatencyRun[] | undefined): Promise<BenchResult> {
  const finish = beginResult("nats-connections", "Where the NATS connections live", options.quick);
  const symbols = benchSymbols(20);
  const rates = options.rates ?? [1000, 5000];
  const { warmupMs, measureMs } = phaseTimes(options);
  const runs: Array<LatencyRun & { variant: MinimalVariant }> = [];
  for (const variant of ["worker-conn", "hop"] as const) {
    const server = await startNatsServer();
    const publisher = await connectBench(server.url, "bench-md-publisher");
    const collector = await connectBench(server.url, "bench-collector");
    const feed = new MarketFeed(publisher, symbols, "moving");
    const floor = await startMinimalConsumer("floor", server.url, symbols);
    const subject = await startMinimalConsumer(variant, server.url, symbols);
    try {
      for (const rate of rates) {
        const floorTracker = new InOrderReplyTracker("floor");
        const subjectTracker = new InOrderReplyTracker(variant);
        floorTracker.listen(collector);
        subjectTracker.listen(collector);
        await collector.flush();
        feed.onDelta = (symbol, _k, _seq, _mid, publishedAt) => {
          floorTracker.onDelta(symbol, publishedAt);
          subjectTracker.onDelta(symbol, publishedAt);
        };
        const start = performance.now();
        floorTracker.measureFrom = subjectTracker.measureFrom = start + warmupMs;
        floorTracker.measureUntil = subjectTracker.measureUntil = start + warmupMs + measureMs;
        process.stdout.write(`  connections/${variant}: ${rate}/s ... `);
        const outcome = await feed.run(rate, warmupMs + measureMs);
        await sleep(1000);
        feed.onDelta = undefined;
        floorTracker.stop();
        subjectTracker.stop();
        const floorSummary = summarize(floorTracker.samples);
        const subjectSummary = summarize(subjectTracker.samples);
        runs.push({
          variant,
          rate,
          symbols: symbols.length,
          published: outcome.published,
          achievedRate: round(outcome.achievedRate, 0),
          floor: floorSummary,
          subject: subjectSummary,
          p50Ratio: ratio(subjectSummary.p50Ms, floorSummary.p50Ms),
          p99Ratio: ratio(subjectSummary.p99Ms, floorSummary.p99Ms),
          p999Ratio: ratio(subjectSummary.p999Ms, floorSummary.p999Ms),
          alerts: {},
          counts: { floorReplies: floorTracker.replies, subjectReplies: subjectTracker.replies },
          loadAverage: loadAverage(),
        });
        process.stdout.write(`floor p50 ${floorSummary.p50Ms} p99 ${floorSummary.p99Ms} | ${variant} p50 ${subjectSummary.p50Ms} p99 ${subjectSummary.p99Ms}\n`);
        await sleep(500);
      }
    } finally {
      feed.stop();
      await subject.stop();
      await floor.stop();
      await publisher.close();
      await collector.close();
      await server.stop();
    }
  }
  const goals: GoalCheck[] = runs.map((run) => ({
    metric: `${run.variant} @ ${run.rate}/s`,
    value: `p50 ${run.subject.p50Ms} ms (${run.p50Ratio}x), p99 ${run.subject.p99Ms} ms (${run.p99Ratio}x)`,
    goal: "(design comparison)",
    met: null,
  }));
  return finish({
    method:
      "Same 20-symbol delta stream as tick-to-intent, no MMS. worker-conn: one worker thread per symbol, each with its own NATS connection (the MMS's design, without its logic). hop: the main thread holds the only connection and forwards each delta by postMessage to the symbol's worker, which answers by postMessage; the main thread publishes the reply. Each variant runs in its own process next to the floor process, against a fresh nats-server; latency is delta publish -> reply arrival, matched in order per symbol.",
    goals,
    data: { runs, mmsRuns: mmsRuns ?? null, warmupMs, measureMs },
  });
}
