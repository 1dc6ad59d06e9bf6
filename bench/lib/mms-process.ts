import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServiceConfigInput, SymbolConfigInput } from "@mms/contracts";
import { REPO_ROOT, RESULTS_DIRECTORY } from "./machine";
import { getFreePort } from "./ports";

export const BENCH_ACCOUNT = "BENCH_MM";

export function benchSymbols(count: number, prefix = "S"): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(3, "0")}-PERP`);
}

export function benchSymbolConfig(symbol: string, overrides: Partial<SymbolConfigInput> = {}): SymbolConfigInput {
  return {
    symbol,
    mode: "live",
    tickSize: "0.1",
    lotSize: "0.001",
    quoteSize: "0.010",
    spreadBps: "10",
    skewBps: "5",
    maxPosition: "1000",
    bandBps: "100",
    requoteToleranceTicks: 2,
    maxOrdersPerSecond: 10_000,
    staleMs: 3000,
    deadManMs: 5000,
    ...overrides,
  };
}

export interface MmsProcessOptions {
  /** Names the log file: bench/results/logs/<name>.log (overwritten by the next run of that name). */
  readonly name: string;
  readonly natsUrl: string;
  readonly symbols: readonly SymbolConfigInput[];
  readonly logLevel?: "error" | "warn" | "info" | "debug";
  /** Extra node flags. */
  readonly nodeArgs?: readonly string[];
  /** Extra environment, e.g. NODE_OPTIONS for profiling. */
  readonly env?: Readonly<Record<string, string>>;
  readonly risk?: Partial<ServiceConfigInput["risk"]>;
  /** Called with every stdout line that parsed as JSON. */
  readonly onLogLine?: (line: Record<string, unknown>, receivedAt: number) => void;
}

export interface MmsProcess {
  readonly pid: number;
  readonly httpPort: number;
  readonly startedAt: number;
  readonly logPath: string;
  readonly exited: Promise<number | null>;
  /** Resident set of the whole process (worker threads are in it), MB. */
  rssMb(): number;
  /** GET /readyz: true when 200. */
  ready(): Promise<boolean>;
  waitReady(timeoutMs: number, pollMs?: number): Promise<number>;
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Runs the real service the way production does (`node apps/mms/dist/main.js
 * --config FILE`), with leases off (single instance) and the bench's own NATS.
 */
export async function startMms(options: MmsProcessOptions): Promise<MmsProcess> {
  const directory = mkdtempSync(join(tmpdir(), "mms-bench-run-"));
  const httpPort = await getFreePort();
  const config: ServiceConfigInput = {
    account: BENCH_ACCOUNT,
    instanceName: "mms-bench",
    leaseMs: 10_000,
    nats: { servers: [options.natsUrl] },
    http: { port: httpPort, host: "127.0.0.1" },
    logging: { level: options.logLevel ?? "warn" },
    shutdownTimeoutMs: 5000,
    risk: { maxTotalExposure: "100000000", maxDrawdown: "100000000", rejectStorm: { count: 50, windowMs: 10_000 }, maxLagMs: 2000, ...options.risk },
    symbols: [...options.symbols],
  };
  const configPath = join(directory, "config.json");
  writeFileSync(configPath, JSON.stringify(config));
  const logDirectory = join(RESULTS_DIRECTORY, "logs");
  mkdirSync(logDirectory, { recursive: true });
  const logPath = join(logDirectory, `${options.name}.log`);
  const log = createWriteStream(logPath);
  const env: NodeJS.ProcessEnv = { ...process.env, MMS_LEASES: "off", NATS_URL: options.natsUrl, MMS_LOG_LEVEL: options.logLevel ?? "warn", MMS_INSTANCE_NAME: "mms-bench", ...options.env };
  delete env.MMS_RECORD_DIR;
  delete env.MMS_CONFIG;
  const startedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), join(REPO_ROOT, "apps/mms/dist/main.js"), "--config", configPath], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let partial = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const receivedAt = performance.now();
    log.write(chunk);
    const text = partial + chunk.toString();
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    if (!options.onLogLine) return;
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      try {
        options.onLogLine(JSON.parse(line) as Record<string, unknown>, receivedAt);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => log.write(chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const pid = child.pid ?? -1;

  const ready = async (): Promise<boolean> => {
    try {
      const response = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
      await response.arrayBuffer();
      return response.status === 200;
    } catch {
      return false;
    }
  };

  return {
    pid,
    httpPort,
    startedAt,
    logPath,
    exited,
    rssMb() {
      try {
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        const match = /VmRSS:\s+(\d+) kB/.exec(status);
        return match ? Number(match[1]) / 1024 : Number.NaN;
      } catch {
        return Number.NaN;
      }
    },
    ready,
    async waitReady(timeoutMs, pollMs = 10) {
      const deadline = performance.now() + timeoutMs;
      let done = false;
      void exited.then(() => (done = true));
      while (performance.now() < deadline) {
        if (done) throw new Error(`the MMS exited before it was ready; log: ${logPath}`);
        if (await ready()) return performance.now();
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
      throw new Error(`the MMS was not ready within ${timeoutMs} ms; log: ${logPath}`);
    },
    async stop(timeoutMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      await new Promise<void>((resolve) => log.end(() => resolve()));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
