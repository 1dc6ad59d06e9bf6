import { connect } from "@nats-io/transport-node";
import type { Subscription } from "@nats-io/nats-core";
import type { BenchOptions } from "./lib/options";
import { ExchangeStub } from "./lib/exchange-stub";
import { beginResult, loadAverage, round, type BenchResult, type GoalCheck } from "./lib/machine";
import { MarketFeed } from "./lib/market-feed";
import { AlertWatch, control, mmsStatus, OPERATOR_BODY, resumeAll } from "./lib/mms-control";
import { benchSymbolConfig, benchSymbols, startMms } from "./lib/mms-process";
import { startNatsServer } from "./lib/nats-server";
import { summarize } from "./lib/stats";
import { createExchangeStreams } from "./lib/streams";
import { sleep } from "./lib/threads";

const decoder = new TextDecoder();

interface Trial {
  readonly lastCancelAllMs: number;
  readonly lastAckMs: number;
  readonly firstCancelAllMs: number;
  readonly cancelAlls: number;
  readonly acks: number;
}

/**
 * Benchmark 3: `mms.control.all.kill` -> the 50th CANCEL_ALL for 50 ACTIVE symbols. The
 * kill is a core publish (as on-call sends it: `nats pub mms.control.all.kill ''`). The
 * bench sees each CANCEL_ALL on a core subscription to `orders.>` and its JetStream ack
 * on a core subscription to `_INBOX.>` (the ack is the stream's reply to the publish's
 * reply subject, so the bench sees it when the MMS does).
 */
interface KillRun {
  readonly symbols: number;
  readonly startupMs: number;
  /** Set when the MMS could not bring every symbol up (e.g. workers declared failed at start). */
  readonly startFailure?: string;
  readonly trials: Trial[];
  readonly lastCancelAll?: ReturnType<typeof summarize>;
  readonly lastAck?: ReturnType<typeof summarize>;
  readonly firstCancelAll?: ReturnType<typeof summarize>;
  readonly alertsDuringRun: number;
  readonly loadAverage: readonly number[];
}

export async function runKill(options: BenchOptions): Promise<BenchResult> {
  const finish = beginResult("kill", "Kill latency (50 ACTIVE symbols)", options.quick);
  const trialsWanted = options.quick ? 5 : 100;
  const runs: KillRun[] = [];
  for (const count of [50, 20]) {
    const run = await runKillWith(options, count, count === 50 ? trialsWanted : Math.min(trialsWanted, 30));
    runs.push(run);
    if (!run.startFailure) break;
    process.stdout.write(`  kill: ${count} symbols did not start (${run.startFailure}); measuring 20 symbols for reference\n`);
  }
  const main = runs[0]!;
  const reference = runs.find((run) => run.symbols === 20);
  const complete = main.trials.filter((trial) => trial.cancelAlls === main.symbols && trial.acks === main.symbols);
  const goals: GoalCheck[] = main.startFailure
    ? [
        { metric: "kill -> 50th CANCEL_ALL, p99", value: `not measurable: ${main.startFailure}`, goal: "< 50 ms", met: false },
        ...(reference?.lastCancelAll ? [{ metric: `reference: kill -> 20th CANCEL_ALL, p99 of ${reference.lastCancelAll.count} trials (20 symbols)`, value: `${reference.lastCancelAll.p99Ms} ms (p50 ${reference.lastCancelAll.p50Ms}, max ${reference.lastCancelAll.maxMs})`, goal: "(reference)", met: null }] : []),
      ]
    : [
        { metric: `kill -> 50th CANCEL_ALL, p99 of ${complete.length} trials`, value: `${main.lastCancelAll!.p99Ms} ms (p50 ${main.lastCancelAll!.p50Ms}, max ${main.lastCancelAll!.maxMs})`, goal: "< 50 ms", met: complete.length === main.trials.length && main.lastCancelAll!.p99Ms < 50 },
        { metric: "kill -> 50th JetStream ack, p99", value: `${main.lastAck!.p99Ms} ms (p50 ${main.lastAck!.p50Ms})`, goal: "(reported)", met: null },
      ];
  return finish({
    method:
      "50 symbols ACTIVE (fresh snapshot, TRADING heartbeats every 500 ms, resumed), both quotes resting at the stub. Trial: core publish of mms.control.all.kill with an empty body at t0; measured to the arrival of the 50th CANCEL_ALL (reason MANUAL_KILL) on a core subscription to orders.> (the JetStream publish itself), and to the 50th JetStream ack of those publishes (seen on _INBOX.>, matched by reply subject). Between trials: mms.control.all.reset and resume with {operator, reason}, then wait until every symbol has both quotes resting again. If the MMS cannot bring 50 symbols up, that is the result, and 20 symbols are measured for reference.",
    goals,
    data: { runs, lastCancelAll: main.lastCancelAll ?? reference?.lastCancelAll, lastAck: main.lastAck ?? reference?.lastAck, firstCancelAll: main.firstCancelAll ?? reference?.firstCancelAll, measuredSymbols: main.startFailure ? (reference?.symbols ?? 0) : main.symbols, startFailure: main.startFailure ?? null },
  });
}

