import { cpus, loadavg, totalmem, freemem, hostname, release } from "node:os";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { natsServerVersion } from "./nats-server";

export const REPO_ROOT = join(__dirname, "..", "..");
export const RESULTS_DIRECTORY = join(REPO_ROOT, "bench", "results");

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryMb: number;
  readonly freeMemoryMb: number;
  readonly node: string;
  readonly natsServer: string;
  readonly os: string;
  readonly host: string;
}

export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    memoryMb: Math.round(totalmem() / 1048576),
    freeMemoryMb: Math.round(freemem() / 1048576),
    node: process.version,
    natsServer: natsServerVersion(),
    os: `${process.platform} ${release()}`,
    host: hostname(),
  };
}

export type LoadAverage = readonly [number, number, number];

export function loadAverage(): LoadAverage {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return [round(one, 2), round(five, 2), round(fifteen, 2)];
}

export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** One goal check in a result: what was measured against what was wanted. */
export interface GoalCheck {
  readonly metric: string;
  readonly value: string;
  readonly goal: string;
  /** null: not judged (e.g. a run too short to count). */
  readonly met: boolean | null;
  readonly note?: string;
}

export interface BenchResult {
  readonly name: string;
  readonly title: string;
  readonly date: string;
  /** The commit measured (short hash; "-dirty" when apps/ or libs/ had uncommitted changes). */
  readonly commit: string;
  readonly quick: boolean;
  readonly machine: MachineInfo;
  readonly loadAverageBefore: LoadAverage;
  readonly loadAverageAfter: LoadAverage;
  readonly durationSeconds: number;
  readonly method: string;
  readonly goals: readonly GoalCheck[];
  readonly data: unknown;
}

export function writeResult(result: BenchResult): string {
  mkdirSync(RESULTS_DIRECTORY, { recursive: true });
  // A quick run never overwrites the full result of the same benchmark.
  const path = join(RESULTS_DIRECTORY, `${result.name}${result.quick ? ".quick" : ""}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

/** The commit of the code measured; "-dirty" when the service's code (apps/, libs/) differs from it. */
export function commitMeasured(): string {
  try {
    const hash = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "apps", "libs"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    return dirty ? `${hash}-dirty` : hash;
  } catch {
    return "unknown";
  }
}

/** Starts the clock and the load sample of a benchmark; `finish` builds the result. */
export function beginResult(name: string, title: string, quick: boolean) {
  const started = Date.now();
  const loadBefore = loadAverage();
  return (fields: { method: string; goals: readonly GoalCheck[]; data: unknown }): BenchResult => ({
    name,
    title,
    date: new Date(started).toISOString(),
    commit: commitMeasured(),
    quick,
    machine: machineInfo(),
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadAverage(),
    durationSeconds: round((Date.now() - started) / 1000, 1),
    ...fields,
  });
}
