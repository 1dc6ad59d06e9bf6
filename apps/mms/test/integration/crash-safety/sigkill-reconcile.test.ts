import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import Big from "big.js";
import type { ServiceConfigInput } from "@mms/contracts";
import { startExchangeSimulator, type ExchangeSimulatorHandle, type LedgerReply } from "@mms/exchange-sim";
import { startNatsServer, waitFor, requestStatus, resumeWhenStarted, waitForRun, MmsProcess, symbolConfig, type StartedNatsServer } from "@mms/test-support";
import { childConfig, OrdersTap, simOrders } from "../../support/crash-safety";
import { seededRandom } from "../../support/hostile-input";

// SIGKILL at seeded random moments while takers fill the MMS's quotes and it requotes, then
// a restart that must reconcile with what the exchange holds: no order left resting that the
// MMS does not know, no clientOrderId or intentId used twice across the runs, and the
// position rebuilt from EXEC equal to the simulator's ledger.
//
// Reproduce or explore: FUZZ_SEED=<seed> npx jest apps/mms/test/integration/crash-safety/sigkill-reconcile.test.ts --selectProjects integration

const DEFAULT_SEED = 1412;
const SEED = process.env.FUZZ_SEED !== undefined && process.env.FUZZ_SEED !== "" ? Number(process.env.FUZZ_SEED) : DEFAULT_SEED;
if (!Number.isSafeInteger(SEED)) throw new Error(`FUZZ_SEED must be an integer, not ${process.env.FUZZ_SEED}`);
// Two kills and the restart after each: three process starts, which dominate the run time on a loaded machine (< 90 s).
const KILLS = 2;
/** Each kill comes this long after the run's first NEW: mid-quote, mid-fill, mid-requote. */
const KILL_AFTER_MS = { min: 200, max: 2500 };

const SYMBOL = "BTCUSDT-PERP";

let nats: StartedNatsServer;
let client: NatsConnection;
let simulator: ExchangeSimulatorHandle;
let orders: OrdersTap;
let mms: MmsProcess | undefined;
let configPath: string;
let serviceConfig: ServiceConfigInput;

beforeAll(async () => {
  nats = await startNatsServer();
  try {
    client = await connect({ servers: nats.url, name: "crash-safety sigkill" });
    // Takers often: fills are in flight at every kill.
    simulator = await startExchangeSimulator({ natsUrl: nats.url, symbols: [{ symbol: SYMBOL, tickSize: "0.1", lotSize: "0.001" }], seed: SEED, driver: { intervalMs: 50, settings: { takerProbability: 0.5 } } });
    orders = await OrdersTap.open(client);
    const written = childConfig(nats.url, [
      symbolConfig(SYMBOL, { maxOrdersPerSecond: 20, maxPosition: "0.2", mmp: { windowMs: 1000, maxFills: 1000, maxFillQty: "1000", maxNetQty: "1000", frozenMs: 1000 } }),
    ]);
    configPath = written.path;
    serviceConfig = written.config;
  } catch (error) {
    await nats.stop();
    throw error;
  }
});

afterAll(async () => {
  try {
    await mms?.stop();
    await orders?.close();
    await simulator?.stop();
    await client?.close();
  } finally {
    await nats?.stop();
  }
});

const account = () => serviceConfig.account!;
const ofAccount = () => orders.of((intent) => intent.account === account() && intent.symbol === SYMBOL);

async function exchangeLedger(): Promise<{ position: string; fillCount: number }> {
  const reply = await client.request(`sim.ledger.${account()}`, new Uint8Array(0), { timeout: 3000 });
  const entry = (JSON.parse(new TextDecoder().decode(reply.data)) as LedgerReply).symbols.find((symbol) => symbol.symbol === SYMBOL);
  return entry ? { position: new Big(entry.position).toFixed(), fillCount: entry.fillCount } : { position: "0", fillCount: 0 };
}

async function startRun(previous: string[]): Promise<string> {
  mms = MmsProcess.start(configPath);
  const status = await waitForRun(client, serviceConfig.instanceName!, previous);
  return status.instance;
}

