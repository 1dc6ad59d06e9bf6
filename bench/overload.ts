import { connect } from "@nats-io/transport-node";
import type { BenchOptions } from "./lib/options";
import { ExchangeStub } from "./lib/exchange-stub";
import { beginResult, type BenchResult, type GoalCheck } from "./lib/machine";
import { FLOOR_PREFIX } from "./lib/market-feed";
import { histogramCountAbove, scrapeMetrics } from "./lib/metrics";
import { AlertWatch, mmsStatus, reasonCounts, resumeAll } from "./lib/mms-control";
import { notIn, shortList, stateCounts } from "./lib/mms-state";
import { benchSymbolConfig, benchSymbols, startMms } from "./lib/mms-process";
import { startMinimalConsumer } from "./lib/minimal";
import { startNatsServer } from "./lib/nats-server";
import { beginPhase } from "./lib/phase";
import { PublisherPool } from "./lib/publisher";
import { createExchangeStreams } from "./lib/streams";
import { sleep } from "./lib/threads";
import { Teardown } from "./lib/teardown";

const MAX_LAG_MS = 2000;
const LAG_METRIC = "mms_market_data_lag_seconds";

/** The lag a BUS_LAG alert reports ("market data arrived N ms after it was sent"); undefined for a slow consumer. */
function reportedLagMs(message: string): number | undefined {
  const match = /arrived (\d+) ms/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/**
 * Issue 12 goal 4: a burst at twice the highest rate held (throughput) over the same 20
 * symbols. Passes when no symbol went HALTED or WORKER_FAILED, every BUS_LAG names data
 * older than maxLagMs (and the MMS's own lag histogram saw such data), and every symbol
 * goes back to ACTIVE on a resume after the burst.
 */
export async function runOverload(options: BenchOptions, highestHeldRate: number | undefined): Promise<BenchResult> {
  const finish = beginResult("overload", "Overload: twice the highest rate held", options.quick);
  const base = highestHeldRate && highestHeldRate > 0 ? highestHeldRate : options.quick ? 2000 : 10_000;
  const rate = options.overloadRate ?? 2 * base;
  const burstMs = options.quick ? 5000 : 20_000;
  const floorMs = options.quick ? 3000 : 10_000;
  const symbols = benchSymbols(20, "O");
  const teardown = new Teardown();
  try {
    const server = teardown.add(await startNatsServer(), (started) => started.stop());
    const control = teardown.add(await connect({ servers: [server.url], name: "bench-control" }), (connection) => connection.close());
    await createExchangeStreams(control, { maxMessages: 1_000_000 });
    teardown.add(await ExchangeStub.start(server.url), (started) => started.stop());
    const publishers = teardown.add(await PublisherPool.start(server.url, symbols, "depth", 2), (started) => started.stop());
    const floor = teardown.add(await startMinimalConsumer("floor", server.url, symbols, FLOOR_PREFIX), (started) => started.stop());
    const mms = teardown.add(await startMms({ name: "overload", natsUrl: server.url, symbols: symbols.map((symbol) => benchSymbolConfig(symbol)), env: options.mmsEnv("overload"), risk: { maxLagMs: MAX_LAG_MS } }), (started) => started.stop());
    const alerts = teardown.add(new AlertWatch(), (watch) => watch.stop());
    alerts.listen(control);
    let quoteEvents = 0;
    teardown.add(
      control.subscribe("mms.events.*.quote", {
        callback: () => {
          quoteEvents += 1;
        },
      }),
      (subscription) => subscription.unsubscribe(),
    );
    await mms.waitReady(300_000);
    await resumeAll(control, symbols, 60_000);
    await sleep(1000);
    const processes = { mms: mms.pid, floor: floor.pid, natsServer: server.pid, bench: process.pid };
    process.stdout.write(`  overload ${rate}/s (2x ${base}/s): floor ${floorMs / 1000}s ... `);
    const floorPhase = beginPhase("floor", 1, processes);
    const floorOutcome = await publishers.run(rate, floorMs, "floor");
    await sleep(1000);
    const floorRecord = floorPhase.finish(floorOutcome.published);
    process.stdout.write(`${floorRecord.microsPerMessage} us/msg; MMS burst ${burstMs / 1000}s ... `);
    const lagBefore = histogramCountAbove(await scrapeMetrics(mms.httpPort), LAG_METRIC, MAX_LAG_MS / 1000);
    const startedAt = performance.now();
    const quotesBefore = quoteEvents;
    const mmsPhase = beginPhase("mms", 1, processes);
    const outcome = await publishers.run(rate, burstMs, "mms");
    // Let the queues drain: whatever the MMS still holds is handled (or judged) now.
    await sleep(options.quick ? 3000 : 5000);
    const mmsRecord = mmsPhase.finish(outcome.published + outcome.statuses);
    const lagAfter = histogramCountAbove(await scrapeMetrics(mms.httpPort), LAG_METRIC, MAX_LAG_MS / 1000);
    const burstAlerts = alerts.since(startedAt);
    const afterBurst = await mmsStatus(control, 10_000);
    const halted = afterBurst.filter((status) => status.state === "HALTED" || status.reason === "WORKER_FAILED").map((status) => `${status.symbol}:${status.state}/${status.reason}`);
    const haltAlerts = burstAlerts.filter((alert) => alert.to === "HALTED" || alert.reason === "WORKER_FAILED");
    const busLags = burstAlerts.filter((alert) => alert.reason === "BUS_LAG");
    const unjustified = busLags.filter((alert) => !((reportedLagMs(alert.message) ?? 0) > MAX_LAG_MS));
    const oldDataSeen = lagAfter.above - lagBefore.above;
    process.stdout.write(`alerts ${JSON.stringify(reasonCounts(burstAlerts))}; resuming ... `);
    let resumeError: string | undefined;
    await resumeAll(control, symbols, 30_000).catch((error: Error) => (resumeError = error.message));
    await sleep(500);
    const afterResume = await mmsStatus(control, 10_000);
    const notResumed = notIn(afterResume, "ACTIVE");
    process.stdout.write(`${notResumed.length === 0 ? "all ACTIVE" : `not ACTIVE: ${shortList(notResumed)}`}\n`);
    const goals: GoalCheck[] = [
      {
        metric: `no halt at ${rate.toLocaleString("en-US")} msg/s for ${burstMs / 1000} s (no HALTED, no WORKER_FAILED)`,
        value: halted.length === 0 && haltAlerts.length === 0 ? `none (after the burst: ${JSON.stringify(stateCounts(afterBurst))})` : `${shortList(halted.length ? halted : haltAlerts.map((alert) => `${alert.symbol}:${alert.reason}`))}`,
        goal: "none",
        met: halted.length === 0 && haltAlerts.length === 0,
      },
      {
        metric: "every BUS_LAG for data older than maxLagMs (2000 ms)",
        value: `${busLags.length} BUS_LAG, ${unjustified.length} not naming data older than ${MAX_LAG_MS} ms${unjustified.length ? ` (${unjustified[0]!.message})` : ""}; MMS lag histogram: ${oldDataSeen} messages older than ${MAX_LAG_MS} ms`,
        goal: "BUS_LAG only for data older than maxLagMs",
        met: unjustified.length === 0 && (busLags.length === 0 || oldDataSeen > 0),
      },
      {
        metric: "every symbol resumable after the burst",
        value: notResumed.length === 0 ? `all ${symbols.length} ACTIVE after resume` : `not ACTIVE: ${shortList(notResumed)}${resumeError ? ` (${resumeError})` : ""}`,
        goal: "all ACTIVE",
        met: notResumed.length === 0,
      },
      {
        metric: "CPU per message during the burst",
        value: `MMS ${mmsRecord.microsPerMessage} us/msg (${mmsRecord.cores.mms} cores), floor ${floorRecord.microsPerMessage} us/msg; published ${Math.round(outcome.achievedRate)}/s`,
        goal: "(reported)",
        met: null,
      },
    ];
    return finish({
      method: `20 ACTIVE symbols, depth-only deltas as in throughput, at ${rate.toLocaleString("en-US")} msg/s = 2 x ${base.toLocaleString("en-US")} (the highest rate throughput held${highestHeldRate ? " in this run" : "; none known, so a default"}; --overload-rate sets it). Floor phase ${floorMs / 1000} s (floor.md.*), then the MMS burst of ${burstMs / 1000} s and a ${options.quick ? 3 : 5} s drain. Then: mms.status (no HALTED, no WORKER_FAILED), every BUS_LAG alert's reported lag > maxLagMs ${MAX_LAG_MS} ms and the MMS's ${LAG_METRIC} histogram counting data older than that, and a resume of every symbol (all ACTIVE).`,
      goals,
      data: {
        rate,
        baseRate: base,
        burstMs,
        floor: floorRecord,
        mms: mmsRecord,
        alerts: burstAlerts.map(({ symbol, reason, to, message }) => ({ symbol, reason, to, message })),
        afterBurst: stateCounts(afterBurst),
        afterResume: stateCounts(afterResume),
        lagHistogram: { before: lagBefore, after: lagAfter },
        quoteEvents: quoteEvents - quotesBefore,
        published: outcome.published,
      },
    });
  } finally {
    await teardown.run();
  }
}
