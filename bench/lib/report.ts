import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, RESULTS_DIRECTORY, type BenchResult } from "./machine";
import { BENCHMARKS } from "./options";
import type { LatencySummary } from "./stats";

const DOC_PATH = join(REPO_ROOT, "docs", "performance.md");
const FINDINGS_PATH = join(REPO_ROOT, "bench", "findings.md");

/** The full result of a benchmark, or its quick one when no full run exists yet. */
function load(name: string): BenchResult | undefined {
  for (const file of [`${name}.json`, `${name}.quick.json`]) {
    const path = join(RESULTS_DIRECTORY, file);
    if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as BenchResult;
  }
  return undefined;
}

function mark(met: boolean | null): string {
  return met === null ? "-" : met ? "met" : "**missed**";
}

function table(header: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
}

function when(result: BenchResult): string {
  return `${result.date.slice(0, 16).replace("T", " ")} UTC${result.quick ? " (quick)" : ""}, load ${result.loadAverageBefore.join("/")} -> ${result.loadAverageAfter.join("/")}`;
}

interface LatencyRunView {
  rate: number;
  variant?: string;
  floor: LatencySummary;
  subject: LatencySummary;
  p50Ratio: number;
  p99Ratio: number;
  p999Ratio: number;
  coverage?: number;
  alerts: Record<string, number>;
  cpuCores?: Record<string, number>;
  requoteCycle?: { cancelToReport: LatencySummary; reportToNew: LatencySummary };
  achievedRate: number;
}

function latencyDetail(result: BenchResult): string {
  const runs = (result.data as { runs: LatencyRunView[] }).runs;
  return table(
    ["deltas/s", "floor p50 / p99 / p99.9 ms", "MMS p50 / p99 / p99.9 ms", "ratio p50 / p99 / p99.9", "samples", "coverage", "alerts", "CPU cores (MMS / floor / nats)", "CANCEL->report / report->NEW p50 ms"],
    runs.map((run) => [
      `${run.rate} (got ${run.achievedRate})`,
      `${run.floor.p50Ms} / ${run.floor.p99Ms} / ${run.floor.p999Ms}`,
      `${run.subject.p50Ms} / ${run.subject.p99Ms} / ${run.subject.p999Ms}`,
      `${run.p50Ratio} / ${run.p99Ratio} / ${run.p999Ratio}`,
      run.subject.count,
      run.coverage ?? "-",
      Object.keys(run.alerts).length ? JSON.stringify(run.alerts) : "none",
      run.cpuCores ? `${run.cpuCores.mms} / ${run.cpuCores.floor} / ${run.cpuCores.natsServer}` : "-",
      run.requoteCycle ? `${run.requoteCycle.cancelToReport.p50Ms} / ${run.requoteCycle.reportToNew.p50Ms}` : "-",
    ]),
  );
}

function connectionsDetail(result: BenchResult): string {
  const data = result.data as { runs: LatencyRunView[]; mmsRuns: LatencyRunView[] | null };
  const rows = data.runs.map((run) => [run.variant ?? "?", run.rate, `${run.floor.p50Ms} / ${run.floor.p99Ms} / ${run.floor.p999Ms}`, `${run.subject.p50Ms} / ${run.subject.p99Ms} / ${run.subject.p999Ms}`, `${run.p50Ratio} / ${run.p99Ratio} / ${run.p999Ratio}`]);
  for (const run of data.mmsRuns ?? []) rows.push(["MMS (worker-conn + logic, from tick-to-intent)", run.rate, `${run.floor.p50Ms} / ${run.floor.p99Ms} / ${run.floor.p999Ms}`, `${run.subject.p50Ms} / ${run.subject.p99Ms} / ${run.subject.p999Ms}`, `${run.p50Ratio} / ${run.p99Ratio} / ${run.p999Ratio}`]);
  return table(["variant", "deltas/s", "floor p50 / p99 / p99.9 ms", "variant p50 / p99 / p99.9 ms", "ratio to floor p50 / p99 / p99.9"], rows);
}

