import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { GenericContainer, getContainerRuntimeClient, Wait, type StartedTestContainer } from "testcontainers";
import { control, getFreePort, isCancelAll, REPOSITORY_ROOT, RESUME_BODY, requestStatus, resumeWhenStarted, ScriptedExchange, serviceConfigInput, startNatsServer, symbolConfig, waitFor, writeConfigFile, type StartedNatsServer } from "@mms/test-support";
import type { ServiceConfigInput } from "@mms/contracts";

// The image as Docker runs it: built by scripts/build-mms-image.sh (the Dockerfile's runtime
// stage on the local Node base, no registry), started by testcontainers next to the NATS
// container in host network mode, read-only root filesystem and a /tmp tmpfs as the chart
// runs it. The tests are one container's life, in order: identity, health, trading, stop.

const IMAGE = process.env.MMS_IMAGE ?? "mms:local";
const KILLED = "BTCUSDT-PERP";
const KEPT = "ETHUSDT-PERP";
/** Building from scratch on a loaded 2-core machine (npm ci from npm's cache, base import); cached, about 20 s. */
const BUILD_TIMEOUT_MS = 600_000;
/** Docker runs the first health check one interval (10 s) after the start, each may take 10 s; three chances. */
const HEALTHY_TIMEOUT_MS = 90_000;

/** Docker's own view of the container, once stopped too (testcontainers keeps it when remove is false). */
async function inspect(id: string) {
  const client = await getContainerRuntimeClient();
  return client.container.inspect(client.container.getById(id));
}

/** As the chart's securityContext runs it: readOnlyRootFilesystem (testcontainers has no option for it). */
class ReadOnlyRootContainer extends GenericContainer {
  constructor(image: string) {
    super(image);
    this.hostConfig.ReadonlyRootfs = true;
  }
}

let nats: StartedNatsServer;
let client: NatsConnection;
let exchange: ScriptedExchange;
let container: StartedTestContainer | undefined;
let config: ServiceConfigInput;
let logs = "";
const stopHeartbeats: Array<() => void> = [];

