import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { BenchOptions } from "./lib/options";
import { beginResult, loadAverage, round, type BenchResult, type GoalCheck } from "./lib/machine";
import { BENCH_ACCOUNT, benchSymbolConfig, benchSymbols, startMms } from "./lib/mms-process";
import { startNatsServer } from "./lib/nats-server";
import { cpuSeconds } from "./lib/proc";
import { createExchangeStreams, readWholeStream } from "./lib/streams";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface RecoveryPoint {
  readonly reports: number;
  /** Process start -> /readyz 200. */
  readonly readyMs: number;
  /** Process start -> each symbol's "execution history replayed" log line (as the bench read it). */
  readonly replayedAtMs: Record<string, number>;
  readonly replayedCounts: Record<string, number>;
  readonly reportsPerSecond: number;
  /** reports / (readyMs - readyMs of the empty history): the replay alone, start-up taken out. */
  readonly replayReportsPerSecond: number | null;
  readonly cpuSeconds: number;
  /** CPU microseconds per report (the whole process, spawn to ready, over the reports). */
  readonly microsPerReport: number | null;
  /** nats-server's CPU microseconds per report over the same span: the other half of the 2-core budget. */
  readonly serverMicrosPerReport: number | null;
  /** The floor phase just before: a plain ordered consumer reading and parsing the same EXEC. */
  readonly floor: { readonly reportsPerSecond: number; readonly microsPerReport: number; readonly serverMicrosPerReport: number; readonly seconds: number } | null;
  readonly loadAtStart: number;
  readonly loadAverage: readonly number[];
}

/**
 * The history of one account over a few symbols: orders that are ACCEPTED, half FILLED
 * (MAKER, alternating sides so the position stays small) and CANCELED; 3 reports an
 * order, round robin over the symbols.
 */
export function* reportBodies(from: number, count: number, symbols: readonly string[]): Generator<[string, Uint8Array]> {
  const ts = Date.now() - 3_600_000;
  for (let index = from; index < from + count; index++) {
    const order = Math.floor(index / 3);
    const symbol = symbols[order % symbols.length]!;
    const clientOrderId = `RC-${order}`;
    const orderId = `X-${order}`;
    const side = order % 2 === 0 ? "BUY" : "SELL";
    const common = `"execId":"RE-${index}","account":"${BENCH_ACCOUNT}","symbol":"${symbol}","ts":${ts + index},"clientOrderId":"${clientOrderId}"`;
    let body: string;
    switch (index % 3) {
      case 0:
        body = `{"kind":"ACCEPTED",${common},"orderId":"${orderId}","side":"${side}","px":"1000.0","qty":"0.010"}`;
        break;
      case 1:
        body = `{"kind":"FILL",${common},"orderId":"${orderId}","side":"${side}","fillId":"RF-${order}","px":"1000.0","qty":"0.005","leavesQty":"0.005","fee":"-0.001","liquidity":"MAKER"}`;
        break;
      default:
        body = `{"kind":"CANCELED",${common},"orderId":"${orderId}","reason":"USER"}`;
    }
    yield [`exec.${BENCH_ACCOUNT}.${symbol}`, encoder.encode(body)];
  }
}

