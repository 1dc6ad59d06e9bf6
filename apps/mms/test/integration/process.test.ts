import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { startNatsServer, waitFor, type StartedNatsServer, isCancelAll, isNew, requestStatus, MmsProcess, resumeWhenStarted, waitForRun, ScriptedExchange, symbolConfig, writeConfigFile } from "@mms/test-support";
import type { ServiceConfigInput } from "@mms/contracts";
import { sleep } from "../support/mms-fixture";

// The service as a process: a crash and a restart, a clean stop on SIGTERM (bounded in total,
// whatever NATS does, and no new order once a stop began), and a config that never gets as
// far as the bus.

const SYMBOL = "BTCUSDT-PERP";
/** Process exit and the test's own timer: what the bound on a whole shutdown may be late by. */
const SHUTDOWN_SLACK_MS = 1000;

let nats: StartedNatsServer;
let client: NatsConnection;
let exchange: ScriptedExchange | undefined;
let stopHeartbeat: (() => void) | undefined;
const processes: MmsProcess[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  client = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
});

afterAll(async () => {
  try {
    await client?.close();
  } finally {
    await nats?.stop();
  }
});

afterEach(async () => {
  stopHeartbeat?.();
  stopHeartbeat = undefined;
  for (const child of processes.splice(0)) await child.stop();
  await exchange?.stop();
  exchange = undefined;
});

function configFor(overrides: Partial<ServiceConfigInput> = {}): { path: string; config: ServiceConfigInput } {
  const suffix = Math.random().toString(36).slice(2, 8).toUpperCase();
  const config: ServiceConfigInput = {
    account: `MM_PROC_${suffix}`,
    instanceName: `mms-proc-${suffix.toLowerCase()}`,
    // Long enough that a restart can only quote at once by taking its own lease back.
    leaseMs: 30_000,
    nats: { servers: [nats.url] },
    http: { port: 0, host: "127.0.0.1" },
    logging: { level: "warn" },
    shutdownTimeoutMs: 3000,
    risk: { maxTotalExposure: "250000", maxDrawdown: "5000", rejectStorm: { count: 5, windowMs: 10000 }, maxLagMs: 2000 },
    symbols: [symbolConfig(SYMBOL)],
    ...overrides,
  };
  return { path: writeConfigFile(config), config };
}

async function startExchange(): Promise<ScriptedExchange> {
  exchange = await ScriptedExchange.start(client, [SYMBOL]);
  exchange.publishSnapshot(SYMBOL, [["50000.0", "1"]], [["50010.0", "1"]]);
  stopHeartbeat = exchange.heartbeat(SYMBOL);
  return exchange;
}

/** A running process quoting both sides of SYMBOL on a moving-capable book. */
async function quoting(): Promise<{ child: MmsProcess; config: ServiceConfigInput; exchange: ScriptedExchange }> {
  const market = await startExchange();
  const { path, config } = configFor({ symbols: [symbolConfig(SYMBOL, { requoteToleranceTicks: 1 })] });
  const child = launch(path);
  await waitForRun(client, config.instanceName!);
  await resumeWhenStarted(client, SYMBOL);
  await waitFor(() => market.openOrders(SYMBOL).length === 2, { timeoutMs: 10_000, description: "both quotes resting" });
  return { child, config, exchange: market };
}

function launch(path: string): MmsProcess {
  const child = MmsProcess.start(path);
  processes.push(child);
  return child;
}

