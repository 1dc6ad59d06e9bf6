import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import type { CountdownIntent, OrderIntent, ServiceConfigInput } from "@mms/contracts";
import { startExchangeSimulator, type ExchangeSimulatorHandle } from "@mms/exchange-sim";
import { startNatsServer, waitFor, type StartedNatsServer, RESUME_BODY, control, MmsProcess, resumeWhenStarted, waitForRun, symbolConfig } from "@mms/test-support";
import { childConfig, largestGap, OrdersTap, ReportsTap, simOrders, waitFast, type StoredIntent } from "../../support/crash-safety";

// The dead-man's switch end to end: a real MMS process against the exchange simulator. While
// alive it keeps the exchange's COUNTDOWN fresh; once killed (SIGKILL, nothing cancels on the
// way out, no restart) the exchange itself cancels everything within deadManMs.

const SYMBOL = "BTCUSDT-PERP";
const DEAD_MAN_MS = 2000;
const REFRESH_MS = DEAD_MAN_MS / 3;
/** The simulator's countdown check period (below): a lapse is noticed at most this late. */
const COUNTDOWN_CHECK_MS = 20;
/** A refresh decided on time may be stored later: the publish's round trip, on a loaded machine. Half a period keeps the gap far from a lapse. */
const STORE_SLACK_MS = REFRESH_MS / 2;
/** The ORDERS stream's stored time and the test's clock: the same host, only stamp and timer granularity apart. */
const CLOCK_SLACK_MS = 50;
/** What a loaded 2-core machine running the whole suite may add to a report's way to the test. */
const LOADED_MACHINE_SLACK_MS = 1000;

let nats: StartedNatsServer;
let client: NatsConnection;
let simulator: ExchangeSimulatorHandle;
let orders: OrdersTap;
let reports: ReportsTap;
let mms: MmsProcess | undefined;
const simulatorLog: string[] = [];
let configPath: string;
let serviceConfig: ServiceConfigInput;

beforeAll(async () => {
  nats = await startNatsServer();
  try {
    client = await connect({ servers: nats.url, name: "crash-safety dead-man" });
    const record = (level: string) => (message: string, fields?: Record<string, unknown>) => simulatorLog.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    // No background takers: the MMS's quotes stay resting, so every one of them is the countdown's to cancel.
    simulator = await startExchangeSimulator({
      natsUrl: nats.url,
      symbols: [{ symbol: SYMBOL, tickSize: "0.1", lotSize: "0.001" }],
      seed: 11,
      driver: { intervalMs: 200, settings: { takerFlow: "NONE", walkMaxTicks: 3 } },
      countdownCheckIntervalMs: COUNTDOWN_CHECK_MS,
      logger: { info: record("info"), warn: record("warn"), error: record("error") },
    });
    orders = await OrdersTap.open(client);
    const written = childConfig(nats.url, [symbolConfig(SYMBOL, { deadManMs: DEAD_MAN_MS, maxOrdersPerSecond: 20 })]);
    configPath = written.path;
    serviceConfig = written.config;
    reports = new ReportsTap(client, serviceConfig.account!);
  } catch (error) {
    await nats.stop();
    throw error;
  }
});

afterAll(async () => {
  try {
    await mms?.stop();
    reports?.close();
    await orders?.close();
    await simulator?.stop();
    await client?.close();
  } finally {
    await nats?.stop();
  }
});

const ours = (intent: OrderIntent) => intent.account === serviceConfig.account && intent.symbol === SYMBOL;
const countdowns = (from = 0): Array<StoredIntent & { intent: CountdownIntent }> =>
  orders.entries.slice(from).filter((entry): entry is StoredIntent & { intent: CountdownIntent } => ours(entry.intent) && entry.intent.kind === "COUNTDOWN");
const resting = () => simOrders(client, serviceConfig.account!, SYMBOL);

function explain(): string {
  return [`MMS:\n${mms?.describe() ?? ""}`, `simulator:\n${simulatorLog.filter((line) => !line.startsWith("info")).slice(-20).join("\n")}`].join("\n");
}

