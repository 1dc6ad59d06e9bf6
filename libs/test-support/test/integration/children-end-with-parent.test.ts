import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { getFreePort, PARENT_WATCH_PERIOD_MS, REPOSITORY_ROOT, ScriptedExchange, serviceConfigInput, startNatsServerProcess, symbolConfig, waitFor, writeConfigFile, type NatsServerProcess } from "../../src";

// Node has no PDEATHSIG: these check that a child started through test-support (as the demo,
// the bench and the tests start them) ends when its parent dies of SIGKILL, and that a demo
// whose output reader went away first still stops its MMS on Ctrl-C.

const SHUTDOWN_TIMEOUT_MS = 3000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function startNode(args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: REPOSITORY_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function childPidOf(output: () => string): Promise<number> {
  const match = await waitFor(() => /child (\d+)/.exec(output()), { timeoutMs: 60_000, description: `the runner's child pid; output:\n${output()}` });
  return Number(match[1]);
}

const runner = join(__dirname, "parent-runner.ts");
const started: number[] = [];

afterEach(() => {
  for (const pid of started.splice(0)) if (alive(pid)) process.kill(pid, "SIGKILL");
});

test("a nats-server started by a parent that is SIGKILLed is gone within a few watch periods", async () => {
  const parent = startNode([runner, "nats"]);
  const child = await childPidOf(parent.output);
  started.push(child);
  expect(alive(child)).toBe(true);
  parent.child.kill("SIGKILL");
  // One period to notice, SIGTERM, nats-server's own quick stop; 2 s of margin for a loaded machine.
  await waitFor(() => !alive(child), { timeoutMs: 2 * PARENT_WATCH_PERIOD_MS + 2000, intervalMs: 20, description: `nats-server ${child} gone` });
}, 90_000);

describe("with a NATS server", () => {
  let nats: NatsServerProcess;
  let client: NatsConnection;
  let exchange: ScriptedExchange;
  beforeAll(async () => {
    nats = await startNatsServerProcess();
    client = await connect({ servers: nats.url });
    // The ORDERS and EXEC streams, which the MMS needs before it is ready.
    exchange = await ScriptedExchange.start(client, []);
  });
  afterAll(async () => {
    await exchange.stop();
    await client.close();
    await nats.stop();
  });

  test("an MMS started by a parent that is SIGKILLed stops (SIGTERM: an orderly stop) within a watch period plus its shutdown timeout", async () => {
    const config = serviceConfigInput(nats.url, [symbolConfig("KILLPARENT-PERP")], { shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS, http: { port: await getFreePort(), host: "127.0.0.1" } });
    const parent = startNode([runner, "mms", writeConfigFile(config)]);
    const child = await childPidOf(parent.output);
    started.push(child);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${config.http!.port}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: 60_000, description: "the MMS ready" });
    parent.child.kill("SIGKILL");
    await waitFor(() => !alive(child), { timeoutMs: PARENT_WATCH_PERIOD_MS + SHUTDOWN_TIMEOUT_MS + 3000, intervalMs: 20, description: `MMS ${child} gone` });
  }, 120_000);

  test("a demo whose output reader is gone still stops its MMS on Ctrl-C and verifies nothing rests", async () => {
    const demo = startNode(["scripts/demo/main.ts", "--no-ui"], { ...process.env, NATS_URL: nats.url });
    const match = await waitFor(() => /MMS: pid (\d+)/.exec(demo.output()), { timeoutMs: 60_000, description: `the demo's MMS pid; output:\n${demo.output()}` });
    const mms = Number(match[1]);
    started.push(mms);
    await waitFor(() => demo.output().includes("running: one line per symbol"), { timeoutMs: 60_000, description: `the demo running; output:\n${demo.output()}` });
    const exited = new Promise<number | null>((done) => demo.child.once("exit", (code) => done(code)));
    // The reader of `npm run demo | tee` ends first: the next write gets EPIPE.
    demo.child.stdout!.destroy();
    await new Promise((done) => setTimeout(done, 1500));
    demo.child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(alive(mms)).toBe(false);
  }, 120_000);
});
