import { loadAverage, round } from "./machine";
import { cpuSeconds } from "./proc";

/**
 * One measured phase of a benchmark: a floor (a minimal consumer) or the MMS works, never
 * two at once on the same cores. CPU is utime + stime of every thread of
 * each process (/proc/<pid>/stat) over the phase.
 */
export interface PhaseRecord {
  /** Whose work the phase measures: a floor's ("floor", "cycleFloor") or the MMS's ("mms"), named as in the process ids. */
  readonly subject: PhaseSubject;
  /** 1, 2, ...: floor and MMS phases of the same round are compared. */
  readonly round: number;
  readonly seconds: number;
  /** Messages handed to the subject in the phase (deltas and heartbeats). */
  readonly messages: number;
  /** The machine's 1-minute load average when the phase began (`uptime`). */
  readonly loadAtStart: number;
  /** CPU seconds of each process in the phase. */
  readonly cpuSeconds: Record<string, number>;
  /** CPU seconds / wall seconds of each process (1.0 = one core busy). */
  readonly cores: Record<string, number>;
  /** CPU microseconds per message of the subject's process, all its threads. */
  readonly microsPerMessage: number;
}

export type PhaseSubject = "floor" | "cycleFloor" | "mms";

export type ProcessIds = Readonly<Record<string, number>>;

/** Starts measuring; `finish` reads the counters again. `processes` must name the subject. */
export function beginPhase(subject: PhaseSubject, roundNumber: number, processes: ProcessIds) {
  const loadAtStart = loadAverage()[0];
  const started = performance.now();
  const before = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSeconds(pid)]));
  return {
    finish(messages: number): PhaseRecord {
      const seconds = (performance.now() - started) / 1000;
      const used = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, round(cpuSeconds(pid) - before[name]!, 2)]));
      const cores = Object.fromEntries(Object.entries(used).map(([name, value]) => [name, round(value / seconds, 3)]));
      const subjectSeconds = used[subject] ?? Number.NaN;
      return { subject, round: roundNumber, seconds: round(seconds, 2), messages, loadAtStart, cpuSeconds: used, cores, microsPerMessage: messages > 0 ? round((subjectSeconds * 1e6) / messages, 1) : Number.NaN };
    },
  };
}

/** Median of a list (NaN when empty). */
export function median(values: readonly number[]): number {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The subject's CPU per message and cores over its phases (medians), for a result's summary. */
export function phaseSummary(phases: readonly PhaseRecord[], subject: PhaseSubject) {
  const mine = phases.filter((phase) => phase.subject === subject);
  return {
    microsPerMessage: round(median(mine.map((phase) => phase.microsPerMessage)), 1),
    cores: round(median(mine.map((phase) => phase.cores[subject] ?? Number.NaN)), 3),
    loadAtStart: mine.map((phase) => phase.loadAtStart),
  };
}
