import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, RESULTS_DIRECTORY, type BenchResult } from "./machine";
import { BENCHMARKS, type BenchmarkName } from "./options";
import { DETAILS, table } from "./report-details";

const DOC_PATH = join(REPO_ROOT, "docs", "performance.md");
/** Where a doc built from quick results goes: never docs/ (quick figures are not results). */
const QUICK_DOC_PATH = join(RESULTS_DIRECTORY, "performance.quick.md");
const FINDINGS_PATH = join(REPO_ROOT, "bench", "findings.md");

/** Each goal of issue 12 (and the soak of issue 14) and what was measured before the work on it. */
const GOALS: ReadonlyArray<{ readonly name: BenchmarkName; readonly goal: string; readonly before: string }> = [
  { name: "throughput", goal: ">= 50,000 depth-only msg/s over 20 symbols for 60 s, no BUS_LAG / halt, all ACTIVE; <= 20 us CPU/msg", before: "7,500 msg/s held at 206 us/msg (floor 27 us); 10,000/s failed (BUS_LAG, 7/20 WORKER_FAILED)" },
  { name: "idle", goal: "20 ACTIVE symbols, heartbeats only: <= 0.05 cores", before: "0.43 cores (20 symbols, 100 msg/s)" },
  { name: "tick-to-intent", goal: "1,000 and 5,000 moving deltas/s: p50 <= 1.5x, p99 <= 2x the floor (alternating phases)", before: "1,000/s: 1.6 cores; 5,000/s: 12/20 symbols BUS_LAG" },
  { name: "overload", goal: "2x the highest rate held: no halt, BUS_LAG only for data older than maxLagMs, every symbol resumable", before: "an overloaded worker missed its heartbeat: WORKER_FAILED (HALTED)" },
  { name: "kill", goal: "kill-all of 50 symbols: 50th CANCEL_ALL p99 < 50 ms; every CANCEL_ALL acknowledged", before: "p50 94 ms, p99 386 ms; 8/100 trials with CANCEL_ALLs unacknowledged after 10 s" },
  { name: "startup", goal: "100 symbols ready within 15 s on 2 cores; <= 15 MB RSS per actor", before: "83 s, 156 CPU s, 3.3 GB (31 MB/actor; empty worker thread 11.4 MB)" },
  { name: "recovery", goal: ">= 100,000 reports/s end to end from 1,000,000 reports", before: "100,000 reports: 7.7 s (13,000/s end to end; replay alone 31,000/s)" },
  { name: "soak", goal: "30 min against the exchange simulator with fills: memory flat (issue 14)", before: "never run" },
];

function load(name: string, includeQuick: boolean): BenchResult | undefined {
  for (const file of includeQuick ? [`${name}.json`, `${name}.quick.json`] : [`${name}.json`]) {
    const path = join(RESULTS_DIRECTORY, file);
    if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as BenchResult;
  }
  return undefined;
}

function mark(met: boolean | null): string {
  return met === null ? "-" : met ? "met" : "**MISSED**";
}

function when(result: BenchResult): string {
  return `${result.date.slice(0, 16).replace("T", " ")} UTC${result.quick ? " (quick)" : ""}`;
}

function loadText(result: BenchResult): string {
  return `${result.loadAverageBefore.join("/")} -> ${result.loadAverageAfter.join("/")}`;
}