function throughputDetail(result: BenchResult): string {
  const steps = (result.data as { steps: Array<{ targetRate: number; achievedRate: number; deliveredRate: number; passed: boolean; failures: string[]; rssMb: { start: number; max: number; end: number }; cpuCores: Record<string, number>; maxServerPendingBytes: number }> }).steps;
  return table(
    ["target msg/s", "published / delivered msg/s", "result", "RSS start / max / end MB", "CPU cores (MMS / nats / bench)", "max server backlog to MMS"],
    steps.map((step) => [step.targetRate, `${step.achievedRate} / ${step.deliveredRate}`, step.passed ? "pass" : `fail: ${step.failures.join("; ")}`, `${step.rssMb.start} / ${step.rssMb.max} / ${step.rssMb.end}`, `${step.cpuCores.mms} / ${step.cpuCores.natsServer} / ${step.cpuCores.bench}`, `${step.maxServerPendingBytes} B`]),
  );
}

function killDetail(result: BenchResult): string {
  const data = result.data as { lastCancelAll?: LatencySummary; lastAck?: LatencySummary; firstCancelAll?: LatencySummary; measuredSymbols: number; startFailure: string | null; runs: Array<{ symbols: number; startupMs: number; startFailure?: string }> };
  const starts = data.runs.map((run) => `${run.symbols} symbols: ready ${run.startupMs} ms after spawn${run.startFailure ? ` - ${run.startFailure}` : ""}`).join("; ");
  if (!data.lastCancelAll || !data.lastAck || !data.firstCancelAll) return `No trial completed. Start-up: ${starts}.`;
  return `Start-up: ${starts}. Figures below: ${data.measuredSymbols} symbols.\n\n${table(
    ["measure (ms from the kill publish)", "p50", "p99", "max", "trials"],
    [
      ["first CANCEL_ALL", data.firstCancelAll.p50Ms, data.firstCancelAll.p99Ms, data.firstCancelAll.maxMs, data.firstCancelAll.count],
      ["50th CANCEL_ALL", data.lastCancelAll.p50Ms, data.lastCancelAll.p99Ms, data.lastCancelAll.maxMs, data.lastCancelAll.count],
      ["50th JetStream ack", data.lastAck.p50Ms, data.lastAck.p99Ms, data.lastAck.maxMs, data.lastAck.count],
    ].map((row) => row.map((cell) => (typeof cell === "string" ? cell.replace("50th", `last (${data.measuredSymbols}th)`) : cell))),
  )}`;
}

function recoveryDetail(result: BenchResult): string {
  const data = result.data as { points: Array<{ reports: number; readyMs: number; reportsPerSecond: number; replayReportsPerSecond: number | null; cpuSeconds: number }>; loads: Array<{ reports: number; rate: number }> };
  return `${table(
    ["reports in EXEC", "spawn -> /readyz 200 ms", "reports/s end to end", "reports/s replay only", "CPU s to ready"],
    data.points.map((point) => [point.reports.toLocaleString("en-US"), point.readyMs, point.reportsPerSecond.toLocaleString("en-US"), point.replayReportsPerSecond?.toLocaleString("en-US") ?? "-", point.cpuSeconds]),
  )}\n\nLoading EXEC: ${data.loads.map((load) => `${load.reports.toLocaleString("en-US")} reports at ${load.rate.toLocaleString("en-US")}/s`).join(", ")}.`;
}

function footprintDetail(result: BenchResult): string {
  const data = result.data as { points: Array<{ symbols: number; rssMb: number; readyMs: number; startupCpuSeconds: number; failedWorkers: number }>; workerBreakdownMbPerWorker?: Record<string, number> };
  const base = data.points[0];
  const main = table(
    ["symbols", "RSS MB", "marginal MB/actor", "RSS/n MB", "spawn -> ready ms", "start-up CPU s", "failed workers"],
    data.points.map((point) => [point.symbols, point.rssMb, base && point !== base ? Math.round(((point.rssMb - base.rssMb) / (point.symbols - base.symbols)) * 10) / 10 : "-", Math.round((point.rssMb / point.symbols) * 10) / 10, point.readyMs, point.startupCpuSeconds, point.failedWorkers]),
  );
  if (!data.workerBreakdownMbPerWorker) return main;
  const breakdown = table(["idle worker thread kind", "RSS MB per worker"], Object.entries(data.workerBreakdownMbPerWorker).map(([kind, mb]) => [kind, mb]));
  return `${main}\n\nWhere a worker's memory goes (bench/worker-footprint.ts, each row adds to the one above):\n\n${breakdown}`;
}

function microDetail(result: BenchResult): string {
  return table(["per call", "microseconds"], Object.entries(result.data as Record<string, number>).map(([key, value]) => [key, value]));
}

