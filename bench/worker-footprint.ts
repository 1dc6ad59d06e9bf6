/**
 * Where a symbol worker's memory goes: starts `count` idle worker threads of one kind in a
 * fresh plain-node process (as the MMS runs: compiled JavaScript, no tsx) and reports the
 * RSS added per worker and how long spawning them all took. Kinds, each adding to the last:
 *   bare            a worker thread running an empty script: the bare isolate, the floor
 *   nats            + @nats-io/transport-node and @nats-io/jetstream loaded
 *   contracts       + @mms/contracts/runtime loaded (what a worker imports: no schema, no TypeBox)
 *   runtime         + apps/mms/dist/symbol-runtime.js loaded (the worker's module graph), not started
 *   runtime-limits  runtime with the MMS's ACTOR_RESOURCE_LIMITS (apps/mms/dist/worker-spawn.js)
 *
 *   npx tsx bench/worker-footprint.ts [count]     (also run by the startup benchmark)
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Worker, type ResourceLimits } from "node:worker_threads";

export const WORKER_KINDS = ["bare", "nats", "contracts", "runtime", "runtime-limits"] as const;
type Kind = (typeof WORKER_KINDS)[number];

const ROOT = join(__dirname, "..");
const RUNTIME = join(ROOT, "apps/mms/dist/symbol-runtime.js");
const WORKER_SPAWN = join(ROOT, "apps/mms/dist/worker-spawn.js");

export interface FootprintRow {
  readonly kind: Kind;
  readonly count: number;
  readonly perWorkerMb: number;
  /** Spawn of all `count` workers at once -> the last one loaded. */
  readonly spawnAllMs: number;
  readonly error?: string;
}

function rssMb(): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** The script a worker of `kind` runs: loads its modules, says so, then idles like a symbol worker between messages. */
function workerScript(kind: Kind): string {
  const modules: string[] = [];
  if (kind !== "bare") modules.push(require.resolve("@nats-io/transport-node"), require.resolve("@nats-io/jetstream"));
  if (kind === "contracts" || kind === "runtime" || kind === "runtime-limits") modules.push(require.resolve("@mms/contracts/runtime"));
  if (kind === "runtime" || kind === "runtime-limits") modules.push(RUNTIME);
  return `${modules.map((path) => `require(${JSON.stringify(path)});`).join("")} require("node:worker_threads").parentPort.postMessage("loaded"); setInterval(() => undefined, 1 << 30);`;
}

function resourceLimitsFor(kind: Kind): ResourceLimits | undefined {
  if (kind !== "runtime-limits" || !existsSync(WORKER_SPAWN)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled service's own constant
  return (require(WORKER_SPAWN) as { ACTOR_RESOURCE_LIMITS?: ResourceLimits }).ACTOR_RESOURCE_LIMITS;
}

async function measure(kind: Kind, count: number): Promise<void> {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));
  if ((kind === "runtime" || kind === "runtime-limits") && !existsSync(RUNTIME)) {
    process.stdout.write(`${JSON.stringify({ kind, count, perWorkerMb: Number.NaN, spawnAllMs: Number.NaN, error: `${RUNTIME} missing (npm run build)` })}\n`);
    return;
  }
  await settle();
  const before = rssMb();
  const script = workerScript(kind);
  const resourceLimits = resourceLimitsFor(kind);
  const started = performance.now();
  const workers = Array.from({ length: count }, () => new Worker(script, { eval: true, ...(resourceLimits ? { resourceLimits } : {}) }));
  await Promise.all(workers.map((worker) => new Promise((resolve, reject) => (worker.once("message", resolve), worker.once("error", reject)))));
  const spawnAllMs = Math.round(performance.now() - started);
  await settle();
  const after = rssMb();
  process.stdout.write(`${JSON.stringify({ kind, count, perWorkerMb: Math.round(((after - before) / count) * 10) / 10, spawnAllMs })}\n`);
  await Promise.all(workers.map((worker) => worker.terminate()));
}

/** Runs each kind in its own plain-node process (so one does not warm the next). */
export function workerFootprint(count = 12, counts: Partial<Record<Kind, number>> = {}): FootprintRow[] {
  return WORKER_KINDS.map((kind) => {
    const workers = counts[kind] ?? count;
    const run = spawnSync(process.execPath, ["--import", "tsx", __filename, kind, String(workers)], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
    const line = run.stdout.split("\n").find((text) => text.startsWith("{"));
    return line ? (JSON.parse(line) as FootprintRow) : { kind, count: workers, perWorkerMb: Number.NaN, spawnAllMs: Number.NaN, error: run.stderr.slice(-300) || "no output" };
  });
}

if (require.main === module) {
  const [kind, count] = process.argv.slice(2);
  if (kind && (WORKER_KINDS as readonly string[]).includes(kind)) {
    void measure(kind as Kind, Number(count ?? 12)).then(() => process.exit(0));
  } else {
    console.log(workerFootprint(Number(kind ?? 12)));
  }
}
