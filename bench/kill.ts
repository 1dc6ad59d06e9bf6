import { connect } from "@nats-io/transport-node";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { BenchOptions } from "./lib/options";
import { ExchangeStub } from "./lib/exchange-stub";
import { beginResult, round, type BenchResult, type GoalCheck } from "./lib/machine";
import { MarketFeed } from "./lib/market-feed";
import { AlertWatch, control, mmsStatus, OPERATOR_BODY, resumeAll } from "./lib/mms-control";
import { BENCH_ACCOUNT, benchSymbolConfig, benchSymbols, startMms } from "./lib/mms-process";
import { startMinimalConsumer } from "./lib/minimal";
import { startNatsServer } from "./lib/nats-server";
import { beginPhase, type PhaseRecord } from "./lib/phase";
import { summarize } from "./lib/stats";
import { createExchangeStreams, readWholeStream } from "./lib/streams";
import { sleep } from "./lib/threads";
import { Teardown } from "./lib/teardown";

const decoder = new TextDecoder();
export const KILL_GOAL_P99_MS = 50;
const GOAL_SYMBOLS = 50;
const ACK_WAIT_MS = 10_000;

interface Trial {
  readonly subject: "floor" | "mms";
  readonly lastCancelAllMs: number;
  readonly firstCancelAllMs: number;
  readonly lastAckMs: number;
  readonly cancelAlls: number;
  readonly acks: number;
}

interface Pending {
  readonly account: string;
  readonly t0: number;
  readonly cancelAlls: number[];
  readonly acks: number[];
  /** Reply subject of each CANCEL_ALL publish -> its symbol. */
  readonly replies: Map<string, string>;
  /**
   * Acks seen before the bench's copy of their publish (reply subject -> when): the two come
   * on different subscriptions, and now and then the stream's ack overtakes the core delivery.
   */
  readonly earlyAcks: Map<string, number>;
  /** Symbols whose first CANCEL_ALL / first ack was seen: the coordinator and the actor each send one. */
  readonly cancelled: Set<string>;
  readonly acknowledged: Set<string>;
  readonly expected: number;
  readonly done: () => void;
}

/**
 * Watches a trial: every CANCEL_ALL (reason MANUAL_KILL) of `account` on a core
 * subscription to orders.> (the JetStream publish itself), and its JetStream ack on
 * `_INBOX.>` (the stream's reply to the publish's reply subject), both from t0.
 */
class KillWatch {
  private current: Pending | undefined;
  private readonly subscriptions: Subscription[] = [];

  constructor(connection: NatsConnection) {
    this.subscriptions.push(
      connection.subscribe("orders.>", {
        callback: (_error, message) => {
          const now = performance.now();
          const current = this.current;
          if (!current) return;
          const intent = JSON.parse(decoder.decode(message.data)) as { kind: string; reason?: string; account?: string; symbol?: string };
          if (intent.kind !== "CANCEL_ALL" || intent.reason !== "MANUAL_KILL" || intent.account !== current.account) return;
          const symbol = intent.symbol ?? message.subject;
          if (message.reply) {
            const ackedAt = current.earlyAcks.get(message.reply);
            if (ackedAt === undefined) current.replies.set(message.reply, symbol);
            else {
              current.earlyAcks.delete(message.reply);
              this.acknowledge(current, symbol, ackedAt);
            }
          }
          // The first CANCEL_ALL of each symbol is what cancels; a second one (the actor's, after the coordinator's) is not counted again.
          if (current.cancelled.has(symbol)) return;
          current.cancelled.add(symbol);
          current.cancelAlls.push(now - current.t0);
          this.check();
        },
      }),
      connection.subscribe("_INBOX.>", {
        callback: (_error, message) => {
          const now = performance.now();
          const current = this.current;
          if (!current) return;
          const symbol = current.replies.get(message.subject);
          if (symbol === undefined) {
            current.earlyAcks.set(message.subject, now);
            return;
          }
          current.replies.delete(message.subject);
          this.acknowledge(current, symbol, now);
        },
      }),
    );
  }

  private acknowledge(current: Pending, symbol: string, at: number): void {
    if (current.acknowledged.has(symbol)) return;
    current.acknowledged.add(symbol);
    current.acks.push(at - current.t0);
    this.check();
  }

