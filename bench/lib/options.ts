import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { CycleFloorLayout } from "../cycle-floor";
import { RESULTS_DIRECTORY } from "./machine";

/** Every benchmark; the issue-12 goals first (the default run), then the soak and the design studies. */
export const BENCHMARKS = ["throughput", "idle", "tick-to-intent", "overload", "kill", "startup", "recovery", "soak", "nats-connections", "actor-micro"] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];
/** What `npm run bench` runs without --only: the goals of issue 12 (the soak and the studies are asked for by name). */
export const DEFAULT_BENCHMARKS: readonly BenchmarkName[] = ["throughput", "idle", "tick-to-intent", "overload", "kill", "startup", "recovery"];

export interface BenchOptions {
  /** Short phases for building and debugging the harness; results are marked quick (and never shown as results in docs/performance.md). */
  readonly quick: boolean;
  readonly only: ReadonlySet<BenchmarkName>;
  /** Tick-to-intent: the requote floor's layout (`threads`, the MMS's design; `single`: one thread and connection for every symbol; `hop`: one connection, a worker thread per symbol). */
  readonly requoteFloorLayout: CycleFloorLayout;
  /** Tick-to-intent / connections rates (deltas per second in total). */
  readonly rates: readonly number[] | undefined;
  /** Throughput steps (messages per second in total). */
  readonly steps: readonly number[] | undefined;
  /** Overload burst rate; default twice the highest rate throughput sustained. */
  readonly overloadRate: number | undefined;
  /** Kill trials (default 100, quick 5). */
  readonly trials: number | undefined;
  /** Kill: symbols (default 50; fewer only to check the harness on a loaded machine: the goal is not judged then). */
  readonly killSymbols: number;
  /** Recovery: reports in EXEC (default 1,000,000, quick 50,000). */
  readonly reports: number | undefined;
  /** Soak length in minutes (default 30). */
  readonly soakMinutes: number;
  /** `--soak-fast-fills`: takers every 20 ms, so the actor's 10,000-id windows fill within the soak's first half. */
  readonly soakFastFills: boolean;
  /** `--profile`: the MMS runs with --cpu-prof (main thread and every worker) into bench/results/profiles/<bench>/. */
  readonly profile: boolean;
  /** Environment for the MMS process: NODE_OPTIONS=--cpu-prof when profiling (worker threads started with their own execArgv still honour NODE_OPTIONS). */
  mmsEnv(bench: string): Record<string, string>;
}

function numbers(value: string | undefined): number[] | undefined {
  if (!value) return undefined;
  return value.split(",").map((part) => Number(part.trim().replace(/k$/i, "000")));
}

function requoteFloorLayout(text: string | undefined): CycleFloorLayout {
  if (text === undefined || text === "threads" || text === "single" || text === "hop") return text ?? "threads";
  throw new Error(`--requote-floor-layout is threads, single or hop, not "${text}"`);
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    if (index >= 0) return argv[index + 1];
    return argv.find((argument) => argument.startsWith(`--${name}=`))?.slice(name.length + 3);
  };
  const onlyText = value("only");
  const only = new Set<BenchmarkName>(
    onlyText
      ? onlyText.split(",").map((name) => {
          if (!(BENCHMARKS as readonly string[]).includes(name)) throw new Error(`unknown benchmark "${name}"; known: ${BENCHMARKS.join(", ")}`);
          return name as BenchmarkName;
        })
      : DEFAULT_BENCHMARKS,
  );
  const number = (name: string) => numbers(value(name))?.[0];
  const profile = flag("profile");
  return {
    quick: flag("quick"),
    only,
    rates: numbers(value("rates")),
    requoteFloorLayout: requoteFloorLayout(value("requote-floor-layout")),
    steps: numbers(value("steps")),
    overloadRate: number("overload-rate"),
    trials: number("trials"),
    killSymbols: number("kill-symbols") ?? 50,
    reports: number("reports"),
    soakMinutes: number("soak-minutes") ?? 30,
    soakFastFills: flag("soak-fast-fills"),
    profile,
    mmsEnv(bench: string): Record<string, string> {
      if (!profile) return {};
      const directory = join(RESULTS_DIRECTORY, "profiles", bench);
      mkdirSync(directory, { recursive: true });
      return { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${directory}` };
    },
  };
}

export const USAGE = `npm run bench -- [--quick] [--only ${BENCHMARKS.join(",")}]
  [--steps 5k,10k,20k,30k,40k,50k] [--rates 1000,5000] [--overload-rate 100k] [--trials 100] [--kill-symbols 50]
  [--reports 1000000] [--soak-minutes 30] [--soak-fast-fills] [--profile] [--requote-floor-layout threads|single|hop]
Without --only: ${DEFAULT_BENCHMARKS.join(", ")} (the soak and the design studies run only when named).`;
