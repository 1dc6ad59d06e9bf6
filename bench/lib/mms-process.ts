import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServiceConfigInput, SymbolConfigInput } from "@mms/contracts";
import { getFreePort, MmsProcess as ServiceProcess, symbolConfig, type LogLine } from "@mms/test-support";
import { RESULTS_DIRECTORY } from "./machine";

export const BENCH_ACCOUNT = "BENCH_MM";
/** The MMS's instance name in the bench: its audit events carry it. */
export const BENCH_INSTANCE = "mms-bench";

export function benchSymbols(count: number, prefix = "S"): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(3, "0")}-PERP`);
}

/** The test-support symbol, with room for the bench's load: a large position and order rate. */
export function benchSymbolConfig(symbol: string, overrides: Partial<SymbolConfigInput> = {}): SymbolConfigInput {
  return symbolConfig(symbol, { maxPosition: "1000", maxOrdersPerSecond: 10_000, ...overrides });
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
  /** False once the process has exited. */
  running(): boolean;
  /** GET /readyz: true when 200. */
  ready(): Promise<boolean>;
  waitReady(timeoutMs: number, pollMs?: number): Promise<number>;
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Runs the real service the way production does (test-support's mmsCommand), with leases
 * off (single instance) and the bench's own NATS.
 */
export async function startMms(options: MmsProcessOptions): Promise<MmsProcess> {
  const directory = mkdtempSync(join(tmpdir(), "mms-bench-run-"));
  const httpPort = await getFreePort();
  const config: ServiceConfigInput = {
    account: BENCH_ACCOUNT,
    instanceName: BENCH_INSTANCE,
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
  const service = ServiceProcess.start(configPath, {
    env: { MMS_LEASES: "off", NATS_URL: options.natsUrl, MMS_LOG_LEVEL: options.logLevel ?? "warn", MMS_INSTANCE_NAME: "mms-bench", MMS_RECORD_DIR: undefined, MMS_CONFIG: undefined, ...options.env },
    nodeArgs: options.nodeArgs,
    logPath,
    keepLines: false,
    httpPort,
    onLogLine: options.onLogLine as ((line: LogLine, receivedAt: number) => void) | undefined,
  });
  return {
    pid: service.pid,
    httpPort,
    startedAt: service.startedAt,
    logPath,
    exited: service.exited.then((exit) => exit.code),
    rssMb: () => service.rssMb(),
    running: () => service.running,
    ready: () => service.ready(),
    waitReady: (timeoutMs, pollMs) => service.waitReady(timeoutMs, pollMs),
    async stop(timeoutMs = 20_000) {
      await service.stop(timeoutMs);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
