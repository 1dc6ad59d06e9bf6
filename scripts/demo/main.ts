/**
 * `npm run demo`: the Market Maker Service quoting against the exchange simulator, on one screen.
 *
 *   npm run demo                          live terminal view until Ctrl-C
 *   npm run demo -- --duration 20 --no-ui run 20 s, one line per symbol per second, then stop
 *
 * NATS: NATS_URL (default nats://127.0.0.1:4222) when a server with JetStream answers there,
 * else a private `nats-server -js` on a free loopback port with a temporary store.
 * The simulator runs in this process; the MMS runs as a child process (leases on) with
 * deploy/config/demo.yaml rendered to a temp file. Ctrl-C: SIGTERM to the MMS (it cancels
 * its orders), check on the exchange that none of its orders rests, stop the simulator.
 * Every child ends with the demo, whatever the demo dies of. See docs/demo.md.
 */
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import type { AuditEvent, ServiceConfigInput } from "@mms/contracts";
import { startExchangeSimulator, type SimulatorLogger } from "@mms/exchange-sim";
import { getFreePort, REPOSITORY_ROOT } from "@mms/test-support";
import { chooseNats, DEFAULT_NATS_URL } from "./nats";
import { DemoError, say, sleep, tail, write } from "./output";
import { OPERATOR, resumeSymbol, startDemoMms, waitReady } from "./processes";
import { operatorCommands, render } from "./render";
import { shutDown, SIM_CONSUMER, type Running } from "./shutdown";
import { DemoView } from "./view";

const USAGE = `Usage: npm run demo -- [options]
  --duration SECONDS   run this long, then stop cleanly (default: until Ctrl-C)
  --no-ui              one line per symbol per second instead of a full-screen view
  --config PATH        MMS config to render (default deploy/config/demo.yaml)
  --seed N             seed of the simulated market (default 1)
  --help
Environment: NATS_URL (default ${DEFAULT_NATS_URL}).`;

const decoder = new TextDecoder();
let stopping = false;

function fileLogger(stream: WriteStream): SimulatorLogger {
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) => stream.write(`${JSON.stringify({ ts: new Date().toISOString(), level, message, ...fields })}\n`);
  return { info: line("info"), warn: line("warn"), error: line("error") };
}

interface Options {
  readonly duration: number | undefined;
  readonly seed: number;
  readonly noUi: boolean;
  readonly configPath: string;
}

function options(): Options | undefined {
  const { values } = parseArgs({
    options: { duration: { type: "string" }, "no-ui": { type: "boolean" }, config: { type: "string" }, seed: { type: "string" }, help: { type: "boolean" } },
    strict: true,
  });
  if (values.help) return undefined;
  const duration = values.duration === undefined ? undefined : Number.parseFloat(values.duration);
  if (duration !== undefined && !(duration > 0)) throw new DemoError("--duration must be a positive number of seconds");
  const seed = values.seed === undefined ? 1 : Number.parseInt(values.seed, 10);
  if (!Number.isInteger(seed)) throw new DemoError("--seed must be an integer");
  let noUi = values["no-ui"] ?? false;
  if (!noUi && !process.stdout.isTTY) {
    noUi = true;
    say("standard output is not a terminal: printing one line per second (--no-ui)");
  }
  return { duration, seed, noUi, configPath: resolve(REPOSITORY_ROOT, values.config ?? "deploy/config/demo.yaml") };
}

