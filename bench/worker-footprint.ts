/**
 * Where a symbol worker's memory goes: starts `count` idle worker threads of one kind in
 * a fresh process and reports the RSS added per worker. Kinds, each adding to the last:
 *   bare        a worker thread running an empty JS file
 *   tsx         + tsx's CommonJS loader (what spawnWorker adds under tsx)
 *   nats        + @nats-io/transport-node and @nats-io/jetstream loaded
 *   contracts   + @mms/contracts loaded (every ajv validator compiled)
 *   runtime     + apps/mms/src/symbol-runtime loaded (the whole worker graph), not started
 *   runtime-ym4 runtime with resourceLimits.maxYoungGenerationSizeMb = 4
 *
 *   npx tsx bench/worker-footprint.ts [count]     (also run by the footprint benchmark)
 */
import { spawnSync } from "node:child_process";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { join } from "node:path";
import { readFileSync } from "node:fs";

export const WORKER_KINDS = ["bare", "tsx", "nats", "contracts", "runtime", "runtime-ym4"] as const;
type Kind = (typeof WORKER_KINDS)[number];

function rssMb(): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/* eslint-disable @typescript-eslint/no-require-imports -- loads module graphs on purpose, synchronously, like the worker's own requires */
async function loadFor(kind: Kind): Promise<void> {
  if (kind === "bare" || kind === "tsx") return;
  require("@nats-io/transport-node");
  require("@nats-io/jetstream");
  if (kind === "nats") return;
  require("@mms/contracts");
  if (kind === "contracts") return;
  require("../apps/mms/src/symbol-runtime");
}
/* eslint-enable @typescript-eslint/no-require-imports */

async function measure(kind: Kind, count: number): Promise<void> {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));
  if (global.gc) global.gc();
  await settle();
  const before = rssMb();
  const workers: Worker[] = [];
  for (let index = 0; index < count; index++) {
    const worker =
      kind === "bare"
        ? new Worker(`require("node:worker_threads").parentPort.postMessage("loaded"); setInterval(() => undefined, 1 << 30);`, { eval: true })
        : new Worker(__filename, {
            workerData: { kind },
            execArgv: ["--require", "tsx/cjs"],
            ...(kind === "runtime-ym4" ? { resourceLimits: { maxYoungGenerationSizeMb: 4 } } : {}),
          });
    await new Promise((resolve) => worker.once("message", resolve));
    workers.push(worker);
  }
  await settle();
  const after = rssMb();
  process.stdout.write(`${JSON.stringify({ kind, count, perWorkerMb: Math.round(((after - before) / count) * 10) / 10, beforeMb: Math.round(before), afterMb: Math.round(after) })}\n`);
  await Promise.all(workers.map((worker) => worker.terminate()));
}

/** Runs each kind in its own process (so one does not warm the next); returns MB per worker. */
export function workerFootprint(count = 8): Record<string, number> {
  const result: Record<string, number> = {};
  for (const kind of WORKER_KINDS) {
    const run = spawnSync(process.execPath, ["--import", "tsx", __filename, kind, String(count)], { cwd: join(__dirname, ".."), encoding: "utf8", timeout: 300_000 });
    const line = run.stdout.split("\n").find((text) => text.startsWith("{"));
    result[kind] = line ? (JSON.parse(line) as { perWorkerMb: number }).perWorkerMb : Number.NaN;
  }
  return result;
}

if (!isMainThread) {
  const kind = (workerData as { kind: Kind }).kind;
  void loadFor(kind).then(() => {
    parentPort!.postMessage("loaded");
    // Stay alive, idle, like a symbol worker between messages.
    setInterval(() => undefined, 1 << 30);
  });
} else if (require.main === module) {
  const [kind, count] = process.argv.slice(2);
  if (kind && (WORKER_KINDS as readonly string[]).includes(kind)) {
    void measure(kind as Kind, Number(count ?? 8)).then(() => process.exit(0));
  } else {
    console.log(workerFootprint(Number(kind ?? 8)));
  }
}
