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
 * See docs/demo.md.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, closeSync, constants, createWriteStream, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, type WriteStream } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import Big from "big.js";
import { parse as parseYaml } from "yaml";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { startExchangeSimulator, type ExchangeSimulatorHandle, type SimulatorLogger } from "@mms/exchange-sim";

const REPO_ROOT = resolve(__dirname, "..");
const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";
const SIM_CONSUMER = "mms-demo-sim";
const OPERATOR = { operator: "demo", reason: "demo start" };
const EVENT_LINES = 8;

const USAGE = `Usage: npm run demo -- [options]
  --duration SECONDS   run this long, then stop cleanly (default: until Ctrl-C)
  --no-ui              one line per symbol per second instead of a full-screen view
  --config PATH        MMS config to render (default deploy/config/demo.yaml)
  --seed N             seed of the simulated market (default 1)
  --help
Environment: NATS_URL (default ${DEFAULT_NATS_URL}).`;

// ---------------------------------------------------------------------------------
// Small helpers

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
const startedAt = Date.now();

function say(message: string): void {
  process.stdout.write(`[demo ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)}s] ${message}\n`);
}

class DemoError extends Error {}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port === 4222 ? freePort().then(done, fail) : done(port)));
    });
  });
}

/** Debian installs nats-server to /usr/sbin, which a normal user's PATH often lacks. */
function findExecutable(name: string): string | undefined {
  const directories = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/usr/local/bin"];
  for (const directory of directories.filter((entry) => entry.length > 0)) {
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function request<T>(nc: NatsConnection, subject: string, body: unknown, timeout = 2000): Promise<T> {
  const payload = body === undefined ? new Uint8Array(0) : encoder.encode(JSON.stringify(body));
  const reply = await nc.request(subject, payload, { timeout });
  return JSON.parse(decoder.decode(reply.data)) as T;
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

const fmt = (value: Big | undefined, places?: number): string => (value === undefined ? "-" : places === undefined ? value.toFixed() : value.toFixed(places));

/** Digits after the point of a tick: "0.1" -> 1, "0.01" -> 2, "1" -> 0. */
function decimalPlaces(step: string): number {
  const dot = step.indexOf(".");
  return dot < 0 ? 0 : step.length - dot - 1;
}

function spreadText(bid: Big | undefined, ask: Big | undefined, places: number): string {
  if (!bid || !ask) return "one-sided";
  const width = ask.minus(bid);
  if (width.lte(0)) return `CROSSED by ${width.neg().toFixed(places)}`;
  const bps = width.div(bid.plus(ask).div(2)).times(10000);
  return `${width.toFixed(places)} (${bps.toFixed(1)} bps)`;
}

// ---------------------------------------------------------------------------------
// Wire shapes (only the fields the demo reads)

interface SymbolConfig {
  symbol: string;
  tickSize: string;
  lotSize: string;
  spreadBps: string;
  maxPosition: string;
  deadManMs?: number;
}
interface RenderedConfig {
  account?: string;
  symbols: SymbolConfig[];
  [key: string]: unknown;
}
interface StatusReply {
  instance: string;
  symbols: Array<{
    symbol: string;
    state: string;
    reason: string | null;
    mode: string;
    position: string;
    avgEntryPx: string | null;
    realizedPnl: string;
    unrealizedPnl: string;
    fees: string;
    openOrders: Array<{ clientOrderId: string; side: string; px: string; qty: string }>;
  }>;
}
interface ControlReply {
  ok: boolean;
  results?: Array<{ symbol: string; from: string; to: string; accepted: boolean; reason?: string }>;
  error?: string;
}
interface SimOrder {
  symbol: string;
  clientOrderId: string;
  side: "BUY" | "SELL";
  px: string;
  qty: string;
  leavesQty: string;
}
interface SimLedger {
  symbols: Array<{ symbol: string; position: string; realizedPnl: string; fees: string; fillCount: number }>;
}
interface Snapshot {
  seq: number;
  bids: [string, string][];
  asks: [string, string][];
}
interface AuditEvent {
  type: string;
  symbol: string;
  instance: string;
  ts: number;
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------------
// NATS: the one at NATS_URL, or a private nats-server

interface NatsChoice {
  url: string;
  nc: NatsConnection;
  origin: string;
  server?: ChildProcess;
}

async function connectWithJetStream(url: string): Promise<NatsConnection> {
  const nc = await connect({ servers: url, timeout: 2000, name: "mms-demo" });
  try {
    await jetstreamManager(nc);
  } catch (error) {
    await nc.close();
    throw new DemoError(`the NATS server at ${url} answers but JetStream is off (${(error as Error).message})`);
  }
  return nc;
}

async function chooseNats(work: string): Promise<NatsChoice> {
  const url = process.env.NATS_URL?.trim() || DEFAULT_NATS_URL;
  let why: string;
  try {
    const nc = await connectWithJetStream(url);
    return { url, nc, origin: `${process.env.NATS_URL ? "NATS_URL" : "default"} server, JetStream on` };
  } catch (error) {
    why = error instanceof DemoError ? error.message : `nothing answers at ${url}`;
  }
  const binary = findExecutable("nats-server");
  if (!binary) {
    throw new DemoError(
      `${why}, and no nats-server is on the PATH.\n` +
        "Install one, then run the demo again:\n" +
        "  Debian/Ubuntu:  sudo apt-get install nats-server\n" +
        "  macOS:          brew install nats-server\n" +
        "  any OS:         download a release from https://github.com/nats-io/nats-server/releases and put it on the PATH\n" +
        "or point NATS_URL at a NATS server started with JetStream (nats-server -js).",
    );
  }
  const port = await freePort();
  const store = join(work, "nats-store");
  const logPath = join(work, "nats-server.log");
  const log = openSync(logPath, "a");
  say(`${why}: starting ${binary} -js on 127.0.0.1:${port} (store ${store})`);
  const server = spawn(binary, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", store], { stdio: ["ignore", log, log], detached: true });
  closeSync(log);
  let exited: string | undefined;
  server.once("exit", (code, signal) => (exited = `exited (${signal ?? code})`));
  const localUrl = `nats://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100 && !exited; attempt++) {
    try {
      const nc = await connectWithJetStream(localUrl);
      return { url: localUrl, nc, origin: `private nats-server pid ${server.pid}, temporary store`, server };
    } catch {
      await sleep(100);
    }
  }
  server.kill("SIGKILL");
  throw new DemoError(`nats-server did not come up on ${localUrl} (${exited ?? "timeout"}):\n${tail(logPath, 10)}`);
}

// ---------------------------------------------------------------------------------
// The view

interface SymbolView {
  config: SymbolConfig;
  exchange: Record<string, unknown> | undefined;
  withMms: { bid?: Big; ask?: Big } | undefined;
  withoutMms: { bid?: Big; ask?: Big } | undefined;
  bookNote: string | undefined;
  mmsOrders: SimOrder[];
  status: StatusReply["symbols"][number] | undefined;
  fills: number | undefined;
  /** NEW and CANCEL intents per second over the last 5 s, from the audit events. */
  orderRate: number;
}

function bestOf(levels: [string, string][], own: Map<string, Big>, side: "BUY" | "SELL"): Big | undefined {
  let best: Big | undefined;
  for (const [px, qty] of levels) {
    const left = new Big(qty).minus(own.get(new Big(px).toFixed()) ?? 0);
    if (left.lte(0)) continue;
    const price = new Big(px);
    if (!best || (side === "BUY" ? price.gt(best) : price.lt(best))) best = price;
  }
  return best;
}

class Demo {
  readonly events: string[] = [];
  readonly eventCounts = new Map<string, number>();
  private readonly orderIntentTimes = new Map<string, number[]>();
  instance: string | undefined;
  lastStatus: StatusReply | undefined;
  mmsExit: string | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly simulator: ExchangeSimulatorHandle,
    private readonly config: RenderedConfig,
    private readonly account: string,
    readonly info: { url: string; origin: string; mmsPid: number | undefined; httpPort: number; work: string; noUi: boolean },
  ) {}

  onEvent(event: AuditEvent): void {
    if (this.instance && event.instance !== this.instance) return;
    this.eventCounts.set(event.type, (this.eventCounts.get(event.type) ?? 0) + 1);
    const kind = (event.intent as { kind?: string } | undefined)?.kind;
    if (event.type === "intent" && (kind === "NEW" || kind === "CANCEL")) {
      const times = this.orderIntentTimes.get(event.symbol) ?? [];
      times.push(Date.now());
      while (times.length > 0 && times[0]! < Date.now() - 5000) times.shift();
      this.orderIntentTimes.set(event.symbol, times);
    }
    const line = describeEvent(event);
    if (!line) return;
    const stamped = `${new Date(event.ts).toISOString().slice(11, 19)} ${event.symbol.padEnd(13)} ${line}`;
    this.events.push(stamped);
    if (this.events.length > EVENT_LINES) this.events.shift();
    if (this.info.noUi) process.stdout.write(`  event ${stamped}\n`);
  }

  async collect(): Promise<SymbolView[]> {
    // All asked at once: the simulator answers the orders and the books one after another, so
    // "with" and "without the MMS" describe the same moment. A stopped or delayed feed answers
    // its snapshot request late or never.
    const snapshots = this.config.symbols.map((config) => request<Snapshot>(this.nc, `md.${config.symbol}.snapshot.get`, undefined, 700).catch(() => undefined));
    const [status, orders, ledger] = await Promise.all([
      request<StatusReply>(this.nc, "mms.status", undefined, 1500).catch(() => undefined),
      request<{ orders: SimOrder[] }>(this.nc, `sim.orders.${this.account}`, undefined, 1500).catch(() => undefined),
      request<SimLedger>(this.nc, `sim.ledger.${this.account}`, undefined, 1500).catch(() => undefined),
    ]);
    if (status) {
      this.lastStatus = status;
      this.instance ??= status.instance;
    }
    return Promise.all(
      this.config.symbols.map(async (config, index): Promise<SymbolView> => {
        const reply = this.simulator.control(config.symbol, "info");
        const exchange = reply.ok ? (reply as Record<string, unknown>) : undefined;
        const mmsOrders = orders?.orders.filter((order) => order.symbol === config.symbol) ?? [];
        const own = { BUY: new Map<string, Big>(), SELL: new Map<string, Big>() };
        for (const order of mmsOrders) {
          const key = new Big(order.px).toFixed();
          own[order.side].set(key, (own[order.side].get(key) ?? new Big(0)).plus(order.leavesQty));
        }
        let withMms: SymbolView["withMms"];
        let withoutMms: SymbolView["withoutMms"];
        let bookNote: string | undefined;
        const snapshot = await snapshots[index];
        if (snapshot) {
          const none = new Map<string, Big>();
          withMms = { bid: bestOf(snapshot.bids, none, "BUY"), ask: bestOf(snapshot.asks, none, "SELL") };
          withoutMms = { bid: bestOf(snapshot.bids, own.BUY, "BUY"), ask: bestOf(snapshot.asks, own.SELL, "SELL") };
        } else {
          bookNote = "no market data (feed stopped or delayed): best prices from the matching engine";
          const bid = typeof exchange?.bestBid === "string" ? new Big(exchange.bestBid) : undefined;
          const ask = typeof exchange?.bestAsk === "string" ? new Big(exchange.bestAsk) : undefined;
          withMms = { bid, ask };
        }
        return {
          config,
          exchange,
          withMms,
          withoutMms,
          bookNote,
          mmsOrders,
          status: status?.symbols.find((entry) => entry.symbol === config.symbol),
          fills: ledger?.symbols.find((entry) => entry.symbol === config.symbol)?.fillCount,
          orderRate: (this.orderIntentTimes.get(config.symbol) ?? []).filter((time) => time >= Date.now() - 5000).length / 5,
        };
      }),
    );
  }

  render(views: SymbolView[], elapsedMs: number): void {
    if (this.info.noUi) {
      const time = `${(elapsedMs / 1000).toFixed(0).padStart(4)}s`;
      for (const view of views) process.stdout.write(`${time} ${compactLine(view)}\n`);
      if (this.mmsExit) process.stdout.write(`${time} MMS ${this.mmsExit}\n`);
      return;
    }
    const lines: string[] = [];
    const uptime = new Date(elapsedMs).toISOString().slice(11, 19);
    lines.push(`\x1b[1mMarket Maker Service demo\x1b[0m  up ${uptime}   Ctrl-C stops everything cleanly`);
    lines.push(`NATS ${this.info.url} (${this.info.origin})   MMS pid ${this.info.mmsPid ?? "-"}, http 127.0.0.1:${this.info.httpPort}, account ${this.account}`);
    lines.push(`logs: ${this.info.work}`);
    if (this.mmsExit) lines.push(`\x1b[31mMMS ${this.mmsExit}\x1b[0m`);
    for (const view of views) lines.push("", ...symbolBlock(view));
    lines.push("", `\x1b[1mLast audit events\x1b[0m (mms.events.>; ${[...this.eventCounts].map(([type, count]) => `${type} ${count}`).join(", ") || "none yet"})`);
    lines.push(...(this.events.length > 0 ? this.events.map((line) => `  ${line}`) : ["  (none yet)"]));
    lines.push("", ...operatorCommands(this.info.url, this.config.symbols[0]?.symbol ?? "BTCUSDT-PERP"));
    process.stdout.write(`\x1b[H\x1b[2J${lines.join("\n")}\n`);
  }
}

function stateColour(state: string | undefined): string {
  return state === "ACTIVE" ? "\x1b[32m" : state === "HALTED" ? "\x1b[31m" : "\x1b[33m";
}

function symbolBlock(view: SymbolView): string[] {
  const status = view.status;
  const exchange = view.exchange;
  const stateText = status ? `${status.state}${status.reason ? ` (${status.reason})` : ""}${status.mode === "shadow" ? " [shadow]" : ""}` : "no status";
  const market = exchange
    ? `exchange ${String(exchange.status)}${exchange.marketDataStopped ? ", md STOPPED" : ""}${exchange.marketDataDelayMs ? `, md delayed ${String(exchange.marketDataDelayMs)} ms` : ""}${exchange.driverPaused ? ", driver paused" : ""}, fair ${String(exchange.fairValue)}`
    : "";
  const target = new Big(view.config.spreadBps);
  const mid = view.withMms?.bid && view.withMms.ask ? view.withMms.bid.plus(view.withMms.ask).div(2) : undefined;
  const dp = decimalPlaces(view.config.tickSize);
  const quotes = view.mmsOrders.length > 0 ? view.mmsOrders.map((order) => `${order.side} ${order.leavesQty} @ ${new Big(order.px).toFixed(dp)}`).join("   ") : "none resting";
  const lines = [
    `\x1b[1m${view.config.symbol}\x1b[0m  ${stateColour(status?.state)}${stateText}\x1b[0m   ${market}`,
    `  market with MMS      ${fmt(view.withMms?.bid, dp).padStart(12)} / ${fmt(view.withMms?.ask, dp).padEnd(12)} spread ${spreadText(view.withMms?.bid, view.withMms?.ask, dp)}`,
    view.withoutMms
      ? `  market without MMS   ${fmt(view.withoutMms.bid, dp).padStart(12)} / ${fmt(view.withoutMms.ask, dp).padEnd(12)} spread ${spreadText(view.withoutMms.bid, view.withoutMms.ask, dp)}`
      : `  market without MMS   ${view.bookNote ?? "-"}`,
    `  MMS quotes           ${quotes}   (target spread ${target.toFixed()} bps${mid ? ` = ${mid.times(target).div(10000).toFixed(dp)}` : ""}; orders sent ${view.orderRate.toFixed(1)}/s)`,
  ];
  if (status) {
    lines.push(
      `  position ${status.position}${status.avgEntryPx ? ` @ ${new Big(status.avgEntryPx).toFixed(2)}` : ""} (max ${view.config.maxPosition})   realized ${new Big(status.realizedPnl).toFixed(4)}   unrealized ${new Big(status.unrealizedPnl).toFixed(4)}   fees ${new Big(status.fees).toFixed(4)}   fills this run ${view.fills ?? 0}`,
    );
  }
  return lines;
}

function compactLine(view: SymbolView): string {
  const status = view.status;
  const dp = decimalPlaces(view.config.tickSize);
  const quotes = view.mmsOrders.length > 0 ? view.mmsOrders.map((order) => `${order.side === "BUY" ? "b" : "a"} ${new Big(order.px).toFixed(dp)}`).join(" ") : "none";
  const exchange = view.exchange;
  const exchangeNotes = exchange
    ? [exchange.status === "TRADING" ? undefined : `exchange ${String(exchange.status)}`, exchange.marketDataStopped ? "md stopped" : undefined, exchange.marketDataDelayMs ? `md delayed ${String(exchange.marketDataDelayMs)} ms` : undefined].filter((note) => note !== undefined)
    : [];
  const withoutText = view.withoutMms ? `${fmt(view.withoutMms.bid, dp)}/${fmt(view.withoutMms.ask, dp)} ${spreadText(view.withoutMms.bid, view.withoutMms.ask, dp)}` : "n/a (no md)";
  return [
    view.config.symbol,
    (status ? `${status.state}${status.reason ? `/${status.reason}` : ""}` : "no-status") + (exchangeNotes.length > 0 ? ` (${exchangeNotes.join(", ")})` : ""),
    `mkt ${fmt(view.withMms?.bid, dp)}/${fmt(view.withMms?.ask, dp)} ${spreadText(view.withMms?.bid, view.withMms?.ask, dp)}`,
    `w/o MMS ${withoutText}`,
    `quotes ${quotes} (${view.orderRate.toFixed(1)} orders/s)`,
    status ? `pos ${status.position} rpnl ${new Big(status.realizedPnl).toFixed(2)} upnl ${new Big(status.unrealizedPnl).toFixed(2)} fees ${new Big(status.fees).toFixed(4)}` : "",
  ].join(" | ");
}

function describeEvent(event: AuditEvent): string | undefined {
  const text = (value: unknown) => (value === null || value === undefined ? "" : String(value));
  switch (event.type) {
    case "state":
      return `state ${text(event.from)} -> ${text(event.to)}${event.reason ? ` (${text(event.reason)})` : ""}`;
    case "control":
      return `control ${text(event.command)} by ${text(event.operator) || "anonymous"}: ${event.accepted ? "accepted" : `refused ${text(event.refusal)}`} (${text(event.from)} -> ${text(event.to)})`;
    case "alert":
      return `ALERT ${text(event.reason)}: ${text(event.message)}`;
    case "fill":
      return `fill ${text(event.side)} ${text(event.qty)} @ ${text(event.px)} ${text(event.liquidity)} fee ${text(event.fee)} -> position ${text(event.position)}`;
    case "intent": {
      const intent = event.intent as { kind?: string; reason?: string } | undefined;
      return intent?.kind === "CANCEL_ALL" ? `intent CANCEL_ALL (${text(intent.reason)})${event.shadow ? " [shadow]" : ""}` : undefined;
    }
    default:
      // quote, risk (repeats its alert) and single-order intents are counted, not listed.
      return undefined;
  }
}

function operatorCommands(url: string, symbol: string, ansi = true): string[] {
  const nats = `nats --server ${url}`;
  const body = (reason: string) => `'{"operator":"alice","reason":"${reason}"}'`;
  const installed = findExecutable("nats") ? "" : "  (nats CLI not found here: https://github.com/nats-io/natscli)";
  return [
    `${ansi ? "\x1b[1m" : ""}Operator commands${ansi ? "\x1b[0m" : ""}${installed}`,
    `  kill everything:  ${nats} pub mms.control.all.kill ''`,
    `  pause one:        ${nats} req mms.control.${symbol}.pause ${body("looking")}`,
    `  reset a halt:     ${nats} req mms.control.${symbol}.reset ${body("checked")}`,
    `  resume:           ${nats} req mms.control.${symbol}.resume ${body("feed back")}`,
    `  status:           ${nats} req mms.status ''`,
    `  exchange faults:  ${nats} req sim.control.${symbol}.halt ''   (then resume-trading; also stop-md/start-md, crossed, skip-seq, delay-md '{"ms":3000}', reject-all '{"enabled":true}')`,
  ];
}

// ---------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      duration: { type: "string" },
      "no-ui": { type: "boolean" },
      config: { type: "string" },
      seed: { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const duration = values.duration === undefined ? undefined : Number.parseFloat(values.duration);
  if (duration !== undefined && !(duration > 0)) throw new DemoError("--duration must be a positive number of seconds");
  const seed = values.seed === undefined ? 1 : Number.parseInt(values.seed, 10);
  if (!Number.isInteger(seed)) throw new DemoError("--seed must be an integer");
  let noUi = values["no-ui"] ?? false;
  if (!noUi && !process.stdout.isTTY) {
    noUi = true;
    say("standard output is not a terminal: printing one line per second (--no-ui)");
  }

  const configPath = resolve(REPO_ROOT, values.config ?? "deploy/config/demo.yaml");
  const work = mkdtempSync(join(tmpdir(), "mms-demo-"));
  const cleanups: Array<() => Promise<void> | void> = [];
  let keepWork = false;
  let stopRequested: (() => void) | undefined;
  const stopSignal = new Promise<string>((done) => (stopRequested = () => done("stop")));
  let signals = 0;
  let lastSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // One Ctrl-C may arrive twice (from the terminal and relayed by tsx): count presses, not signals.
    if (Date.now() - lastSignalAt < 1000) return;
    lastSignalAt = Date.now();
    signals += 1;
    if (signals === 1) {
      process.stdout.write(`\n`);
      say(`${signal}: stopping cleanly`);
      stopRequested?.();
    } else if (signals === 2) {
      say("still stopping: waiting for the MMS to cancel its orders (Ctrl-C once more forces an exit)");
    } else {
      say("forced exit: children killed, orders may rest until the dead-man's switch fires");
      process.exit(130);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let exitCode = 0;
  let nats: NatsChoice | undefined;
  let simulator: ExchangeSimulatorHandle | undefined;
  let mms: ChildProcess | undefined;
  let mmsExited: Promise<void> = Promise.resolve();
  let account = "SYSTEM_MARKET_MAKER";
  let demo: Demo | undefined;
  let rendered: RenderedConfig | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    // 1. NATS
    nats = await chooseNats(work);
    const { nc, url } = nats;
    say(`NATS: ${url} (${nats.origin})`);
    const server = nats.server;
    if (server) cleanups.push(async () => void (await stopChild(server, "nats-server", 5000)));

    // 2. the MMS config, rendered for this run
    const raw = parseYaml(readFileSync(configPath, "utf8")) as RenderedConfig;
    if (!raw || !Array.isArray(raw.symbols) || raw.symbols.length === 0) throw new DemoError(`${configPath}: no symbols`);
    account = raw.account ?? account;
    const httpPort = await freePort();
    rendered = { ...raw, nats: { ...(raw.nats as object), servers: [url] }, http: { port: httpPort, host: "127.0.0.1" } };
    const renderedPath = join(work, "mms-config.json");
    writeFileSync(renderedPath, JSON.stringify(rendered, null, 2));

    // 3. the exchange simulator, in this process
    const simLog = createWriteStream(join(work, "exchange-sim.log"), { flags: "a" });
    cleanups.push(() => new Promise<void>((done) => simLog.end(done)));
    simulator = await startExchangeSimulator({
      natsUrl: url,
      symbols: raw.symbols.map((symbol) => ({ symbol: symbol.symbol, tickSize: symbol.tickSize, lotSize: symbol.lotSize })),
      seed,
      consumerName: SIM_CONSUMER,
      logger: fileLogger(simLog),
    });
    say(`exchange simulator: run ${simulator.runId}, symbols ${simulator.symbols.join(", ")}, seed ${seed} (log ${join(work, "exchange-sim.log")})`);

    // 4. the MMS, as a child process in its own process group (Ctrl-C reaches only us; we send SIGTERM)
    const mmsLogPath = join(work, "mms.log");
    const mmsLog = openSync(mmsLogPath, "a");
    const env: NodeJS.ProcessEnv = { ...process.env, NATS_URL: url };
    delete env.MMS_LEASES;
    delete env.MMS_CONFIG;
    mms = spawn(process.execPath, ["apps/mms/dist/main.js", "--config", renderedPath], { cwd: REPO_ROOT, env, stdio: ["ignore", mmsLog, mmsLog], detached: true });
    closeSync(mmsLog);
    const child = mms;
    mmsExited = new Promise<void>((done) =>
      child.once("exit", (code, signal) => {
        const text = `exited (${signal ? `signal ${signal}` : `code ${code}`})`;
        if (demo) demo.mmsExit = text;
        if (!stopping) {
          say(`MMS ${text} unexpectedly; last log lines:\n${tail(mmsLogPath, 15)}`);
          exitCode = 1;
          stopRequested?.();
        }
        done();
      }),
    );
    say(`MMS: pid ${mms.pid}, config ${renderedPath}, log ${mmsLogPath}; waiting for /readyz on 127.0.0.1:${httpPort}`);
    const readySince = Date.now();
    const ready = await Promise.race([waitReady(httpPort, 120_000), stopSignal.then(() => false)]);
    if (!ready) throw new DemoError(stopping ? "stopped before the MMS was ready" : `the MMS was not ready in time; last log lines:\n${tail(mmsLogPath, 15)}`);
    say(`MMS: ready after ${((Date.now() - readySince) / 1000).toFixed(1)} s (every symbol starts PAUSED, reason STARTUP)`);

    demo = new Demo(nc, simulator, raw, account, { url, origin: nats.origin, mmsPid: mms.pid, httpPort, work, noUi });
    const events: Subscription = nc.subscribe("mms.events.>", {
      callback: (error, message) => {
        if (error) return;
        try {
          demo?.onEvent(JSON.parse(decoder.decode(message.data)) as AuditEvent);
        } catch {
          // not ours to judge here
        }
      },
    });
    cleanups.push(() => events.unsubscribe());

    // 5. resume every symbol (retried: the lease and the first market status take a moment)
    await sleep(1000);
    for (const symbol of raw.symbols.map((entry) => entry.symbol)) {
      const outcome = await Promise.race([resumeSymbol(nc, symbol, 20_000), stopSignal.then(() => "stopped before resume")]);
      say(`resume ${symbol} ${JSON.stringify(OPERATOR)}: ${outcome}`);
    }
    if (!noUi) await sleep(1500);

    // 6. the live view
    const viewStart = Date.now();
    let busy = false;
    const refresh = async () => {
      if (busy || stopping) return;
      busy = true;
      try {
        const views = await demo!.collect();
        if (!stopping) demo!.render(views, Date.now() - viewStart);
      } finally {
        busy = false;
      }
    };
    if (noUi) {
      say("running: one line per symbol per second, audit events as they come");
      process.stdout.write(`${operatorCommands(url, raw.symbols[0]!.symbol, false).join("\n")}\n`);
    }
    void refresh();
    timer = setInterval(() => void refresh(), 1000);
    const reason = await Promise.race([stopSignal, ...(duration === undefined ? [] : [sleep(duration * 1000).then(() => "duration")])]);
    if (reason === "duration") say(`--duration ${duration} s reached: stopping`);
  } catch (error) {
    exitCode = 1;
    keepWork = true;
    say(error instanceof DemoError ? `error: ${error.message}` : `error: ${(error as Error).stack ?? String(error)}`);
  }

  // Shutdown: MMS first (it cancels its orders), check the exchange, then the simulator and NATS.
  stopping = true;
  if (timer) clearInterval(timer);
  try {
    if (mms && mms.exitCode === null && mms.signalCode === null) {
      say(`stopping the MMS: SIGTERM to pid ${mms.pid} (it cancels all its orders first)`);
      const clean = await stopChild(mms, "MMS", 20_000);
      await mmsExited;
      say(`MMS ${demo?.mmsExit ?? "exited"}${clean ? "" : " after SIGKILL"}`);
      if (!clean) exitCode = 1;
    }
    if (simulator && nats) {
      // A crashed MMS cancelled nothing: its orders go when the exchange's dead-man's switch fires.
      const crashed = demo?.mmsExit !== undefined && exitCode !== 0;
      const deadManMs = Math.max(0, ...(rendered?.symbols ?? []).map((symbol) => symbol.deadManMs ?? 5000));
      if (crashed) say(`the MMS did not stop cleanly: waiting up to ${deadManMs / 1000} s for the exchange's dead-man's switch`);
      const resting = await restingAfterStop(nats.nc, account, crashed ? deadManMs + 2000 : 5000);
      if (resting === undefined) {
        say(`could not ask sim.orders.${account}`);
        exitCode = 1;
      } else if (resting.length === 0) {
        say(`verified: no MMS order rests on the exchange (sim.orders.${account} is empty)`);
      } else {
        exitCode = 1;
        say(`WARNING: ${resting.length} MMS order(s) still rest on the exchange:\n${resting.map((order) => `  ${order.symbol} ${order.side} ${order.leavesQty} @ ${order.px} (${order.clientOrderId})`).join("\n")}`);
      }
      if (demo?.lastStatus) {
        for (const symbol of demo.lastStatus.symbols) {
          const money = (value: string) => new Big(value).toFixed(4);
          say(`final ${symbol.symbol}: position ${symbol.position}, realized ${money(symbol.realizedPnl)}, unrealized ${money(symbol.unrealizedPnl)}, fees ${money(symbol.fees)} (MMS ledger, rebuilt from EXEC)`);
        }
      }
    }
  } finally {
    if (simulator) {
      await simulator.stop();
      say("exchange simulator stopped");
    }
    if (nats && !nats.server) {
      // The simulator's durable consumer on the shared ORDERS stream: not needed after the demo.
      await jetstreamManager(nats.nc)
        .then((jsm) => jsm.consumers.delete("ORDERS", SIM_CONSUMER))
        .catch(() => undefined);
    }
    await nats?.nc.drain().catch(() => undefined);
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
    const hasLogs = readdirSync(work).some((name) => name.endsWith(".log"));
    if (hasLogs && (keepWork || exitCode !== 0)) say(`logs kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  return exitCode;
}

let stopping = false;

function fileLogger(stream: WriteStream): SimulatorLogger {
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) => stream.write(`${JSON.stringify({ ts: new Date().toISOString(), level, message, ...fields })}\n`);
  return { info: write("info"), warn: write("warn"), error: write("error") };
}

async function waitReady(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return true;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  return false;
}

async function resumeSymbol(nc: NatsConnection, symbol: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "no reply";
  while (Date.now() < deadline && !stopping) {
    try {
      const reply = await request<ControlReply>(nc, `mms.control.${symbol}.resume`, OPERATOR, 3000);
      const result = reply.results?.find((entry) => entry.symbol === symbol);
      if (result?.accepted) return `accepted (${result.from} -> ${result.to})`;
      last = result ? `refused ${result.reason ?? "?"}` : (reply.error ?? "no result");
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(500);
  }
  return `still ${last} after ${timeoutMs / 1000} s (try the resume command below once the cause is gone)`;
}

/** The MMS's cancels are acknowledged by the ORDERS stream before it exits; the exchange applies them a moment later. */
async function restingAfterStop(nc: NatsConnection, account: string, timeoutMs: number): Promise<SimOrder[] | undefined> {
  let resting: SimOrder[] | undefined;
  for (let attempt = 0; attempt < timeoutMs / 250; attempt++) {
    resting = await request<{ orders: SimOrder[] }>(nc, `sim.orders.${account}`, undefined, 2000)
      .then((reply) => reply.orders)
      .catch(() => undefined);
    if (resting && resting.length === 0) return resting;
    await sleep(250);
  }
  return resting;
}

/** SIGTERM, then SIGKILL after `graceMs`; true when it exited on the SIGTERM. */
async function stopChild(child: ChildProcess, name: string, graceMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill("SIGTERM");
  const clean = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!clean) {
    say(`${name} did not exit within ${graceMs / 1000} s of SIGTERM: SIGKILL`);
    child.kill("SIGKILL");
    await exited;
  }
  return clean;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof DemoError ? `demo: ${error.message}` : error);
    process.exit(1);
  },
);
