/**
 * `npm run bench`: the goals of issue 12 (and, by name, the soak of issue 14). Each
 * benchmark starts its own nats-server on loopback, runs the real service
 * (apps/mms/dist/main.js) as a child process, measures the floor in alternating phases of
 * the same run, writes bench/results/<name>.json (<name>.quick.json with --quick), and
 * docs/performance.md is rebuilt from the full results. A benchmark that fails says why
 * and the others still run. See docs/performance.md for what each one measures.
 */
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { beginResult, loadAverage, RESULTS_DIRECTORY, writeResult, type BenchResult } from "./lib/machine";
import { BENCHMARKS, parseOptions, USAGE, type BenchmarkName, type BenchOptions } from "./lib/options";
import { writePerformanceDoc } from "./lib/report";
import { runConnectionDesign, runLatency, type LatencyRun } from "./latency";
import { runThroughput } from "./throughput";
import { runIdle } from "./idle";
import { runOverload } from "./overload";
import { runKill } from "./kill";
import { runStartup } from "./startup";
import { runRecovery } from "./recovery";
import { runSoak } from "./soak";
import { runActorMicro } from "./actor-micro";

/** The highest rate throughput held: from this run, else from its last full result. */
function knownHighestHeldRate(options: BenchOptions, fromThisRun: number | undefined): number | undefined {
  if (fromThisRun !== undefined) return fromThisRun;
  const path = join(RESULTS_DIRECTORY, `throughput${options.quick ? ".quick" : ""}.json`);
  if (!existsSync(path)) return undefined;
  return (JSON.parse(readFileSync(path, "utf8")) as { data?: { highestHeldRate?: number } }).data?.highestHeldRate;
}

async function main(): Promise<void> {
  if (process.argv.includes("--help")) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const options = parseOptions(process.argv.slice(2));
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 24) process.stdout.write(`warning: node ${process.version}; the project runs on node 24 (use npm run bench)\n`);
  const began = Date.now();
  process.stdout.write(`bench: ${[...options.only].join(", ")}${options.quick ? " (quick: figures are for checking the harness only)" : ""}; load average ${loadAverage().join(" ")}\n`);

  const failures: string[] = [];
  let latencyRuns: readonly LatencyRun[] | undefined;
  let highestHeldRate: number | undefined;
  const steps: Record<BenchmarkName, () => Promise<BenchResult>> = {
    throughput: async () => {
      const result = await runThroughput(options);
      highestHeldRate = (result.data as { highestHeldRate: number }).highestHeldRate;
      return result;
    },
    idle: () => runIdle(options),
    "tick-to-intent": async () => {
      const result = await runLatency(options);
      latencyRuns = (result.data as { runs: LatencyRun[] }).runs;
      return result;
    },
    overload: () => runOverload(options, knownHighestHeldRate(options, highestHeldRate)),
    kill: () => runKill(options),
    startup: () => runStartup(options),
    recovery: () => runRecovery(options),
    soak: () => runSoak(options),
    "nats-connections": () => runConnectionDesign(options, latencyRuns),
    "actor-micro": () => runActorMicro(options),
  };
  const durations: string[] = [];
  for (const name of BENCHMARKS) {
    if (!options.only.has(name)) continue;
    const started = Date.now();
    process.stdout.write(`\n== ${name} (load ${loadAverage().join(" ")})\n`);
    try {
      const result = await steps[name]();
      const path = writeResult(result);
      for (const goal of result.goals) process.stdout.write(`  ${goal.met === null ? "  " : goal.met ? "ok" : "MISS"} ${goal.metric}: ${goal.value} (goal ${goal.goal})\n`);
      process.stdout.write(`  -> ${path}\n`);
    } catch (error) {
      failures.push(name);
      process.stdout.write(`  FAILED: ${(error as Error).stack ?? String(error)}\n`);
      // The page says why a goal has no figure: the benchmark's own failure, not a blank.
      const failed = beginResult(name, `${name}: the benchmark failed`, options.quick);
      writeResult(failed({ method: "The benchmark did not complete.", goals: [{ metric: "benchmark run", value: `failed: ${(error as Error).message.split("\n")[0]}`, goal: "completes", met: false }], data: { error: (error as Error).stack ?? String(error) } }));
    }
    durations.push(`${name} ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const doc = writePerformanceDoc(options.quick);
  process.stdout.write(`\ndocs: ${doc}\ntook ${Math.round((Date.now() - began) / 1000)} s (${durations.join(", ")}); load average ${loadAverage().join(" ")}\n`);
  if (failures.length > 0) {
    process.stdout.write(`failed: ${failures.join(", ")}\n`);
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
