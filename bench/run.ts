/**
 * `npm run bench`: the MMS benchmarks of issue 7. Each benchmark starts its own
 * nats-server on loopback, runs the real service as a child process, writes
 * bench/results/<name>.json and the table in docs/performance.md is rebuilt from every
 * result present. See docs/performance.md for what each one measures.
 */
import { loadAverage } from "./lib/machine";
import { parseOptions, USAGE, type BenchmarkName } from "./lib/options";
import { writeResult, type BenchResult } from "./lib/machine";
import { writePerformanceDoc } from "./lib/report";
import { runConnectionDesign, runLatency, type LatencyRun } from "./latency";
import { runThroughput } from "./throughput";
import { runKill } from "./kill";
import { runRecovery } from "./recovery";
import { runFootprint } from "./footprint";
import { runActorMicro } from "./actor-micro";

async function main(): Promise<void> {
  if (process.argv.includes("--help")) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const options = parseOptions(process.argv.slice(2));
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 24) process.stdout.write(`warning: node ${process.version}; the project runs on node 24 (use npm run bench)\n`);
  process.stdout.write(`bench: ${[...options.only].join(", ")}${options.quick ? " (quick)" : ""}; load average ${loadAverage().join(" ")}\n`);

  const failures: string[] = [];
  let latencyRuns: readonly LatencyRun[] | undefined;
  const steps: Array<[BenchmarkName, () => Promise<BenchResult>]> = [
    [
      "tick-to-intent",
      async () => {
        const result = await runLatency(options);
        latencyRuns = (result.data as { runs: LatencyRun[] }).runs;
        return result;
      },
    ],
    ["nats-connections", () => runConnectionDesign(options, latencyRuns)],
    ["throughput", () => runThroughput(options)],
    ["kill", () => runKill(options)],
    ["recovery", () => runRecovery(options)],
    ["footprint", () => runFootprint(options)],
    ["actor-micro", () => runActorMicro(options)],
  ];
  for (const [name, run] of steps) {
    if (!options.only.has(name)) continue;
    process.stdout.write(`\n== ${name} (load ${loadAverage().join(" ")})\n`);
    try {
      const result = await run();
      const path = writeResult(result);
      for (const goal of result.goals) process.stdout.write(`  ${goal.met === null ? "  " : goal.met ? "ok" : "MISS"} ${goal.metric}: ${goal.value} (goal ${goal.goal})\n`);
      process.stdout.write(`  -> ${path}\n`);
    } catch (error) {
      failures.push(name);
      process.stdout.write(`  FAILED: ${(error as Error).stack ?? String(error)}\n`);
    }
  }
  const doc = writePerformanceDoc();
  process.stdout.write(`\ndocs: ${doc}\n`);
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
