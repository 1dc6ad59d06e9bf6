import { readFileSync, readdirSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/** User + system CPU seconds a process (all its threads) has used so far; NaN when gone. */
export function cpuSeconds(pid: number, tid?: number): number {
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields after the command: state is index 0, utime index 11, stime index 12.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds per thread of a process: [tid, name, seconds]; the main thread has tid = pid. */
export function threadCpuSeconds(pid: number): Array<{ tid: number; name: string; seconds: number }> {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return { tid: Number(tid), name, seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS };
    });
  } catch {
    return [];
  }
}

export function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU use of several processes over a window: `stop()` gives the cores each used (1.0 =
 * one core busy). A `[pid, tid]` entry measures one thread (the main thread: tid = pid).
 */
export function cpuMeter(pids: Record<string, number | readonly [number, number]>) {
  const read = (target: number | readonly [number, number]) => (typeof target === "number" ? cpuSeconds(target) : cpuSeconds(target[0], target[1]));
  const start = performance.now();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, read(pid)]));
  return {
    stop(): Record<string, number> {
      const seconds = (performance.now() - start) / 1000;
      return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, Math.round((100 * (read(pid) - before[name]!)) / seconds) / 100]));
    },
  };
}