/** JetStream publishes with up to `window` acks outstanding. */
async function publishReports(url: string, from: number, count: number, symbols: readonly string[], window = 4096): Promise<{ seconds: number; rate: number }> {
  const connection = await connect({ servers: [url], name: "bench-exec-loader", noAsyncTraces: true });
  const client = jetstream(connection);
  const started = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  for (const [subject, body] of reportBodies(from, count, symbols)) {
    const publish = client.publish(subject, body, { timeout: 60_000 });
    inFlight.add(publish);
    void publish.finally(() => inFlight.delete(publish));
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  await connection.close();
  return { seconds: round(seconds, 2), rate: round(count / seconds, 0) };
}

/**
 * Loads EXEC over four connections at once, each a run of whole orders (3 reports an order,
 * in order): an order's reports stay in sequence, orders of different runs interleave.
 */
export async function publishInParallel(url: string, from: number, count: number, symbols: readonly string[], connections = 4): Promise<{ seconds: number; rate: number }> {
  const orders = Math.ceil(count / 3);
  const perConnection = Math.ceil(orders / connections) * 3;
  const started = performance.now();
  const runs = [];
  for (let start = from; start < from + count; start += perConnection) runs.push(publishReports(url, start, Math.min(perConnection, from + count - start), symbols));
  await Promise.all(runs);
  const seconds = (performance.now() - started) / 1000;
  return { seconds: round(seconds, 2), rate: round(count / seconds, 0) };
}

/**
 * Benchmark 4: start-up recovery from EXEC. The MMS starts with the history already in
 * the stream; measured from process spawn to /readyz 200 (every symbol RECOVERED).
 */
export async function runRecovery(options: BenchOptions): Promise<BenchResult> {
  const finish = beginResult("recovery", "Recovery from EXEC at start-up", options.quick);
  const symbols = benchSymbols(4, "R");
  const sizes = [options.reports ?? (options.quick ? 50_000 : 1_000_000)];
  const server = await startNatsServer();
  const bench = await connect({ servers: [server.url], name: "bench-recovery" });
  await createExchangeStreams(bench);
  const points: RecoveryPoint[] = [];
  const loads: Array<{ reports: number; seconds: number; rate: number }> = [];
  let baselineReadyMs: number | undefined;
  try {
    let inStream = 0;
    for (const size of [0, ...sizes]) {
      if (size > inStream) {
        process.stdout.write(`  recovery: publishing ${size - inStream} reports ... `);
        const load = await publishInParallel(server.url, inStream, size - inStream, symbols);
        loads.push({ reports: size - inStream, ...load });
        process.stdout.write(`${load.rate}/s\n`);
        inStream = size;
      }
      const info = await (await jetstreamManager(bench)).streams.info("EXEC");
      if (info.state.messages !== size) throw new Error(`EXEC holds ${info.state.messages} reports, expected ${size}`);
      let floor: RecoveryPoint["floor"] = null;
      if (size > 0) {
        process.stdout.write(`  recovery floor: read and parse ${size} reports ... `);
        const cpuBefore = cpuSeconds(process.pid);
        const serverBefore = cpuSeconds(server.pid);
        const read = await readWholeStream(bench, "EXEC", (data) => void JSON.parse(decoder.decode(data)));
        const cpu = cpuSeconds(process.pid) - cpuBefore;
        const serverCpu = cpuSeconds(server.pid) - serverBefore;
        floor = { reportsPerSecond: round(read.messages / read.seconds, 0), microsPerReport: round((cpu * 1e6) / read.messages, 1), serverMicrosPerReport: round((serverCpu * 1e6) / read.messages, 1), seconds: round(read.seconds, 2) };
        process.stdout.write(`${floor.reportsPerSecond}/s, ${floor.microsPerReport} us/report (server ${floor.serverMicrosPerReport} us/report)\n`);
      }
      const loadAtStart = loadAverage()[0];
      process.stdout.write(`  recovery: start with ${size} reports ... `);
      const replayedAt: Record<string, number> = {};
      const replayedCounts: Record<string, number> = {};
      let startedAt = 0;
      const serverCpuAtStart = cpuSeconds(server.pid);
      const mms = await startMms({
        name: `recovery-${size}`,
        natsUrl: server.url,
        symbols: symbols.map((symbol) => benchSymbolConfig(symbol)),
        logLevel: "info",
        env: options.mmsEnv("recovery"),
        onLogLine: (line, receivedAt) => {
          if (line.message === "execution history replayed" && typeof line.symbol === "string") {
            replayedAt[line.symbol] = round(receivedAt - startedAt, 0);
            replayedCounts[line.symbol] = Number(line.replayed);
          }
        },
      });
      startedAt = mms.startedAt;
      try {
        const readyAt = await mms.waitReady(1_800_000, 10);
        const readyMs = round(readyAt - mms.startedAt, 0);
        const cpu = round(cpuSeconds(mms.pid), 1);
        const serverCpu = cpuSeconds(server.pid) - serverCpuAtStart;
        if (size === 0) baselineReadyMs = readyMs;
        const point: RecoveryPoint = {
          reports: size,
          readyMs,
          replayedAtMs: replayedAt,
          replayedCounts,
          reportsPerSecond: size === 0 ? 0 : round(size / (readyMs / 1000), 0),
          replayReportsPerSecond: size === 0 || baselineReadyMs === undefined ? null : round(size / ((readyMs - baselineReadyMs) / 1000), 0),
          cpuSeconds: cpu,
          microsPerReport: size === 0 ? null : round((cpu * 1e6) / size, 1),
          serverMicrosPerReport: size === 0 ? null : round((serverCpu * 1e6) / size, 1),
          floor,
          loadAtStart,
          loadAverage: loadAverage(),
        };
        points.push(point);
        process.stdout.write(`ready after ${readyMs} ms (${point.reportsPerSecond}/s end to end, ${point.replayReportsPerSecond ?? "-"}/s replay only; ${cpu} CPU s, server ${round(serverCpu, 1)} CPU s) replayed ${JSON.stringify(replayedCounts)}\n`);
      } finally {
        await mms.stop();
      }
    }
  } finally {
    await bench.close();
    await server.stop();
  }
  const goals: GoalCheck[] = points
    .filter((point) => point.reports > 0)
    .map((point) => ({
      metric: `recovery from ${point.reports.toLocaleString("en-US")} reports`,
      value: `${point.reportsPerSecond.toLocaleString("en-US")}/s (ready after ${point.readyMs} ms; replay alone ${point.replayReportsPerSecond?.toLocaleString("en-US") ?? "-"}/s; ${point.microsPerReport} CPU us/report, server ${point.serverMicrosPerReport} us; floor consumer ${point.floor?.reportsPerSecond.toLocaleString("en-US") ?? "-"}/s, ${point.floor?.microsPerReport ?? "-"} us/report, server ${point.floor?.serverMicrosPerReport ?? "-"} us)`,
      goal: ">= 100,000 reports/s end to end from 1,000,000",
      met: point.reports >= 1_000_000 && point.reportsPerSecond >= 100_000,
    }));
  return finish({
    method: `EXEC (file storage) holds the history of one account over 4 symbols: orders ACCEPTED, half FILLED, CANCELED (3 reports an order), published beforehand with JetStream async publishes over 4 connections (4096 acks outstanding each). Floor phase before each start: a plain ordered consumer in the bench process reads the whole EXEC by callback in pulls of 2,048 (the cheapest setting of bench/recovery-floor.ts) and JSON-parses every report (nothing else runs meanwhile); nats-server's CPU is counted beside the consumer's and the MMS's. Then the MMS (4 symbols) is started with that history; measured from process spawn to the first /readyz 200 (polled every 10 ms), i.e. every symbol RECOVERED; the per-symbol "execution history replayed" log lines are recorded too. End-to-end rate = reports / ready time (the goal's measure); replay-only rate takes out the ready time of a start with an empty history (${baselineReadyMs ?? "-"} ms).`,
    goals,
    data: { points, loads, baselineReadyMs: baselineReadyMs ?? null },
  });
}
