import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateServiceConfig, type ServiceConfig, type ServiceConfigInput, type SymbolConfigInput } from "@mms/contracts";
import { createLogger } from "@mms/logging";
import { startService, type Coordinator } from "../../src/service";
import { Writable } from "node:stream";

export function symbolConfig(symbol: string, overrides: Partial<SymbolConfigInput> = {}): SymbolConfigInput {
  return {
    symbol,
    mode: "live",
    tickSize: "0.1",
    lotSize: "0.001",
    quoteSize: "0.010",
    spreadBps: "10",
    skewBps: "5",
    maxPosition: "1.0",
    bandBps: "100",
    requoteToleranceTicks: 2,
    maxOrdersPerSecond: 50,
    staleMs: 3000,
    deadManMs: 5000,
    ...overrides,
  };
}

export function serviceConfig(natsUrl: string, symbols: SymbolConfigInput[], overrides: Partial<ServiceConfigInput> = {}): ServiceConfig {
  const input: ServiceConfigInput = {
    account: `MM_TEST_${Math.random().toString(36).slice(2, 8).toUpperCase()}`,
    instanceName: "mms-test",
    leaseMs: 3000,
    nats: { servers: [natsUrl] },
    http: { port: 0, host: "127.0.0.1" },
    logging: { level: "warn" },
    shutdownTimeoutMs: 3000,
    risk: { maxTotalExposure: "250000", maxDrawdown: "5000", rejectStorm: { count: 5, windowMs: 10000 }, maxLagMs: 2000 },
    symbols,
    ...overrides,
  };
  const result = validateServiceConfig(input, { defaultInstanceName: "mms-test" });
  if (!result.ok) throw new Error(`bad test config: ${JSON.stringify(result.issues)}`);
  return result.value;
}

/** Log lines of an in-process service, kept for assertions and printed only on failure. */
export class CapturedLogs extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    for (const line of chunk.toString().split("\n")) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  }
}

export async function startTestService(config: ServiceConfig, options: { useLeases?: boolean; recordingDirectory?: string; workerSilenceMs?: number; tracing?: boolean } = {}): Promise<{ service: Coordinator; logs: CapturedLogs }> {
  const logs = new CapturedLogs();
  const logger = createLogger({ level: config.logging.level, service: "mms", instance: config.instanceName, output: logs });
  const service = await startService(config, { logger, useLeases: options.useLeases ?? false, ...options });
  return { service, logs };
}

export function writeConfigFile(config: unknown): string {
  const directory = mkdtempSync(join(tmpdir(), "mms-config-"));
  const path = join(directory, "config.json");
  writeFileSync(path, JSON.stringify(config));
  return path;
}
