import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { RESULTS_DIRECTORY } from "./machine";

export const BENCHMARKS = ["tick-to-intent", "nats-connections", "throughput", "kill", "recovery", "footprint", "actor-micro"] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];

export interface BenchOptions {
  /** Short phases for building and debugging the harness; results are marked quick. */
  readonly quick: boolean;
  readonly only: ReadonlySet<BenchmarkName>;
  /** Recovery from 1,000,000 reports as well as 100,000. */
  readonly million: boolean;
  /** Tick-to-intent / connections rates (deltas per second in total). */
  readonly rates: readonly number[] | undefined;
  /** Throughput steps (messages per second in total). */
  readonly steps: readonly number[] | undefined;
  /** `--profile`: the MMS runs with --cpu-prof (main thread and every worker) into bench/results/profiles/<bench>/. */
  readonly profile: boolean;
  /** Environment for the MMS process: NODE_OPTIONS=--cpu-prof when profiling (worker threads started with their own execArgv still honour NODE_OPTIONS). */
  mmsEnv(bench: string): Record<string, string>;
}

function numbers(value: string | undefined): number[] | undefined {
  if (!value) return undefined;
  return value.split(",").map((part) => Number(part.trim().replace(/k$/i, "000")));
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
      : BENCHMARKS,
  );
  const profile = flag("profile");
  return {
    quick: flag("quick"),
    only,
    million: flag("million"),
    rates: numbers(value("rates")),
    steps: numbers(value("steps")),
    profile,
    mmsEnv(bench: string): Record<string, string> {
      if (!profile) return {};
      const directory = join(RESULTS_DIRECTORY, "profiles", bench);
      mkdirSync(directory, { recursive: true });
      return { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${directory}` };
    },
  };
}

export const USAGE = `npm run bench -- [--quick] [--only ${BENCHMARKS.join(",")}] [--million] [--rates 1000,5000] [--steps 10k,20k,35k,50k,70k] [--profile]`;