  private check(): void {
    const current = this.current;
    if (current && current.cancelAlls.length >= current.expected && current.acks.length >= current.expected) current.done();
  }

  /** Publishes the kill (core publish, empty body, as on-call sends it) and waits for every CANCEL_ALL and ack. */
  async trial(connection: NatsConnection, subject: "floor" | "mms", expected: number): Promise<Trial> {
    const cancelAlls: number[] = [];
    const acks: number[] = [];
    const finished = new Promise<void>((resolve) => {
      this.current = { account: subject === "mms" ? BENCH_ACCOUNT : "FLOOR", t0: performance.now(), cancelAlls, acks, replies: new Map(), earlyAcks: new Map(), cancelled: new Set(), acknowledged: new Set(), expected, done: resolve };
    });
    connection.publish(subject === "mms" ? "mms.control.all.kill" : "floor.control.all.kill", new Uint8Array(0));
    await Promise.race([finished, sleep(ACK_WAIT_MS)]);
    this.current = undefined;
    return { subject, lastCancelAllMs: round(Math.max(...cancelAlls)), firstCancelAllMs: round(Math.min(...cancelAlls)), lastAckMs: round(Math.max(...acks)), cancelAlls: cancelAlls.length, acks: acks.length };
  }

  stop(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }
}

function reasonTally(resumes: ReadonlyArray<{ readonly reason: string | null }>): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const resume of resumes) tally[resume.reason ?? "none"] = (tally[resume.reason ?? "none"] ?? 0) + 1;
  return tally;
}

/** CANCEL_ALL MANUAL_KILL intents of the bench account the ORDERS stream holds, per symbol. */
async function killsInStream(connection: NatsConnection): Promise<Map<string, number>> {
  const bySymbol = new Map<string, number>();
  await readWholeStream(connection, "ORDERS", (data) => {
    const intent = JSON.parse(decoder.decode(data)) as { kind: string; reason?: string; account?: string; symbol: string };
    if (intent.kind === "CANCEL_ALL" && intent.reason === "MANUAL_KILL" && intent.account === BENCH_ACCOUNT) bySymbol.set(intent.symbol, (bySymbol.get(intent.symbol) ?? 0) + 1);
  });
  return bySymbol;
}

/**
 * Issue 12 goal 5: mms.control.all.kill (core publish) -> the 50th CANCEL_ALL on the
 * orders stream, over 50 ACTIVE symbols. Trials alternate with floor trials: a minimal
 * process that answers floor.control.all.kill with 50 JetStream CANCEL_ALL publishes.
 */