test("SIGKILL mid-session, then a restart: the same position, leftovers cancelled (CANCEL_ALL STARTUP), no id repeated", async () => {
  const exchange = await startExchange();
  // maxLagMs 1000: the history the second run replays is older than that, and must not count as lag.
  const { path, config } = configFor({ risk: { maxTotalExposure: "250000", maxDrawdown: "5000", rejectStorm: { count: 5, windowMs: 10000 }, maxLagMs: 1000 } });
  const ours = () => exchange.intents.filter((intent) => intent.account === config.account);

  const first = launch(path);
  const firstRun = await waitForRun(client, config.instanceName!);
  await resumeWhenStarted(client, SYMBOL);
  await waitFor(() => exchange.openOrders(SYMBOL).length === 2, { timeoutMs: 10_000, description: "both quotes resting" });
  const bid = exchange.openOrders(SYMBOL).find((order) => order.side === "BUY")!;
  await exchange.fill(bid.clientOrderId, undefined, "0.05");
  const ask = exchange.openOrders(SYMBOL).find((order) => order.side === "SELL")!;
  await exchange.fill(ask.clientOrderId, "0.004", "-0.01");
  const lastFillAt = Date.now();
  // Settled: position 0.006, and the replacement quotes rest.
  const before = await waitFor(
    async () => {
      const status = (await requestStatus(client)).symbols[0]!;
      return status.position === "0.006" && status.openOrders.length === 2 && exchange.openOrders(SYMBOL).length === 2 ? status : undefined;
    },
    { timeoutMs: 10_000, description: "position 0.006 with two quotes resting" },
  );

  first.kill("SIGKILL");
  expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });
  const leftovers = exchange.openOrders(SYMBOL).map((order) => order.clientOrderId).sort();
  expect(leftovers).toHaveLength(2);
  const intentsOfFirstRun = ours().length;
  await sleep(Math.max(0, lastFillAt + 1100 - Date.now()));

  const relaunchedAt = Date.now();
  launch(path);
  const secondRun = await waitForRun(client, config.instanceName!, [firstRun.instance]);
  expect(secondRun.instance).not.toBe(firstRun.instance);
  const startupCancel = await waitFor(() => ours().slice(intentsOfFirstRun).find(isCancelAll), { timeoutMs: 15_000, description: "CANCEL_ALL from the second run" });
  expect(startupCancel).toMatchObject({ kind: "CANCEL_ALL", reason: "STARTUP", symbol: SYMBOL, account: config.account });
  await waitFor(() => exchange.openOrders(SYMBOL).length === 0, { timeoutMs: 10_000, description: "leftovers cancelled" });
  const after = await waitFor(
    async () => {
      const status = (await requestStatus(client)).symbols[0]!;
      return status.openOrders.length === 0 ? status : undefined;
    },
    { timeoutMs: 10_000, description: "no open order left in the second run's books" },
  );
  expect(after).toMatchObject({ state: "PAUSED", reason: "STARTUP", position: before.position, avgEntryPx: before.avgEntryPx, realizedPnl: before.realizedPnl, fees: before.fees });
  expect(after.fees).toBe("0.04");
  // Nothing was sent before the cancel: no order is re-placed from the old run's book.
  expect(ours().slice(intentsOfFirstRun).filter(isNew)).toEqual([]);

  await resumeWhenStarted(client, SYMBOL);
  // Well within leaseMs (30 s): the restarted process took its own lease back at once.
  expect(Date.now() - relaunchedAt).toBeLessThan(15_000);
  await waitFor(() => exchange.openOrders(SYMBOL).length === 2, { timeoutMs: 10_000, description: "quoting again after the restart" });
  const intents = ours();
  const intentIds = intents.map((intent) => intent.intentId);
  expect(new Set(intentIds).size).toBe(intentIds.length);
  const clientOrderIds = intents.filter(isNew).map((intent) => intent.clientOrderId);
  expect(new Set(clientOrderIds).size).toBe(clientOrderIds.length);
  expect(clientOrderIds.filter((id) => leftovers.includes(id))).toHaveLength(2);
  // The second run quotes from the rebuilt inventory: long 0.006 shifts both sides down.
  const requoted = intents.slice(intentsOfFirstRun).filter(isNew);
  expect(requoted.map((intent) => [intent.side, intent.px]).sort()).toEqual([
    ["BUY", "49979.8"],
    ["SELL", "50029.9"],
  ]);
  expect(first.errors()).toEqual([]);
  expect(processes[1]!.errors()).toEqual([]);
});

test("SIGTERM cancels every order (CANCEL_ALL acknowledged) and exits with code 0", async () => {
  const exchange = await startExchange();
  const { path, config } = configFor();
  const child = launch(path);
  await waitForRun(client, config.instanceName!);
  await resumeWhenStarted(client, SYMBOL);
  await waitFor(() => exchange.openOrders(SYMBOL).length === 2, { timeoutMs: 10_000, description: "both quotes resting" });

  child.kill("SIGTERM");
  const exit = await child.exited;
  expect({ exit, output: exit.code === 0 ? "" : child.describe() }).toEqual({ exit: { code: 0, signal: null }, output: "" });
  // In ORDERS (the stream acknowledged it) before the process was gone.
  const cancel = exchange.intents.find((intent) => intent.account === config.account && isCancelAll(intent) && intent.reason === "SHUTDOWN");
  expect(cancel).toBeDefined();
  await waitFor(() => exchange.openOrders(SYMBOL).length === 0, { timeoutMs: 10_000, description: "nothing rests" });
  expect(child.lines.filter((line) => line.message === "symbol stopped with unacknowledged intents")).toEqual([]);
  expect(child.errors()).toEqual([]);
});