const BENCHMARK_LIST = [
  "## The benchmarks",
  "",
  "| name | what it does | full length |",
  "| --- | --- | --- |",
  "| throughput | 20 ACTIVE symbols, depth-only deltas (no intent due) in steps of 5k, 10k, 20k, 30k, 40k, 50k msg/s from two paced publisher threads; 15 s a step, 60 s at 50k, each after a 10 s floor phase; stops at the first step not held | ~5 min |",
  "| idle | 20 ACTIVE symbols with quotes resting, one TRADING heartbeat a second a symbol (what keeps them out of MD_STALE); cores over 2 x 30 s, alternating with the floor | ~2 min |",
  "| tick-to-intent | 20 symbols, every delta moves the mid 5 ticks; delta -> first CANCEL intent at 1,000 and 5,000 deltas/s, 2 rounds of floor 10 s / requote floor 13 s / MMS 23 s per rate; the requote floor (`bench/cycle-floor.ts`) does only the contract's messaging of each requote cycle, to show what the contract itself costs | ~4 min |",
  "| overload | twice the highest rate throughput held (or `--overload-rate`) for 20 s; then: no HALTED / WORKER_FAILED, every BUS_LAG names data older than maxLagMs, every symbol ACTIVE again on resume | ~1.5 min |",
  "| kill | 50 ACTIVE symbols, core publish of `mms.control.all.kill`; time to the 50th CANCEL_ALL and its JetStream ack, 100 trials each after a floor trial; the ORDERS stream read back at the end | ~3-4 min |",
  "| startup | bare isolates and the per-kind worker breakdown, then the MMS with 1 and with 100 symbols from an empty EXEC: to ready, to all PAUSED/STARTUP, to resumable; CPU seconds; RSS total and per actor | ~2-3 min |",
  "| recovery | 1,000,000 reports in EXEC; a plain consumer reads them (floor), then the MMS starts with them: spawn -> /readyz, reports/s end to end, CPU per report | ~3 min |",
  "| soak (by name) | the exchange simulator (fills) and the MMS with the demo's symbols for `--soak-minutes` (30); /metrics every 5 s: RSS slope and the slope of each thread's per-minute heap low points, when the actor's windows filled, event-loop delay, alerts, audit events held/dropped; `--soak-fast-fills` for the plateau | 30 min |",
].join("\n");

const METHOD = [
  "## Method",
  "",
  "- **Own servers, the real service.** Each benchmark starts its own `nats-server -js` on a free loopback port with a temporary store (never the machine's NATS on 4222) and runs the service as production does: `node apps/mms/dist/main.js --config FILE` (compiled JS, `MMS_LEASES=off`), a child process. nats-server, the MMS, the floor processes and the exchange simulator all die with the bench whatever it dies of (test-support's `exitWithParent` guard).",
  "- **The floor, in alternating phases.** Every benchmark has a floor: the least any consumer must do for the same work. Market data: a relay (bench/minimal-consumers.ts `floor`) that JSON-parses each delta and republishes `{symbol, seq}`; throughput also has a thread floor (`thread-floor`: a worker thread and a NATS connection per symbol as in the MMS, JSON.parse only), what the design costs before the MMS does anything. Kill: a process that answers a kill with 50 JetStream CANCEL_ALL publishes. Start-up: bare isolates (empty worker threads). Recovery: an ordered consumer that reads and parses the same EXEC. The floor and the MMS work in alternating phases of the same run (floor, MMS, floor, MMS ...), never both at once on the same cores: in a floor phase the deltas go to `floor.md.<SYMBOL>.delta` from books of their own and the MMS gets only its heartbeats; in an MMS phase the floor gets nothing. The MMS keeps running through a floor phase on its heartbeats alone (its idle cost, the idle goal): the phase tables show the cores it used there. Ratios (p50, p99) compare the pooled samples of the MMS phases with those of the floor phases.",
  "- **CPU per message.** utime + stime of every thread of the process (`/proc/<pid>/stat`) over the phase, divided by the messages handed to it in the phase (deltas and heartbeats); cores = CPU seconds / wall seconds. The figure is per process, all threads: the MMS's main thread, risk thread and every symbol worker, with GC.",
  "- **Load.** The machine's load average (1/5/15 min) before and after each benchmark and the 1-minute load at the start of each phase are recorded. On this 2-core machine a load above 2 means the figures include waiting for a CPU: read them as ceilings.",
  "- **Held.** A rate is held when no alert event (`mms.events.*.alert`: BUS_LAG, any pause or halt) came, every symbol is ACTIVE afterwards (`mms.status`) and the publishers reached >= 97% of the rate.",
].join("\n");

/** The benchmark's own table; for a failed run, why it failed. */
function details(result: BenchResult): string {
  const error = (result.data as { error?: string } | null)?.error;
  if (error) return `\`\`\`\n${error.split("\n").slice(0, 6).join("\n")}\n\`\`\``;
  try {
    return DETAILS[result.name]?.(result) ?? "";
  } catch (failure) {
    return `(no table: the result has another shape than this version of the report expects: ${(failure as Error).message})`;
  }
}