export async function runKill(options: BenchOptions): Promise<BenchResult> {
  const finish = beginResult("kill", "Kill-all of 50 ACTIVE symbols", options.quick);
  const trialsWanted = options.trials ?? (options.quick ? 5 : 100);
  const symbolCount = options.killSymbols;
  const symbols = benchSymbols(symbolCount, "K");
  const teardown = new Teardown();
  try {
    const server = teardown.add(await startNatsServer(), (started) => started.stop());
    const bench = teardown.add(await connect({ servers: [server.url], name: "bench-kill" }), (connection) => connection.close());
    await createExchangeStreams(bench, { maxMessages: 1_000_000 });
    const stub = teardown.add(await ExchangeStub.start(server.url), (started) => started.stop());
    const feed = teardown.add(new MarketFeed(bench, symbols, "moving"), (started) => started.stop());
    feed.answerSnapshots();
    feed.startHeartbeats(500);
    const floor = teardown.add(await startMinimalConsumer("kill-floor", server.url, symbols), (started) => started.stop());
    const mms = teardown.add(await startMms({ name: "kill", natsUrl: server.url, symbols: symbols.map((symbol) => benchSymbolConfig(symbol)), env: options.mmsEnv("kill") }), (started) => started.stop());
    const alerts = teardown.add(new AlertWatch(), (watch) => watch.stop());
    alerts.listen(bench);
    const watch = teardown.add(new KillWatch(bench), (started) => started.stop());
    const trials: Trial[] = [];
    const phases: PhaseRecord[] = [];
    const startupBegan = performance.now();
    await mms.waitReady(600_000);
    const startupMs = round(performance.now() - startupBegan, 0);
    const failed = (await mmsStatus(bench, 10_000)).filter((status) => status.reason === "WORKER_FAILED");
    if (failed.length > 0) throw new Error(`${failed.length} of ${symbolCount} workers WORKER_FAILED at start-up`);
    await bench.flush();
    const quotesResting = async () => {
      const state = await stub.state();
      return symbols.every((symbol) => (state.liveBySymbol[symbol] ?? 0) >= 2);
    };
    // Set-up, not what is measured: a trial starts with every symbol ACTIVE and both quotes
    // resting. A symbol that paused on the way (BUS_LAG or MD_STALE: the resume of 50 symbols
    // at once is a burst on 2 cores, and the stub shows quotes before the MMS has read their
    // acks) is resumed again; each such resume is counted in the result.
    const setupResumes: Array<{ trial: number; symbol: string; reason: string | null }> = [];
    const readyForTrial = async (trial: number, timeoutMs: number) => {
      const deadline = performance.now() + timeoutMs;
      let lookedAt = performance.now();
      while (performance.now() < deadline) {
        const resting = await quotesResting();
        // The status is asked once quotes rest (to start), or every second while they do not (a paused symbol rests none).
        if (resting || performance.now() - lookedAt >= 1000) {
          lookedAt = performance.now();
          const down = (await mmsStatus(bench, 10_000)).filter((status) => status.state !== "ACTIVE");
          if (resting && down.length === 0) return true;
          const transient = down.filter((status) => status.state === "PAUSED" && (status.reason === "BUS_LAG" || status.reason === "MD_STALE"));
          const other = down.filter((status) => !transient.includes(status));
          if (other.length > 0 && resting) throw new Error(`trial ${trial}: not ACTIVE: ${other.map((status) => `${status.symbol}:${status.state}/${status.reason}`).join(", ")}`);
          if (transient.length > 0) {
            setupResumes.push(...transient.map((status) => ({ trial, symbol: status.symbol, reason: status.reason })));
            await resumeAll(bench, transient.map((status) => status.symbol), 30_000);
          }
        }
        await sleep(50);
      }
      return false;
    };
    await resumeAll(bench, symbols, 60_000);
    const processes = { mms: mms.pid, floor: floor.pid, natsServer: server.pid, bench: process.pid };
    process.stdout.write(`  kill: ${trialsWanted} trials (each after a floor trial) ...`);
    for (let trial = 0; trial < trialsWanted; trial++) {
      if (!(await readyForTrial(trial, 30_000))) throw new Error(`trial ${trial}: not every symbol ACTIVE with both quotes resting`);
      await sleep(100);
      const floorPhase = beginPhase("floor", trial + 1, processes);
      trials.push(await watch.trial(bench, "floor", symbolCount));
      phases.push(floorPhase.finish(symbolCount));
      await sleep(100);
      const mmsPhase = beginPhase("mms", trial + 1, processes);
      const measured = await watch.trial(bench, "mms", symbolCount);
      phases.push(mmsPhase.finish(symbolCount));
      trials.push(measured);
      if (measured.cancelAlls < symbolCount || measured.acks < symbolCount) process.stdout.write(`\n  trial ${trial}: ${measured.cancelAlls} CANCEL_ALL / ${measured.acks} acks within ${ACK_WAIT_MS / 1000} s`);
      if (trial % 10 === 9) process.stdout.write(` ${trial + 1}`);
      // Acknowledge the halt and quote again for the next trial.
      await sleep(200);
      const reset = await control(bench, "all", "reset", OPERATOR_BODY);
      if (!reset.ok) throw new Error(`reset refused: ${JSON.stringify(reset.results.filter((result) => !result.accepted).slice(0, 3))}`);
      await resumeAll(bench, symbols, 30_000);
    }
    process.stdout.write(`\n  kill: set-up resumes of symbols paused before a trial: ${setupResumes.length}${setupResumes.length ? ` ${JSON.stringify(reasonTally(setupResumes))}` : ""}\n`);
    await sleep(1000);
    const inStream = await killsInStream(bench);
    const missingInStream = symbols.filter((symbol) => (inStream.get(symbol) ?? 0) < trialsWanted);
    const mmsTrials = trials.filter((trial) => trial.subject === "mms");
    const floorTrials = trials.filter((trial) => trial.subject === "floor");
    const complete = mmsTrials.filter((trial) => trial.cancelAlls >= symbolCount && trial.acks >= symbolCount);
    const lastCancelAll = summarize(mmsTrials.filter((trial) => trial.cancelAlls >= symbolCount).map((trial) => trial.lastCancelAllMs));
    const lastAck = summarize(complete.map((trial) => trial.lastAckMs));
    const firstCancelAll = summarize(mmsTrials.map((trial) => trial.firstCancelAllMs));
    const floorLast = summarize(floorTrials.filter((trial) => trial.cancelAlls >= symbolCount).map((trial) => trial.lastCancelAllMs));
    const floorAck = summarize(floorTrials.filter((trial) => trial.acks >= symbolCount).map((trial) => trial.lastAckMs));
    process.stdout.write(`  kill: ${complete.length}/${mmsTrials.length} complete; last CANCEL_ALL p50 ${lastCancelAll.p50Ms} p99 ${lastCancelAll.p99Ms} (floor p50 ${floorLast.p50Ms} p99 ${floorLast.p99Ms}); in stream: ${missingInStream.length === 0 ? "all" : `missing for ${missingInStream.length} symbols`}\n`);
    const allCounted = lastCancelAll.count === mmsTrials.length;
    const goals: GoalCheck[] = [
      {
        metric: `kill -> last (${symbolCount}th) CANCEL_ALL p99, ${symbolCount} symbols, ${mmsTrials.length} trials`,
        value: `${lastCancelAll.p99Ms} ms (p50 ${lastCancelAll.p50Ms}, max ${lastCancelAll.maxMs}; floor p50 ${floorLast.p50Ms} / p99 ${floorLast.p99Ms})${allCounted ? "" : `; ${mmsTrials.length - lastCancelAll.count} trials without all ${symbolCount} within ${ACK_WAIT_MS / 1000} s`}`,
        goal: `< ${KILL_GOAL_P99_MS} ms`,
        met: symbolCount === GOAL_SYMBOLS ? allCounted && lastCancelAll.p99Ms < KILL_GOAL_P99_MS : null,
      },
      {
        metric: "every CANCEL_ALL acknowledged by JetStream",
        value: `${complete.length}/${mmsTrials.length} trials with all ${symbolCount} acks within ${ACK_WAIT_MS / 1000} s (last ack p99 ${lastAck.p99Ms} ms); ORDERS holds >= ${trialsWanted} kill CANCEL_ALLs for ${symbols.length - missingInStream.length}/${symbols.length} symbols`,
        goal: "every one, none lost",
        met: symbolCount === GOAL_SYMBOLS ? complete.length === mmsTrials.length && missingInStream.length === 0 : null,
      },
    ];
    return finish({
      method: `50 symbols ACTIVE (moving book, TRADING heartbeats every 500 ms), both quotes resting at the exchange stub. Each MMS trial follows a floor trial: floor.control.all.kill makes a minimal process send 50 JetStream CANCEL_ALL publishes at once (account FLOOR: the stub cancels nothing). MMS trial: core publish of mms.control.all.kill with an empty body at t0 (as on-call sends it); measured to the 50th CANCEL_ALL (MANUAL_KILL) seen on a core subscription to orders.> and to the 50th JetStream ack (seen on _INBOX.>, matched by reply subject), waiting up to ${ACK_WAIT_MS / 1000} s. Between trials: mms.control.all.reset, resume, wait until every symbol is ACTIVE with both quotes resting (a symbol that paused BUS_LAG or MD_STALE in that set-up is resumed again and counted in setupResumes; any other stop ends the run). At the end the ORDERS stream is read back: every symbol must have a kill CANCEL_ALL per trial (a resend with the same Nats-Msg-Id is stored once).`,
      goals,
      data: { startupMs, setupResumes, trials, phases, lastCancelAll, lastAck, firstCancelAll, floorLastCancelAll: floorLast, floorLastAck: floorAck, killsInStream: Object.fromEntries(inStream), alertsDuringRun: alerts.alerts.length },
    });
  } finally {
    await teardown.run();
  }
}
