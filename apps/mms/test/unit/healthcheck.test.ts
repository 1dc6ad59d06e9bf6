import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkHealth, healthUrlOf } from "../../src/healthcheck";

// The image's HEALTHCHECK reads the service's config, so it asks /healthz on the configured port.

const directory = mkdtempSync(join(tmpdir(), "mms-healthcheck-"));

function configWithHttp(http: string): string {
  const path = join(directory, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    path,
    `nats: {servers: ["nats://127.0.0.1:4222"]}
http: ${http}
risk: {maxTotalExposure: "1000", maxDrawdown: "100", rejectStorm: {count: 5, windowMs: 10000}, maxLagMs: 2000}
symbols:
  - {symbol: BTCUSDT-PERP, tickSize: "0.1", lotSize: "0.001", quoteSize: "0.010", spreadBps: "10", skewBps: "5", maxPosition: "1.0", bandBps: "100", requoteToleranceTicks: 2, maxOrdersPerSecond: 5, staleMs: 3000}
`,
  );
  return path;
}

let server: Server;
let port: number;
let healthStatus = 200;
const asked: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    asked.push(request.url ?? "");
    response.writeHead(request.url === "/healthz" ? healthStatus : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test("asks /healthz on the configured port, on loopback for a wildcard listen address", async () => {
  healthStatus = 200;
  asked.length = 0;
  const result = await checkHealth(["--config", configWithHttp(`{port: ${port}, host: "0.0.0.0"}`)], {});
  expect(result).toEqual({ code: 0, detail: `http://127.0.0.1:${port}/healthz 200` });
  expect(asked).toEqual(["/healthz"]);
});

test("finds the config through MMS_CONFIG too, and is unhealthy when /healthz is not 2xx", async () => {
  healthStatus = 503;
  const result = await checkHealth([], { MMS_CONFIG: configWithHttp(`{port: ${port}, host: "127.0.0.1"}`) });
  expect(result).toEqual({ code: 1, detail: `http://127.0.0.1:${port}/healthz answered 503` });
});

test("is unhealthy when nothing listens, when the port is random (0) or the config is not loadable", async () => {
  const closed = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const free = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(free));
    });
  });
  expect(await checkHealth(["--config", configWithHttp(`{port: ${closed}}`)], {})).toMatchObject({ code: 1, detail: expect.stringContaining("unreachable") });
  expect(await checkHealth(["--config", configWithHttp("{port: 0}")], {})).toMatchObject({ code: 1, detail: expect.stringContaining("http.port is 0") });
  expect(await checkHealth(["--config", join(directory, "missing.yaml")], {})).toMatchObject({ code: 1, detail: expect.stringContaining("config not loadable") });
});

test("writes an IPv6 host in brackets", () => {
  expect(healthUrlOf({ port: 9090, host: "::1" })).toBe("http://[::1]:9090/healthz");
  expect(healthUrlOf({ port: 9090, host: "::" })).toBe("http://127.0.0.1:9090/healthz");
});
