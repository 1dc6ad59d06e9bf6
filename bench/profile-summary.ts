/**
 * Summarises V8 .cpuprofile files (from `npm run bench -- --profile`, which runs the MMS
 * with --cpu-prof: one file for the main thread and one per worker thread).
 *
 *   npx tsx bench/profile-summary.ts <file-or-directory> [--top 25] [--by function|file] [--last SECONDS]
 *
 * --last keeps only the final SECONDS of each profile (the steady state, without start-up).
 *
 * Prints, per file (thread), its busy share (non-idle samples) and the functions with
 * the most self time, plus the hottest inclusive call stacks into project code.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const IDLE = new Set(["(idle)", "(program)", "(garbage collector)"]);

function shortUrl(url: string): string {
  if (!url) return "";
  const path = url.replace(/^file:\/\//, "");
  const index = path.indexOf("node_modules/");
  if (index >= 0) return path.slice(index + "node_modules/".length);
  return relative(process.cwd(), path);
}

export function summarizeProfile(file: string, top = 25, by: "function" | "file" = "function", lastSeconds?: number): string {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfTime = new Map<number, number>();
  let total = 0;
  // Sample times, so a window at the end (steady state, after start-up) can be chosen.
  const times: number[] = [];
  let clock = profile.startTime;
  for (const delta of profile.timeDeltas) times.push((clock += delta));
  const from = lastSeconds === undefined ? Number.NEGATIVE_INFINITY : profile.endTime - lastSeconds * 1e6;
  for (let index = 0; index < profile.samples.length; index++) {
    if (times[index]! < from) continue;
    const id = profile.samples[index]!;
    const delta = profile.timeDeltas[index] ?? 0;
    selfTime.set(id, (selfTime.get(id) ?? 0) + delta);
    total += delta;
  }
  const byKey = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idle = 0;
  let gc = 0;
  for (const [id, time] of selfTime) {
    const node = nodes.get(id)!;
    const name = node.callFrame.functionName || "(anonymous)";
    if (name === "(idle)") idle += time;
    if (name === "(garbage collector)") gc += time;
    const key = by === "file" ? shortUrl(node.callFrame.url) || name : `${name} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    byKey.set(key, (byKey.get(key) ?? 0) + time);
    // Inclusive time of every distinct frame on the stack.
    const seen = new Set<string>();
    let current: number | undefined = id;
    while (current !== undefined) {
      const frame: CallFrame = nodes.get(current)!.callFrame;
      const frameKey = `${frame.functionName || "(anonymous)"} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
      if (!seen.has(frameKey) && !IDLE.has(frame.functionName) && frame.functionName !== "(root)") {
        seen.add(frameKey);
        inclusive.set(frameKey, (inclusive.get(frameKey) ?? 0) + time);
      }
      current = parent.get(current);
    }
  }
  const busy = total - idle;
  const lines = [`${basename(file)}: ${(total / 1e6).toFixed(1)} s sampled, busy ${((100 * busy) / Math.max(1, total)).toFixed(1)}% (gc ${((100 * gc) / Math.max(1, total)).toFixed(1)}%)`];
  lines.push(`  self time (% of busy):`);
  for (const [key, time] of [...byKey.entries()].filter(([key]) => !key.startsWith("(idle)")).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`    ${((100 * time) / Math.max(1, busy)).toFixed(1).padStart(5)}%  ${key}`);
  }
  lines.push(`  inclusive (% of busy), project code:`);
  for (const [key, time] of [...inclusive.entries()].filter(([key]) => /(apps|libs)\//.test(key) && !key.includes("node_modules")).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`    ${((100 * time) / Math.max(1, busy)).toFixed(1).padStart(5)}%  ${key}`);
  }
  return lines.join("\n");
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const target = argv.find((argument, index) => !argument.startsWith("--") && !argv[index - 1]?.startsWith("--")) ?? "bench/results/profiles";
  const topIndex = argv.indexOf("--top");
  const top = topIndex >= 0 ? Number(argv[topIndex + 1]) : 25;
  const byIndex = argv.indexOf("--by");
  const by = byIndex >= 0 && argv[byIndex + 1] === "file" ? "file" : "function";
  const lastIndex = argv.indexOf("--last");
  const last = lastIndex >= 0 ? Number(argv[lastIndex + 1]) : undefined;
  const files = statSync(target).isDirectory()
    ? readdirSync(target)
        .filter((name) => name.endsWith(".cpuprofile"))
        .map((name) => join(target, name))
    : [target];
  for (const file of files) process.stdout.write(`${summarizeProfile(file, top, by, last)}\n\n`);
}