test("while orders rest the MMS refreshes COUNTDOWN at least every deadManMs/3, and switches it off (timeoutMs 0) once nothing rests after a pause", async () => {
  mms = MmsProcess.start(configPath);
  await waitForRun(client, serviceConfig.instanceName!);
  await resumeWhenStarted(client, SYMBOL);
  await waitFor(async () => (await resting()).length === 2, { timeoutMs: 15_000, description: "both quotes resting at the simulator" });

  // Watch it quote for a while: at least six refreshes after the first NEW (about 2 s).
  const firstNew = orders.entries.findIndex((entry) => ours(entry.intent) && entry.intent.kind === "NEW");
  await waitFor(() => countdowns(firstNew).length >= 6, { timeoutMs: 15_000, description: "six COUNTDOWN refreshes while quoting" });

  // The first COUNTDOWN of the run goes out before its first NEW, armed with deadManMs.
  const armed = countdowns()[0]!;
  expect(armed.streamSeq).toBeLessThan(orders.entries[firstNew]!.streamSeq);
  expect(armed.intent.timeoutMs).toBe(DEAD_MAN_MS);
  const whileQuoting = countdowns();
  expect(whileQuoting.every((entry) => entry.intent.timeoutMs === DEAD_MAN_MS)).toBe(true);
  // "At least every timeoutMs / 3": by the MMS's own clock (intent ts) ...
  const decidedGap = largestGap(whileQuoting.map((entry) => entry.intent.ts));
  // ... and, as the exchange sees them, never anywhere near letting the countdown lapse.
  const storedGap = largestGap(whileQuoting.map((entry) => entry.storedAt));
  console.log(`COUNTDOWN refresh while quoting: ${whileQuoting.length} intents, largest gap ${decidedGap} ms by intent ts, ${storedGap} ms as stored in ORDERS (deadManMs ${DEAD_MAN_MS})`);
  expect(decidedGap).toBeLessThanOrEqual(REFRESH_MS);
  expect(storedGap).toBeLessThan(REFRESH_MS + STORE_SLACK_MS);

  // Pause: CANCEL_ALL, then, once the cancels are confirmed and nothing rests, COUNTDOWN 0.
  const beforePause = orders.entries.length;
  const paused = await control(client, `mms.control.${SYMBOL}.pause`, RESUME_BODY);
  expect(paused.results?.[0]).toMatchObject({ accepted: true, to: "PAUSED" });
  await waitFor(async () => (await resting()).length === 0, { timeoutMs: 10_000, description: "nothing resting after the pause" });
  const off = await waitFor(() => countdowns(beforePause).find((entry) => entry.intent.timeoutMs === 0), { timeoutMs: 5000, description: "COUNTDOWN timeoutMs 0 after the pause" });
  const cancelAll = orders.entries.slice(beforePause).find((entry) => ours(entry.intent) && entry.intent.kind === "CANCEL_ALL");
  expect(cancelAll?.intent).toMatchObject({ kind: "CANCEL_ALL", reason: "MANUAL_PAUSE" });
  expect(off.streamSeq).toBeGreaterThan(cancelAll!.streamSeq);
  // Switched off, it stays off: no refresh while nothing rests (three refresh periods).
  const afterOff = orders.entries.length;
  await new Promise((resolve) => setTimeout(resolve, 3 * REFRESH_MS));
  expect(countdowns(afterOff)).toEqual([]);
  // Alive all along: the exchange never had to cancel anything on its own.
  expect(reports.canceled("COUNTDOWN")).toEqual([]);

  // Resumed: armed again before the first new NEW.
  const beforeResume = orders.entries.length;
  await resumeWhenStarted(client, SYMBOL);
  await waitFor(async () => (await resting()).length === 2, { timeoutMs: 10_000, description: "quoting again after the resume" });
  const rearmed = countdowns(beforeResume)[0]!;
  const nextNew = orders.entries.slice(beforeResume).find((entry) => ours(entry.intent) && entry.intent.kind === "NEW")!;
  expect(rearmed.intent.timeoutMs).toBe(DEAD_MAN_MS);
  expect(rearmed.streamSeq).toBeLessThan(nextNew.streamSeq);
  expect(mms.errors()).toEqual([]);
}, 60_000);

test("SIGKILL with live orders and no restart: the exchange's countdown cancels every MMS order within deadManMs (CANCELED reason COUNTDOWN)", async () => {
  const child = mms!;
  await waitFor(async () => (await resting()).length === 2, { timeoutMs: 10_000, description: "both quotes resting before the kill" });
  const reportsBefore = reports.entries.length;
  child.kill("SIGKILL");
  const killedAt = Date.now();
  expect(await child.exited).toEqual({ code: null, signal: "SIGKILL" });
  // What the dead process left behind: everything it had sent is in ORDERS, and rests at the exchange.
  const lastCountdown = countdowns().at(-1)!;
  expect(lastCountdown.intent.timeoutMs).toBe(DEAD_MAN_MS);
  const leftBehind = await resting();
  expect(leftBehind.length).toBeGreaterThan(0);

  await waitFast(async () => (await resting()).length === 0, DEAD_MAN_MS + 3000, "every MMS order cancelled by the exchange").catch((error: Error) => {
    throw new Error(`${error.message}\n${explain()}`);
  });
  const emptyAt = Date.now();
  // The book is empty at once; the reports follow one by one.
  const canceledSince = () => reports.entries.slice(reportsBefore).filter((entry) => entry.report.kind === "CANCELED");
  await waitFor(() => leftBehind.every((order) => canceledSince().some((entry) => entry.report.clientOrderId === order.clientOrderId)), { timeoutMs: 5000, description: "a CANCELED report for every order left behind" });
  const cancels = canceledSince();
  // Every order it left resting was cancelled by the countdown, and by nothing else.
  expect(cancels.map((entry) => entry.report.kind === "CANCELED" && entry.report.reason)).toEqual(cancels.map(() => "COUNTDOWN"));
  expect(cancels.map((entry) => entry.report.clientOrderId).sort()).toEqual(expect.arrayContaining(leftBehind.map((order) => order.clientOrderId).sort()));
  expect(cancels.every((entry) => entry.report.account === serviceConfig.account && entry.report.symbol === SYMBOL)).toBe(true);
  const latency = Math.max(...cancels.map((entry) => entry.receivedAt)) - killedAt;
  const sinceLastRefresh = Math.max(...cancels.map((entry) => entry.receivedAt)) - lastCountdown.storedAt;
  console.log(`dead-man's switch: ${cancels.length} orders cancelled (COUNTDOWN): the book empty ${emptyAt - killedAt} ms and the last CANCELED report ${latency} ms after SIGKILL, ${sinceLastRefresh} ms after the last COUNTDOWN stored (deadManMs ${DEAD_MAN_MS})`);
  // The last refresh came before the kill: the countdown lapses within deadManMs of it, is
  // noticed within one check period, and its reports reach the test (plus load).
  expect(latency).toBeLessThan(DEAD_MAN_MS + COUNTDOWN_CHECK_MS + LOADED_MACHINE_SLACK_MS);
  // The exchange waited for the countdown: it did not cancel before deadManMs had passed since the last refresh.
  expect(sinceLastRefresh).toBeGreaterThanOrEqual(DEAD_MAN_MS - CLOCK_SLACK_MS);
  // Nothing is re-armed by anyone: nothing rests a while later either.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await resting()).toEqual([]);
}, 30_000);
