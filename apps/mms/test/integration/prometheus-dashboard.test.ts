import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { getFreePort, MmsProcess, REPOSITORY_ROOT, resumeWhenStarted, ScriptedExchange, startNatsServer, symbolConfig, waitFor, waitForRun, writeConfigFile, type StartedNatsServer } from "@mms/test-support";
import { serviceConfig } from "../support/service-harness";

// A real Prometheus (Debian's `prometheus`, installed by scripts/setup-promtool.sh) scrapes a
// running MMS every second; every query of the Grafana dashboard must then return data.

const SYMBOL = "BTCUSDT-PERP";
const SCRAPE_EVERY_S = 1;

/** Every `expr` of the dashboard, with the symbol variable meaning "all". */
function dashboardQueries(): string[] {
  const dashboard = JSON.parse(readFileSync(join(REPOSITORY_ROOT, "deploy/grafana/mms-dashboard.json"), "utf8")) as { panels: Panel[] };
  interface Panel {
    readonly targets?: ReadonlyArray<{ readonly expr?: string }>;
    readonly panels?: readonly Panel[];
  }
  const exprs = (panels: readonly Panel[]): string[] => panels.flatMap((panel) => [...(panel.targets ?? []).flatMap((target) => (target.expr ? [target.expr] : [])), ...exprs(panel.panels ?? [])]);
  return exprs(dashboard.panels).map((expr) => expr.replaceAll("$symbol", ".*"));
}

async function query(port: number, expr: string): Promise<unknown[]> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  if (body.status !== "success") throw new Error(`${expr}: ${body.error ?? body.status}`);
  return body.data?.result ?? [];
}

let nats: StartedNatsServer;
let client: NatsConnection;
const cleanups: Array<() => Promise<unknown> | void> = [];

beforeAll(async () => {
  nats = await startNatsServer();
  client = await connect({ servers: nats.url });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await client?.close();
  await nats?.stop();
});

test("every query of the Grafana dashboard returns data from a Prometheus scraping the running service", async () => {
  const exchange = await ScriptedExchange.start(client, [SYMBOL]);
  cleanups.push(() => exchange.stop());
  exchange.publishSnapshot(SYMBOL, [["50000.0", "1"]], [["50010.0", "1"]]);
  cleanups.push(exchange.heartbeat(SYMBOL));
  const httpPort = await getFreePort();
  const config = serviceConfig(nats.url, [symbolConfig(SYMBOL)], { instanceName: "mms-scraped", http: { port: httpPort, host: "127.0.0.1" } });
  const mms = MmsProcess.start(writeConfigFile(config), { env: { MMS_LEASES: "off" } });
  cleanups.push(() => mms.stop());
  await waitForRun(client, "mms-scraped");
  await resumeWhenStarted(client, SYMBOL);

  // A market that moves (requotes, latencies, lag samples) and one fill (fills, order-to-trade).
  let step = 0;
  const ticker = setInterval(() => {
    step += 1;
    exchange.publishDelta(SYMBOL, [[`${50000 + (step % 5)}.0`, "1"]], []);
  }, 200);
  cleanups.push(() => clearInterval(ticker));
  const bid = await waitFor(() => exchange.openOrders(SYMBOL).find((order) => order.side === "BUY"), { timeoutMs: 10_000, description: "a resting bid" });
  await exchange.fill(bid.clientOrderId);

  const directory = mkdtempSync(join(tmpdir(), "mms-prometheus-"));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  const promPort = await getFreePort();
  writeFileSync(join(directory, "prometheus.yml"), `global:\n  scrape_interval: ${SCRAPE_EVERY_S}s\n  evaluation_interval: ${SCRAPE_EVERY_S}s\nscrape_configs:\n  - job_name: mms\n    static_configs:\n      - targets: ["127.0.0.1:${httpPort}"]\n`);
  const prometheus: ChildProcess = spawn("prometheus", [`--config.file=${join(directory, "prometheus.yml")}`, `--storage.tsdb.path=${join(directory, "data")}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: "ignore" });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (prometheus.exitCode !== null) return resolve();
        prometheus.once("exit", () => resolve());
        prometheus.kill("SIGTERM");
      }),
  );
  await waitFor(async () => (await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok, { timeoutMs: 20_000, intervalMs: 200, description: "Prometheus ready" });

  // rate() and histogram_quantile() need two samples with the market moving in between:
  // a few scrapes. Generous for a loaded machine, yet well under a minute.
  const queries = dashboardQueries();
  expect(queries.length).toBeGreaterThan(20);
  let empty: string[] = queries;
  await waitFor(
    async () => {
      const results = await Promise.all(queries.map(async (expr) => ({ expr, series: await query(promPort, expr) })));
      empty = results.filter((result) => result.series.length === 0).map((result) => result.expr);
      return empty.length === 0;
    },
    { timeoutMs: 40_000, intervalMs: 1000, description: "data for every dashboard query" },
  ).catch(() => undefined);
  expect(empty).toEqual([]);
});