test(`SIGKILL ${KILLS} times at seeded moments (seed ${SEED}) with fills and requotes in flight: the restarted MMS knows every resting order, never reuses an id, and its position equals the exchange's ledger`, async () => {
  // mulberry32: the kill moments follow from the seed alone.
  const random = seededRandom(SEED);
  const runs: string[] = [];
  const kills: string[] = [];
  for (let kill = 0; kill < KILLS; kill += 1) {
    runs.push(await startRun(runs));
    await resumeWhenStarted(client, SYMBOL);
    const runId = runs.at(-1)!.slice(serviceConfig.instanceName!.length + 1);
    await waitFor(() => ofAccount().some((entry) => entry.intent.kind === "NEW" && entry.intent.clientOrderId.includes(runId)), { timeoutMs: 15_000, description: `run ${kill + 1} quoting` });
    const delay = Math.round(KILL_AFTER_MS.min + random() * (KILL_AFTER_MS.max - KILL_AFTER_MS.min));
    await new Promise((resolve) => setTimeout(resolve, delay));
    mms!.kill("SIGKILL");
    expect(await mms!.exited).toEqual({ code: null, signal: "SIGKILL" });
    kills.push(`${delay} ms after quoting: ${(await simOrders(client, account(), SYMBOL)).length} orders left resting`);
  }
  console.log(`sigkill-reconcile seed ${SEED}: ${kills.join("; ")}`);

  // The last start: it rebuilds from EXEC and cancels what earlier runs left (STARTUP).
  runs.push(await startRun(runs));
  await waitFor(async () => typeof (await requestStatus(client)).symbols.find((symbol) => symbol.symbol === SYMBOL)?.position === "string", { timeoutMs: 20_000, description: "inventory rebuilt from EXEC" });
  // Takers stop; nothing the dead runs left may stay resting once the start-up cancel is through.
  await client.request(`sim.control.${SYMBOL}.pause-driver`, new Uint8Array(0), { timeout: 3000 });
  await waitFor(async () => (await simOrders(client, account(), SYMBOL)).length === 0, { timeoutMs: 15_000, description: "no order of a dead run left resting (leftovers cancelled at start-up)" });

  // Quoting again, then a still market: what rests at the exchange is exactly what the MMS tracks.
  await resumeWhenStarted(client, SYMBOL);
  let last: { exchange: string[]; mms: string[] } = { exchange: [], mms: [] };
  await waitFor(
    async () => {
      const [resting, status] = await Promise.all([simOrders(client, account(), SYMBOL), requestStatus(client)]);
      const tracked = status.symbols.find((symbol) => symbol.symbol === SYMBOL)?.openOrders ?? [];
      last = { exchange: resting.map((order) => order.clientOrderId).sort(), mms: tracked.map((order) => order.clientOrderId).sort() };
      return resting.length === 2 && JSON.stringify(last.exchange) === JSON.stringify(last.mms);
    },
    { timeoutMs: 15_000, description: "the orders resting at the exchange are the ones the MMS tracks" },
  ).catch(() => undefined);
  // Shown side by side when they differ: an orphan is in `exchange` only.
  expect(last.exchange).toEqual(last.mms);
  expect(last.exchange).toHaveLength(2);
  const runId = runs.at(-1)!.slice(serviceConfig.instanceName!.length + 1);
  expect(last.exchange.every((clientOrderId) => clientOrderId.includes(runId))).toBe(true);

  // No id twice, across all the runs.
  const intents = ofAccount().map((entry) => entry.intent);
  const intentIds = intents.map((intent) => intent.intentId);
  expect(intentIds.length - new Set(intentIds).size).toBe(0);
  const clientOrderIds = intents.flatMap((intent) => (intent.kind === "NEW" ? [intent.clientOrderId] : []));
  expect(clientOrderIds.length - new Set(clientOrderIds).size).toBe(0);
  expect(new Set(clientOrderIds.map((clientOrderId) => runs.find((run) => clientOrderId.includes(run.slice(serviceConfig.instanceName!.length + 1))))).size).toBe(runs.length);

  // The position: the exchange's ledger is final; the MMS's follows through EXEC.
  let positions = { mms: null as string | null, exchange: "" };
  await waitFor(
    async () => {
      const status = (await requestStatus(client)).symbols.find((symbol) => symbol.symbol === SYMBOL);
      positions = { mms: typeof status?.position === "string" ? new Big(status.position).toFixed() : null, exchange: (await exchangeLedger()).position };
      return positions.mms === positions.exchange;
    },
    { timeoutMs: 10_000, description: "MMS position equals the simulator's ledger" },
  ).catch(() => undefined);
  expect(positions.mms).toBe(positions.exchange);
  // Not a trivial 0 = 0: the runs were filled.
  expect((await exchangeLedger()).fillCount).toBeGreaterThan(0);
}, 90_000);
