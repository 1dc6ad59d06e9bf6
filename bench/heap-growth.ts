/**
 * Issue 14, a study: what grows in the MMS's heap, thread by thread. The soak's setting (the
 * exchange simulator, the demo's symbols; --fast-fills as the soak's --soak-fast-fills) with
 * the MMS under --inspect: every --every-seconds the heap of each thread right after a full
 * collection (HeapProfiler.collectGarbage, Runtime.getHeapUsage), and a heap snapshot of each
 * thread at --first-minutes and at the end, diffed by constructor (self sizes).
 *   npx tsx bench/heap-growth.ts [--minutes 10] [--first-minutes 4] [--every-seconds 30] [--fast-fills]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { getFreePort } from "@mms/test-support";
import { InspectorClient, sizesByConstructor, type ThreadTarget } from "./lib/inspector";
import { RESULTS_DIRECTORY, round } from "./lib/machine";
import { resumeAll } from "./lib/mms-control";
import { startExchangeSim } from "./lib/exchange-sim-process";
import { startMms } from "./lib/mms-process";
import { startNatsServer } from "./lib/nats-server";
import { sleep } from "./lib/threads";
import { Teardown } from "./lib/teardown";
import { demoConfig, simulatorArguments } from "./soak";

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

type Sizes = Map<string, { count: number; bytes: number }>;

function growth(before: Sizes, after: Sizes, top: number) {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys]
    .map((key) => {
      const a = before.get(key) ?? { count: 0, bytes: 0 };
      const b = after.get(key) ?? { count: 0, bytes: 0 };
      return { key, countDelta: b.count - a.count, bytesDelta: b.bytes - a.bytes, bytesAfter: b.bytes };
    })
    .sort((x, y) => Math.abs(y.bytesDelta) - Math.abs(x.bytesDelta))
    .slice(0, top);
}

async function snapshots(inspector: InspectorClient, threads: readonly ThreadTarget[]): Promise<Map<string, Sizes>> {
  const result = new Map<string, Sizes>();
  for (const thread of threads) result.set(thread.name, sizesByConstructor(await inspector.heapSnapshot(thread)));
  return result;
}

async function main(): Promise<void> {
  const minutes = argument("minutes", 10);
  const firstMinutes = argument("first-minutes", 4);
  const everySeconds = argument("every-seconds", 30);
  const fastFills = process.argv.includes("--fast-fills");
  const { symbols, risk } = demoConfig(fastFills);
  const names = symbols.map((symbol) => symbol.symbol);
  const teardown = new Teardown();
  const inspectPort = await getFreePort();
  try {
    const server = teardown.add(await startNatsServer(), (started) => started.stop());
    const bench = teardown.add(await connect({ servers: [server.url], name: "bench-heap-growth" }), (connection) => connection.close());
    teardown.add(await startExchangeSim(server.url, names, join(RESULTS_DIRECTORY, "logs", "heap-growth-exchange-sim.log"), simulatorArguments(fastFills)), (started) => started.stop());
    const mms = teardown.add(await startMms({ name: "heap-growth", natsUrl: server.url, symbols, risk, nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`] }), (started) => started.stop());
    await mms.waitReady(300_000);
    await resumeAll(bench, names, 60_000);
    const inspector = teardown.add(await InspectorClient.connect(inspectPort), (client) => client.close());
    const threads: ThreadTarget[] = [];
    for (const thread of inspector.threads) threads.push({ ...thread, name: await inspector.threadLabel(thread) });
    process.stdout.write(`threads: ${threads.map((thread) => thread.name).join(" | ")}\n`);
    const startedAt = performance.now();
    const series: Array<{ t: number; heapAfterGcMb: Record<string, number> }> = [];
    let first: Map<string, Sizes> | undefined;
    while (performance.now() - startedAt < minutes * 60_000) {
      const t = round((performance.now() - startedAt) / 1000, 0);
      const heapAfterGcMb: Record<string, number> = {};
      for (const thread of threads) heapAfterGcMb[thread.name] = round((await inspector.heapAfterGc(thread)) / 1048576, 3);
      series.push({ t, heapAfterGcMb });
      process.stdout.write(`${t} s: ${JSON.stringify(heapAfterGcMb)}\n`);
      if (!first && t >= firstMinutes * 60) first = await snapshots(inspector, threads);
      await sleep(everySeconds * 1000);
    }
    const last = await snapshots(inspector, threads);
    const diffs = Object.fromEntries(threads.map((thread) => [thread.name, first ? growth(first.get(thread.name)!, last.get(thread.name)!, 25) : []]));
    for (const [thread, rows] of Object.entries(diffs)) {
      process.stdout.write(`\n${thread}: growth by constructor from ${firstMinutes} min to ${minutes} min\n`);
      for (const row of rows) process.stdout.write(`  ${String(row.bytesDelta).padStart(10)} B ${String(row.countDelta).padStart(8)} x  ${row.key} (now ${row.bytesAfter} B)\n`);
    }
    mkdirSync(RESULTS_DIRECTORY, { recursive: true });
    writeFileSync(join(RESULTS_DIRECTORY, "heap-growth.json"), JSON.stringify({ minutes, firstMinutes, everySeconds, fastFills, series, diffs }, null, 2));
  } finally {
    await teardown.run();
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
