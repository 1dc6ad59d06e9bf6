import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { symbolWithDefaults, type ServiceConfigInput, type SymbolConfig, type SymbolConfigInput } from "@mms/contracts";

/** One symbol's config as the tests, the bench and the examples in docs use it, every default filled in as the loader does. */
export function symbolConfig(symbol: string, overrides: Partial<SymbolConfigInput> = {}): SymbolConfig {
  return symbolWithDefaults({
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
  });
}

export const TEST_RISK: ServiceConfigInput["risk"] = { maxTotalExposure: "250000", maxDrawdown: "5000", rejectStorm: { count: 5, windowMs: 10000 }, maxLagMs: 2000 };

/** A fresh account per call, so EXEC history never leaks between tests. */
export function testAccount(prefix = "MM_TEST"): string {
  return `${prefix}_${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
}

/** A whole service config (unvalidated input): loopback HTTP on a kernel-chosen port, short timeouts. */
export function serviceConfigInput(natsUrl: string, symbols: SymbolConfigInput[], overrides: Partial<ServiceConfigInput> = {}): ServiceConfigInput {
  return {
    account: testAccount(),
    instanceName: "mms-test",
    leaseMs: 3000,
    nats: { servers: [natsUrl] },
    http: { port: 0, host: "127.0.0.1" },
    logging: { level: "warn" },
    shutdownTimeoutMs: 3000,
    risk: TEST_RISK,
    symbols,
    ...overrides,
  };
}

/** Writes `config` as JSON to a new temporary directory; returns the file's path. */
export function writeConfigFile(config: unknown): string {
  const directory = mkdtempSync(join(tmpdir(), "mms-config-"));
  const path = join(directory, "config.json");
  writeFileSync(path, JSON.stringify(config));
  return path;
}
