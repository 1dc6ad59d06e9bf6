import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configPathFrom, loadConfig } from "../../src/config-file";

const directory = mkdtempSync(join(tmpdir(), "mms-config-file-"));
const path = join(directory, "config.yaml");
writeFileSync(
  path,
  `nats: {servers: ["nats://127.0.0.1:4222"]}
risk: {maxTotalExposure: "1000", maxDrawdown: "100", rejectStorm: {count: 5, windowMs: 10000}, maxLagMs: 2000}
symbols:
  - {symbol: BTCUSDT-PERP, tickSize: "0.1", lotSize: "0.001", quoteSize: "0.010", spreadBps: "10", skewBps: "5", maxPosition: "1.0", bandBps: "100", requoteToleranceTicks: 2, maxOrdersPerSecond: 5, staleMs: 3000}
`,
);

describe("config file and environment", () => {
  test("--config wins over MMS_CONFIG, which is used when no flag is given", () => {
    expect(configPathFrom(["--config", "a.yaml"], { MMS_CONFIG: "b.yaml" })).toBe("a.yaml");
    expect(configPathFrom(["--config=c.yaml"], {})).toBe("c.yaml");
    expect(configPathFrom([], { MMS_CONFIG: "b.yaml" })).toBe("b.yaml");
  });

  test("credentials, TLS files, instance name and log level come from the environment, never needing the file", () => {
    const loaded = loadConfig(path, {
      NATS_URL: "nats://127.0.0.2:4222,nats://127.0.0.3:4222",
      NATS_USER: "mms",
      NATS_PASSWORD: "secret",
      NATS_TLS_CA_FILE: "/etc/nats/ca.pem",
      NATS_TLS_CERT_FILE: "/etc/nats/cert.pem",
      NATS_TLS_KEY_FILE: "/etc/nats/key.pem",
      MMS_INSTANCE_NAME: "mms-7",
      MMS_LOG_LEVEL: "debug",
    });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.config.nats).toMatchObject({ servers: ["nats://127.0.0.2:4222", "nats://127.0.0.3:4222"], user: "mms", password: "secret", tls: { caFile: "/etc/nats/ca.pem", certFile: "/etc/nats/cert.pem", keyFile: "/etc/nats/key.pem" } });
    expect(loaded.config.instanceName).toBe("mms-7");
    expect(loaded.config.logging.level).toBe("debug");
    expect(loaded.config.account).toBe("SYSTEM_MARKET_MAKER");
    expect(loaded.config.symbols[0]).toMatchObject({ mode: "live", deadManMs: 5000 });
  });

  test("a missing file is a clear error, not a crash", () => {
    const loaded = loadConfig(join(directory, "absent.yaml"), {});
    expect(loaded).toMatchObject({ ok: false, issues: [{ path: "/", message: expect.stringContaining("cannot read") }] });
  });
});