const DETAILS: Record<string, (result: BenchResult) => string> = {
  "tick-to-intent": latencyDetail,
  "nats-connections": connectionsDetail,
  throughput: throughputDetail,
  kill: killDetail,
  recovery: recoveryDetail,
  footprint: footprintDetail,
  "actor-micro": microDetail,
};

/** Rebuilds docs/performance.md from every result in bench/results and bench/findings.md. */
export function writePerformanceDoc(): string {
  const results = BENCHMARKS.map((name) => load(name)).filter((result): result is BenchResult => result !== undefined);
  const machine = results[0]?.machine;
  const lines: string[] = [];
  lines.push("# Performance");
  lines.push("");
  lines.push("<!-- Generated by `npm run bench` (bench/lib/report.ts) from bench/results/<name>.json (or <name>.quick.json when there is no full run) and bench/findings.md. Edit those, not this file. -->");
  lines.push("");
  lines.push("How fast the Market Maker Service is against the goals of issue 7, measured by the harness in `bench/`.");
  lines.push("");
  lines.push("## Running");
  lines.push("");
  lines.push("```sh");
  lines.push("npm run bench                                   # every benchmark, full length (~15-25 min)");
  lines.push("npm run bench -- --quick                        # short phases, to check the harness");
  lines.push("npm run bench -- --only tick-to-intent,kill     # some of them");
  lines.push("npm run bench -- --only recovery --million      # recovery from 1,000,000 reports as well");
  lines.push("npm run bench -- --only throughput --steps 10k,20k --profile   # CPU profiles of the MMS (main + every worker)");
  lines.push("npx tsx bench/profile-summary.ts bench/results/profiles/throughput --last 20");
  lines.push("```");
  lines.push("");
  lines.push("Each benchmark starts its own `nats-server -js` on a free loopback port with a temporary store (never the machine's NATS on 4222), runs the real service as a child process (`node apps/mms/dist/main.js --config FILE`, `MMS_LEASES=off`), and stops both. Results go to `bench/results/<name>.json` with the machine, node and nats-server versions and the load average before and after; this page is rebuilt from all of them.");
  lines.push("");
  if (machine) {
    lines.push(`Machine of the latest results: ${machine.cpuModel}, ${machine.cores} cores, ${Math.round(machine.memoryMb / 1024)} GB, node ${machine.node}, ${machine.natsServer}. **Load**: the machine was shared with other test runs; every row states the load average (1/5/15 min) before and after, and on a 2-core machine a load above 2 means the numbers include waiting for a CPU.`);
    lines.push("");
  }
  lines.push("## Results against the goals");
  lines.push("");
  lines.push(
    table(
      ["benchmark", "metric", "result", "goal", "status", "when / load"],
      results.filter((result) => result.name !== "actor-micro" && result.name !== "nats-connections").flatMap((result) => result.goals.map((goal) => [result.name, goal.metric, goal.value + (goal.note ? ` (${goal.note})` : ""), goal.goal, mark(goal.met), when(result)])),
    ),
  );
  lines.push("");
  for (const result of results) {
    if (result.name === "nats-connections") continue;
    lines.push(`## ${result.title}`);
    lines.push("");
    lines.push(`*${when(result)}; ${result.durationSeconds} s.*`);
    lines.push("");
    lines.push(`What is measured: ${result.method}`);
    lines.push("");
    lines.push(DETAILS[result.name]?.(result) ?? "");
    lines.push("");
  }
  const connections = results.find((result) => result.name === "nats-connections");
  lines.push("## Where the NATS connections live");
  lines.push("");
  if (connections) {
    lines.push(`*${when(connections)}.*`);
    lines.push("");
    lines.push(`What is measured: ${connections.method}`);
    lines.push("");
    lines.push(connectionsDetail(connections));
    lines.push("");
  } else {
    lines.push("No result yet: `npm run bench -- --only tick-to-intent,nats-connections`.");
    lines.push("");
  }
  if (existsSync(FINDINGS_PATH)) {
    lines.push(readFileSync(FINDINGS_PATH, "utf8").trim());
    lines.push("");
  }
  writeFileSync(DOC_PATH, `${lines.join("\n")}\n`);
  return DOC_PATH;
}

if (require.main === module) process.stdout.write(`${writePerformanceDoc()}\n`);