/** Resolves on the first Ctrl-C (or SIGTERM); a second one says it is still stopping; a third forces the exit. */
function stopOnSignals(): { stopSignal: Promise<string>; requestStop: () => void } {
  let requestStop: () => void = () => undefined;
  const stopSignal = new Promise<string>((done) => (requestStop = () => done("stop")));
  let presses = 0;
  let lastSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // One Ctrl-C may arrive twice (from the terminal and relayed by tsx): count presses, not signals.
    if (Date.now() - lastSignalAt < 1000) return;
    lastSignalAt = Date.now();
    presses += 1;
    if (presses === 1) {
      write("\n");
      say(`${signal}: stopping cleanly`);
      requestStop();
    } else if (presses === 2) {
      say("still stopping: waiting for the MMS to cancel its orders (Ctrl-C once more forces an exit)");
    } else {
      say("forced exit: children stopped by their guards, orders may rest until the dead-man's switch fires");
      process.exit(130);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  return { stopSignal, requestStop };
}

async function run(options: Options, running: Running, stopSignal: Promise<string>, requestStop: () => void): Promise<number> {
  let exitCode = 0;
  // 1. NATS
  const nats = await chooseNats();
  running.nats = nats;
  const { nc, url } = nats;
  say(`NATS: ${url} (${nats.origin})`);

  // 2. the MMS config, rendered for this run
  const raw = parseYaml(readFileSync(options.configPath, "utf8")) as ServiceConfigInput;
  if (!raw || !Array.isArray(raw.symbols) || raw.symbols.length === 0) throw new DemoError(`${options.configPath}: no symbols`);
  running.account = raw.account ?? running.account;
  running.deadManMs = Math.max(0, ...raw.symbols.map((symbol) => symbol.deadManMs ?? 5000));
  const httpPort = await getFreePort();
  const rendered: ServiceConfigInput = { ...raw, nats: { ...raw.nats, servers: [url] }, http: { port: httpPort, host: "127.0.0.1" } };
  const renderedPath = join(running.work, "mms-config.json");
  writeFileSync(renderedPath, JSON.stringify(rendered, null, 2));

  // 3. the exchange simulator, in this process
  const simLogPath = join(running.work, "exchange-sim.log");
  const simLog = createWriteStream(simLogPath, { flags: "a" });
  running.cleanups.push(() => new Promise<void>((done) => simLog.end(done)));
  const simulator = await startExchangeSimulator({
    natsUrl: url,
    symbols: raw.symbols.map((symbol) => ({ symbol: symbol.symbol, tickSize: symbol.tickSize, lotSize: symbol.lotSize })),
    seed: options.seed,
    consumerName: SIM_CONSUMER,
    logger: fileLogger(simLog),
  });
  running.simulator = simulator;
  say(`exchange simulator: run ${simulator.runId}, symbols ${simulator.symbols.join(", ")}, seed ${options.seed} (log ${simLogPath})`);

  // 4. the MMS, as a child process in its own process group
  const mmsLogPath = join(running.work, "mms.log");
  const mms = startDemoMms(renderedPath, url, mmsLogPath, httpPort);
  running.mms = mms;
  running.mmsExited = mms.exited.then(({ code, signal }) => {
    const text = `exited (${signal ? `signal ${signal}` : `code ${code}`})`;
    if (running.demo) running.demo.mmsExit = text;
    if (!stopping) {
      say(`MMS ${text} unexpectedly; last log lines:\n${tail(mmsLogPath, 15)}`);
      exitCode = 1;
      requestStop();
    }
  });
  say(`MMS: pid ${mms.pid}, config ${renderedPath}, log ${mmsLogPath}; waiting for /readyz on 127.0.0.1:${httpPort}`);
  const readySince = Date.now();
  const ready = await Promise.race([waitReady(mms, 120_000, () => stopping), stopSignal.then(() => false)]);
  if (!ready) throw new DemoError(stopping ? "stopped before the MMS was ready" : `the MMS was not ready in time; last log lines:\n${tail(mmsLogPath, 15)}`);
  say(`MMS: ready after ${((Date.now() - readySince) / 1000).toFixed(1)} s (every symbol starts PAUSED, reason STARTUP)`);

  const demo = new DemoView(nc, simulator, raw, running.account, { url, origin: nats.origin, mmsPid: mms.pid, httpPort, work: running.work, noUi: options.noUi });
  running.demo = demo;
  const events = nc.subscribe("mms.events.>", {
    callback: (error, message) => {
      if (error) return;
      try {
        demo.onEvent(JSON.parse(decoder.decode(message.data)) as AuditEvent);
      } catch {
        // not ours to judge here
      }
    },
  });
  running.cleanups.push(() => events.unsubscribe());

  // 5. resume every symbol (retried: the lease and the first market status take a moment)
  await sleep(1000);
  for (const symbol of raw.symbols.map((entry) => entry.symbol)) {
    const outcome = await Promise.race([resumeSymbol(nc, symbol, 20_000, () => stopping), stopSignal.then(() => "stopped before resume")]);
    say(`resume ${symbol} ${JSON.stringify(OPERATOR)}: ${outcome}`);
  }
  if (!options.noUi) await sleep(1500);

  // 6. the live view
  const viewStart = Date.now();
  let busy = false;
  const refresh = async () => {
    if (busy || stopping) return;
    busy = true;
    try {
      const views = await demo.collect();
      if (!stopping) render(demo, views, Date.now() - viewStart);
    } finally {
      busy = false;
    }
  };
  if (options.noUi) {
    say("running: one line per symbol per second, audit events as they come");
    write(`${operatorCommands(url, raw.symbols[0]!.symbol, false).join("\n")}\n`);
  }
  void refresh();
  const timer = setInterval(() => void refresh(), 1000);
  running.cleanups.push(() => clearInterval(timer));
  const reason = await Promise.race([stopSignal, ...(options.duration === undefined ? [] : [sleep(options.duration * 1000).then(() => "duration")])]);
  if (reason === "duration") say(`--duration ${options.duration} s reached: stopping`);
  stopping = true;
  clearInterval(timer);
  return exitCode;
}

async function main(): Promise<number> {
  const chosen = options();
  if (chosen === undefined) {
    console.log(USAGE);
    return 0;
  }
  const { stopSignal, requestStop } = stopOnSignals();
  const running: Running = { account: "SYSTEM_MARKET_MAKER", deadManMs: 5000, work: mkdtempSync(join(tmpdir(), "mms-demo-")), keepWork: false, cleanups: [] };
  let exitCode: number;
  try {
    exitCode = await run(chosen, running, stopSignal, requestStop);
  } catch (error) {
    exitCode = 1;
    running.keepWork = true;
    say(error instanceof DemoError ? `error: ${error.message}` : `error: ${(error as Error).stack ?? String(error)}`);
  }
  stopping = true;
  return shutDown(running, exitCode);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof DemoError ? `demo: ${error.message}` : error);
    process.exit(1);
  },
);