beforeAll(async () => {
  await promisify(execFile)("bash", [join(REPOSITORY_ROOT, "scripts/build-mms-image.sh"), IMAGE], { cwd: REPOSITORY_ROOT, timeout: BUILD_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  nats = await startNatsServer();
  client = await connect({ servers: nats.url });
  exchange = await ScriptedExchange.start(client, [KILLED, KEPT]);
  for (const symbol of [KILLED, KEPT]) {
    exchange.publishSnapshot(symbol, [["50000.0", "1"]], [["50010.0", "1"]]);
    stopHeartbeats.push(exchange.heartbeat(symbol));
  }
  // A fixed port other than the image's EXPOSE 8080: the HEALTHCHECK must follow the config.
  const httpPort = await getFreePort();
  config = serviceConfigInput(nats.url, [symbolConfig(KILLED), symbolConfig(KEPT)], {
    instanceName: `mms-image-${Math.random().toString(36).slice(2, 8)}`,
    http: { port: httpPort, host: "127.0.0.1" },
    logging: { level: "info" },
  });
  container = await new ReadOnlyRootContainer(IMAGE)
    .withNetworkMode("host")
    .withBindMounts([{ source: writeConfigFile(config), target: "/etc/mms/config.yaml", mode: "ro" }])
    .withTmpFs({ "/tmp": "rw,size=64m" })
    .withWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(HEALTHY_TIMEOUT_MS)
    .start();
  (await container.logs()).on("data", (chunk: Buffer | string) => (logs += chunk.toString()));
}, BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  try {
    for (const stop of stopHeartbeats) stop();
    if (container) await container.stop({ timeout: 0, remove: true }).catch(() => undefined);
    await exchange?.stop();
    await client?.close();
  } finally {
    await nats?.stop();
  }
});

function started(): StartedTestContainer {
  if (!container) throw new Error("the container did not start");
  return container;
}

test("the image runs as uid 10001 (numeric USER), the compiled service, without sources or dev tools", async () => {
  const info = await inspect(started().getId());
  expect(info.Config.User).toBe("10001:10001");
  expect(info.Config.Entrypoint).toEqual(["node", "apps/mms/dist/main.js"]);
  // PID 1 is the service itself, as every user of the image sees it.
  const probe = await started().exec(["node", "-e", `
    const fs = require("node:fs");
    const status = fs.readFileSync("/proc/1/status", "utf8");
    const absent = ["apps/mms/src", "apps/mms/test", "node_modules/typescript", "node_modules/testcontainers", "node_modules/dockerode", "node_modules/ssh2", "node_modules/@mms/test-support", "libs/test-support"].filter((path) => fs.existsSync(path));
    process.stdout.write(JSON.stringify({ uid: /^Uid:\\s+(\\d+)/m.exec(status)[1], command: fs.readFileSync("/proc/1/cmdline", "utf8").split("\\0").filter(Boolean), present: absent }));
  `]);
  expect(probe.exitCode).toBe(0);
  expect(JSON.parse(probe.stdout)).toEqual({ uid: "10001", command: ["node", "apps/mms/dist/main.js"], present: [] });
});

test("Docker's HEALTHCHECK passes on the configured (non-8080) port, /readyz answers ready and mms.status answers over NATS", async () => {
  const info = await inspect(started().getId());
  expect(info.State.Health?.Status).toBe("healthy");
  expect(info.State.Health?.Log?.at(-1)?.Output).toContain(`127.0.0.1:${config.http!.port}/healthz 200`);
  const ready = await waitFor(
    async () => {
      const response = await fetch(`http://127.0.0.1:${config.http!.port}/readyz`);
      return response.status === 200 ? ((await response.json()) as { ready: boolean }) : undefined;
    },
    { timeoutMs: 20_000, description: "/readyz 200" },
  );
  expect(ready.ready).toBe(true);
  const status = await requestStatus(client);
  expect(status.instance.startsWith(`${config.instanceName}-`)).toBe(true);
  expect(status.symbols.map((symbol) => symbol.symbol).sort()).toEqual([KILLED, KEPT]);
});

test("a resume quotes both sides; a kill cancels them and halts the symbol", async () => {
  for (const symbol of [KILLED, KEPT]) await resumeWhenStarted(client, symbol);
  await waitFor(() => exchange.openOrders(KILLED).length === 2 && exchange.openOrders(KEPT).length === 2, { timeoutMs: 15_000, description: "both quotes resting on both symbols" });

  const killed = await control(client, `mms.control.${KILLED}.kill`, RESUME_BODY);
  expect(killed.results).toEqual([{ symbol: KILLED, from: "ACTIVE", to: "HALTED", accepted: true }]);
  await waitFor(() => exchange.openOrders(KILLED).length === 0, { timeoutMs: 10_000, description: `${KILLED} quotes cancelled` });
  expect(exchange.intents.some((intent) => intent.account === config.account && intent.symbol === KILLED && isCancelAll(intent))).toBe(true);
  const status = await requestStatus(client);
  expect(status.symbols.find((symbol) => symbol.symbol === KILLED)?.state).toBe("HALTED");
  expect(exchange.openOrders(KEPT)).toHaveLength(2);
});

test("docker stop: SIGTERM reaches the service (PID 1), which cancels every order (SHUTDOWN) and exits with code 0", async () => {
  const id = started().getId();
  // Ten seconds before Docker's SIGKILL: far above shutdownTimeoutMs (3 s), the service's own bound.
  await started().stop({ timeout: 10_000, remove: false });
  container = undefined;
  try {
    const info = await inspect(id);
    expect({ exitCode: info.State.ExitCode, oomKilled: info.State.OOMKilled }).toEqual({ exitCode: 0, oomKilled: false });
    // Sent before the exit; this process may read it a moment later.
    await waitFor(() => exchange.intents.find((intent) => intent.account === config.account && intent.symbol === KEPT && isCancelAll(intent) && intent.reason === "SHUTDOWN"), { timeoutMs: 5000, description: `CANCEL_ALL SHUTDOWN for ${KEPT}` });
    await waitFor(() => exchange.openOrders(KEPT).length === 0, { timeoutMs: 5000, description: `${KEPT} quotes cancelled at shutdown` });
    expect(logs).toContain('"signal":"SIGTERM"');
  } finally {
    const runtime = await getContainerRuntimeClient();
    await runtime.container.remove(runtime.container.getById(id));
  }
});