test("a bad config exits non-zero, lists every error, and sends nothing", async () => {
  const exchange = await startExchange();
  const { config } = configFor();
  const bad = {
    ...config,
    leaseMs: 10,
    risk: { ...config.risk, maxDrawdown: "-5" },
    symbols: [{ ...symbolConfig(SYMBOL), tickSize: "abc", staleMs: 0, colour: "blue" }],
  };
  const path = writeConfigFile(bad);
  const child = launch(path);
  const exit = await child.exited;
  expect(exit.code).not.toBe(0);
  expect(exit.code).not.toBeNull();
  for (const field of ["/leaseMs", "/risk/maxDrawdown", "/symbols/0/tickSize", "/symbols/0/staleMs", "/symbols/0"]) expect(child.stderr).toContain(field);
  expect(child.stderr).toContain("colour");
  await sleep(300);
  expect(exchange.intents.filter((intent) => intent.account === config.account)).toEqual([]);
  expect(exchange.snapshotRequests.get(SYMBOL) ?? 0).toBe(0);
  // It never got as far as the bus: nobody answers for it.
  await expect(requestStatus(client, 500)).rejects.toThrow();
});

/** Moves the whole book up and down by a few ticks every `everyMs`: each move would requote. */
function moveMids(market: ScriptedExchange, everyMs = 20): () => void {
  let step = 0;
  const timer = setInterval(() => {
    step += 1;
    const shift = (step % 2) * 5;
    const bid = (50000 + shift).toFixed(1);
    const ask = (50010 + shift).toFixed(1);
    const oldBid = (50000 + 5 - shift).toFixed(1);
    const oldAsk = (50010 + 5 - shift).toFixed(1);
    market.publishDelta(SYMBOL, [[bid, "1"], [oldBid, "0"]], [[ask, "1"], [oldAsk, "0"]]);
  }, everyMs);
  return () => clearInterval(timer);
}

test.each([
  ["SIGTERM", (child: MmsProcess) => child.kill("SIGTERM")],
  ["mms.control.all.kill", () => client.publish("mms.control.all.kill", "")],
] as const)("no NEW is published once the MMS has taken %s, while mids keep moving", async (_name, stopAll) => {
  const { child, config, exchange: market } = await quoting();
  const stopMoving = moveMids(market);
  try {
    const before = market.intents.filter(isNew).length;
    await waitFor(() => market.intents.filter(isNew).length >= before + 4, { timeoutMs: 10_000, description: "requotes while the mids move" });
    const sentAt = Date.now();
    stopAll(child);
    await sleep(1500);
    // The stop begins when the MMS takes it, not when this test sent it: a requote stepped in
    // between (a millisecond, or more on a loaded machine) is legitimate. The MMS closes every
    // NEW gate first and stamps its first stop CANCEL_ALL after: no NEW may be stamped later.
    const ours = market.intents.filter((intent) => intent.account === config.account);
    const stopCancel = ours.find((intent) => isCancelAll(intent) && intent.ts >= sentAt);
    expect(stopCancel).toBeDefined();
    const late = ours.filter((intent) => isNew(intent) && intent.ts > stopCancel!.ts);
    expect(late).toEqual([]);
  } finally {
    stopMoving();
  }
});

// Last: it takes the server down.
test("SIGTERM with the NATS server down exits with code 0 within shutdownTimeoutMs in total", async () => {
  const { child, config } = await quoting();
  stopHeartbeat?.();
  stopHeartbeat = undefined;
  await exchange?.stop();
  exchange = undefined;
  await nats.takeDown({ abrupt: true });
  try {
    // Long enough for the clients to see the outage and the symbol to pause.
    await sleep(1500);
    const signalledAt = performance.now();
    child.kill("SIGTERM");
    const exit = await child.exited;
    const tookMs = performance.now() - signalledAt;
    expect({ exit, withinBound: tookMs <= config.shutdownTimeoutMs! + SHUTDOWN_SLACK_MS ? true : `took ${Math.round(tookMs)} ms` }).toEqual({ exit: { code: 0, signal: null }, withinBound: true });
  } finally {
    await nats.bringUp();
    // The next test's exchange needs JetStream through the test's own (reconnecting) client.
    await waitFor(async () => Boolean(await (await jetstreamManager(client)).getAccountInfo()), { timeoutMs: 20_000, description: "JetStream back" });
  }
});