async function runKillWith(options: BenchOptions, count: number, trialsWanted: number): Promise<KillRun> {
  const symbols = benchSymbols(count, "K");
  const server = await startNatsServer();
  const bench = await connect({ servers: [server.url], name: "bench-kill" });
  await createExchangeStreams(bench, { maxMessages: 1_000_000 });
  const stub = await ExchangeStub.start(server.url);
  const feed = new MarketFeed(bench, symbols, "moving");
  feed.answerSnapshots();
  feed.startHeartbeats(500);
  const mms = await startMms({ name: `kill-${count}`, natsUrl: server.url, symbols: symbols.map((symbol) => benchSymbolConfig(symbol)), env: options.mmsEnv("kill") });
  const alerts = new AlertWatch();
  alerts.listen(bench);
  const trials: Trial[] = [];
  const subscriptions: Subscription[] = [];
  try {
    const startupBegan = performance.now();
    await mms.waitReady(600_000);
    const startupMs = performance.now() - startupBegan;
    const failed = (await mmsStatus(bench, 10_000)).filter((status) => status.reason === "WORKER_FAILED");
    if (failed.length > 0) return { symbols: count, startupMs: round(startupMs, 0), startFailure: `${failed.length} of ${count} workers declared WORKER_FAILED at start-up (no STARTED within the coordinator's 60 s)`, trials: [], alertsDuringRun: alerts.alerts.length, loadAverage: loadAverage() };
    let current: { t0: number; cancelAlls: number[]; acks: number[]; replies: Set<string>; done: () => void; expected: number } | undefined;
    subscriptions.push(
      bench.subscribe("orders.>", {
        callback: (_error, message) => {
          const now = performance.now();
          if (!current) return;
          const intent = JSON.parse(decoder.decode(message.data)) as { kind: string; reason?: string };
          if (intent.kind !== "CANCEL_ALL" || intent.reason !== "MANUAL_KILL") return;
          current.cancelAlls.push(now - current.t0);
          if (message.reply) current.replies.add(message.reply);
          if (current.cancelAlls.length >= current.expected && current.acks.length >= current.expected) current.done();
        },
      }),
    );
    subscriptions.push(
      bench.subscribe("_INBOX.>", {
        callback: (_error, message) => {
          const now = performance.now();
          if (!current || !current.replies.has(message.subject)) return;
          current.replies.delete(message.subject);
          current.acks.push(now - current.t0);
          if (current.cancelAlls.length >= current.expected && current.acks.length >= current.expected) current.done();
        },
      }),
    );
    await bench.flush();

    const waitForQuotes = async (timeoutMs: number) => {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        const state = await stub.state();
        if (symbols.every((symbol) => (state.liveBySymbol[symbol] ?? 0) >= 2)) return true;
        await sleep(50);
      }
      return false;
    };

    await resumeAll(bench, symbols, 60_000);
    for (let trial = 0; trial < trialsWanted; trial++) {
      if (!(await waitForQuotes(20_000))) throw new Error(`trial ${trial}: not every symbol has both quotes resting`);
      await sleep(100);
      const cancelAlls: number[] = [];
      const acks: number[] = [];
      const finished = new Promise<void>((resolve) => {
        current = { t0: 0, cancelAlls, acks, replies: new Set(), done: resolve, expected: symbols.length };
      });
      current!.t0 = performance.now();
      bench.publish("mms.control.all.kill", new Uint8Array(0));
      const outcome = await Promise.race([finished.then(() => "done" as const), sleep(10_000).then(() => "timeout" as const)]);
      current = undefined;
      if (outcome === "timeout") process.stdout.write(`  trial ${trial}: only ${cancelAlls.length} CANCEL_ALL / ${acks.length} acks within 10 s\n`);
      trials.push({
        lastCancelAllMs: round(Math.max(...cancelAlls)),
        firstCancelAllMs: round(Math.min(...cancelAlls)),
        lastAckMs: round(Math.max(...acks)),
        cancelAlls: cancelAlls.length,
        acks: acks.length,
      });
      // Acknowledge the halt and quote again for the next trial.
      await sleep(200);
      const reset = await control(bench, "all", "reset", OPERATOR_BODY);
      if (!reset.ok) throw new Error(`reset refused: ${JSON.stringify(reset.results.filter((result) => !result.accepted).slice(0, 3))}`);
      await resumeAll(bench, symbols, 30_000);
    }
    const complete = trials.filter((trial) => trial.cancelAlls === symbols.length && trial.acks === symbols.length);
    const lastCancelAll = summarize(complete.map((trial) => trial.lastCancelAllMs));
    const lastAck = summarize(complete.map((trial) => trial.lastAckMs));
    const firstCancelAll = summarize(complete.map((trial) => trial.firstCancelAllMs));
    process.stdout.write(`  kill (${count} symbols): ${complete.length}/${trials.length} complete trials; last CANCEL_ALL p50 ${lastCancelAll.p50Ms} p99 ${lastCancelAll.p99Ms} max ${lastCancelAll.maxMs}; last ack p99 ${lastAck.p99Ms}\n`);
    return { symbols: count, startupMs: round(startupMs, 0), trials, lastCancelAll, lastAck, firstCancelAll, alertsDuringRun: alerts.alerts.length, loadAverage: loadAverage() };
  } finally {
    for (const subscription of subscriptions) subscription.unsubscribe();
    alerts.stop();
    feed.stop();
    await mms.stop();
    await stub.stop();
    await bench.close();
    await server.stop();
  }
}