/** Rebuilds docs/performance.md from the full results in bench/results (quick ones: bench/results/performance.quick.md). */
export function writePerformanceDoc(includeQuick = false): string {
  const results = BENCHMARKS.map((name) => load(name, includeQuick)).filter((result): result is BenchResult => result !== undefined);
  const byName = new Map(results.map((result) => [result.name, result]));
  const lines: string[] = [];
  lines.push("# Performance", "");
  lines.push("<!-- Generated by `npm run bench` (bench/lib/report.ts) from bench/results/<name>.json and bench/findings.md. Edit those, not this file. Quick (smoke) runs never land here. -->", "");
  lines.push("How the Market Maker Service measures against the goals of issue 12 (throughput, idle cost, tick-to-intent, overload, kill, start-up, recovery) and the soak of issue 14, by the harness in `bench/`.", "");
  lines.push("## Running", "");
  lines.push("```sh");
  lines.push("npm run bench                                   # the issue-12 goals, full length (about 20 minutes; the soak is not in it)");
  lines.push("npm run bench -- --only soak --soak-minutes 30  # the soak of issue 14");
  lines.push("npm run bench -- --only soak --soak-fast-fills  # the same with ~3,000 fills/min: the actor's 10,000-id windows full in the first half");
  lines.push("npx tsx bench/heap-growth.ts --fast-fills       # each thread's heap after a full GC, and a heap-snapshot diff by constructor");
  lines.push("npm run bench -- --quick                        # short phases, few trials: proves the harness works (figures are noise)");
  lines.push("npm run bench -- --only throughput,overload     # some of them (also: idle, tick-to-intent, kill, startup, recovery, nats-connections, actor-micro)");
  lines.push("npm run bench -- --only throughput --steps 10k,20k --profile   # CPU profiles of the MMS (main + every worker)");
  lines.push("npm run bench -- --only tick-to-intent --requote-floor-layout single   # the requote floor in another layout (single, hop; threads is the MMS's)");
  lines.push("npx tsx bench/profile-summary.ts bench/results/profiles/throughput --last 20");
  lines.push("```", "");
  lines.push("Results go to `bench/results/<name>.json` (a `--quick` run writes `<name>.quick.json`, kept out of git, and builds `bench/results/performance.quick.md` instead of this page).", "");
  lines.push(BENCHMARK_LIST, "");
  lines.push(METHOD, "");
  const machine = results[0]?.machine;
  if (machine) lines.push(`Machine of the latest results: ${machine.cpuModel}, ${machine.cores} cores, ${Math.round(machine.memoryMb / 1024)} GB, node ${machine.node}, ${machine.natsServer}.`, "");
  lines.push("## Goals", "");
  const rows: Array<Array<string | number>> = [];
  for (const { name, goal, before } of GOALS) {
    const result = byName.get(name);
    if (!result) {
      rows.push([name, goal, `not measured yet (before issue 12: ${before})`, "not measured", "-", "-", "-"]);
      continue;
    }
    for (const check of result.goals) rows.push([name, `${check.metric}: ${check.goal}`, check.value + (check.note ? ` (${check.note})` : ""), mark(check.met), loadText(result), when(result), result.commit]);
  }
  lines.push(table(["benchmark", "goal", "measured", "status", "load before -> after", "date", "commit"], rows), "");
  for (const result of results) {
    lines.push(`## ${result.title}`, "");
    lines.push(`*${when(result)}, commit ${result.commit}, load ${loadText(result)}, ${result.durationSeconds} s.*`, "");
    lines.push(`What is measured: ${result.method}`, "");
    lines.push(details(result), "");
  }
  if (existsSync(FINDINGS_PATH)) lines.push(readFileSync(FINDINGS_PATH, "utf8").trim(), "");
  const path = includeQuick ? QUICK_DOC_PATH : DOC_PATH;
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

if (require.main === module) process.stdout.write(`${writePerformanceDoc(process.argv.includes("--quick"))}\n`);
