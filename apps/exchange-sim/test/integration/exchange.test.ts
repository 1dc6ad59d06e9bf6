import { randomUUID } from "node:crypto";
import { validators, type BookDelta, type ExecutionReport, type MarketStatus, type OrderIntent } from "@mms/contracts";
import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { startNatsServer, waitFor, type StartedNatsServer } from "@mms/test-support";
import { startExchangeSimulator } from "../../src/exchange";
import type { ExchangeSimulatorHandle, SimulatorLogger } from "../../src/simulator-api";

const SYMBOL = "BTCUSDT-PERP";
const ACCOUNT = "SYSTEM_MARKET_MAKER";

const warnings: string[] = [];
const quietLogger: SimulatorLogger = { info: () => undefined, warn: (message) => warnings.push(message), error: (message) => warnings.push(message) };

let server: StartedNatsServer;
let simulator: ExchangeSimulatorHandle;
let connection: NatsConnection;
let js: JetStreamClient;
const reports: ExecutionReport[] = [];

async function request<T>(subject: string, body: unknown = undefined): Promise<T> {
  const reply = await connection.request(subject, body === undefined ? "" : JSON.stringify(body), { timeout: 3000 });
  return reply.json<T>();
}

async function control(fault: string, body?: unknown): Promise<{ ok: boolean; error?: string } & Record<string, unknown>> {
  return request(`sim.control.${SYMBOL}.${fault}`, body);
}

/** Subscribes to `subject` and pushes every message, mapped, into `into`. */
function collect<T>(subject: string, into: T[], map: (message: Msg) => T): Subscription {
  return connection.subscribe(subject, {
    callback: (_error, message) => {
      into.push(map(message));
    },
  });
}

async function send(intent: OrderIntent): Promise<void> {
  await js.publish(`orders.${intent.symbol}`, JSON.stringify(intent), { msgID: intent.intentId });
}

function newOrder(side: "BUY" | "SELL", px: string, qty: string): OrderIntent & { kind: "NEW" } {
  const id = randomUUID();
  return { kind: "NEW", intentId: `i-${id}`, clientOrderId: `c-${id}`, account: ACCOUNT, symbol: SYMBOL, side, type: "LIMIT", tif: "POST_ONLY", px, qty, tag: "MM", ts: Date.now() };
}

function reportFor(clientOrderId: string, kind: ExecutionReport["kind"]): Promise<ExecutionReport> {
  return waitFor(() => reports.find((report) => report.kind === kind && "clientOrderId" in report && report.clientOrderId === clientOrderId), {
    timeoutMs: 5000,
    description: `${kind} for ${clientOrderId}`,
  });
}

beforeAll(async () => {
  server = await startNatsServer();
  simulator = await startExchangeSimulator({
    natsUrl: server.url,
    symbols: [SYMBOL],
    seed: 42,
    driver: { enabled: false },
    statusIntervalMs: 200,
    logger: quietLogger,
  });
  connection = await connect({ servers: server.url });
  js = jetstream(connection);
  connection.subscribe(`exec.${ACCOUNT}.>`, {
    callback: (_error, message) => {
      const checked = validators.executionReport(message.json());
      if (checked.ok) reports.push(checked.value);
    },
  });
  await connection.flush();
  const reply = await control("set-book", { bids: [["49990.0", "0.5"]], asks: [["50010.0", "0.5"]] });
  expect(reply.ok).toBe(true);
}, 60_000);

afterAll(async () => {
  await simulator?.stop();
  await connection?.close();
  await server?.stop();
});

describe("exchange simulator over NATS", () => {
  it("accepts a post-only order from orders.>, fills it against a taker and records both in EXEC and the ledger", async () => {
    const bid = newOrder("BUY", "50000.0", "0.010");
    await send(bid);
    const accepted = await reportFor(bid.clientOrderId, "ACCEPTED");
    expect(accepted).toEqual(expect.objectContaining({ account: ACCOUNT, symbol: SYMBOL, side: "BUY", px: "50000", qty: "0.01" }));

    const trade = await control("trade", { side: "SELL", qty: "0.004" });
    expect(trade).toEqual(expect.objectContaining({ ok: true, filledQty: "0.004", averagePx: "50000" }));
    const fill = await reportFor(bid.clientOrderId, "FILL");
    expect(fill).toEqual(expect.objectContaining({ px: "50000", qty: "0.004", leavesQty: "0.006", liquidity: "MAKER", fee: "-0.02" }));

    const ledger = await request<{ symbols: { symbol: string; position: string; fees: string }[] }>(`sim.ledger.${ACCOUNT}`);
    expect(ledger.symbols).toEqual([expect.objectContaining({ symbol: SYMBOL, position: "0.004", fees: "-0.02" })]);

    const manager = await jetstreamManager(connection);
    const stored = await manager.streams.info("EXEC");
    expect(stored.state.messages).toBeGreaterThanOrEqual(2);
    expect(new Set(reports.map((report) => report.execId)).size).toBe(reports.length);
  });

  it("rejects a crossing post-only order with POST_ONLY_WOULD_CROSS and applies a duplicate intent once", async () => {
    const crossing = newOrder("BUY", "50010.0", "0.010");
    await send(crossing);
    await expect(reportFor(crossing.clientOrderId, "REJECTED")).resolves.toEqual(expect.objectContaining({ reason: "POST_ONLY_WOULD_CROSS" }));

    const ask = newOrder("SELL", "50005.0", "0.010");
    await send(ask);
    await send(ask);
    await reportFor(ask.clientOrderId, "ACCEPTED");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reports.filter((report) => report.kind === "ACCEPTED" && report.clientOrderId === ask.clientOrderId)).toHaveLength(1);
  });

  it("drops an intent that fails validation without applying it", async () => {
    const before = simulator.stats().intentsInvalid;
    await js.publish(`orders.${SYMBOL}`, JSON.stringify({ ...newOrder("BUY", "49000", "0.010"), px: 49000 }), { msgID: randomUUID() });
    await waitFor(() => simulator.stats().intentsInvalid === before + 1, { timeoutMs: 5000, description: "invalid intent counted" });
  });

  it("answers md.<SYMBOL>.snapshot.get with the book and a seq the next delta continues", async () => {
    const snapshot = await request<unknown>(`md.${SYMBOL}.snapshot.get`);
    const checked = validators.bookSnapshot(snapshot);
    if (!checked.ok) throw new Error("snapshot failed validation");
    expect(checked.value.asks[checked.value.asks.length - 1]).toEqual(["50010", "0.5"]);

    const deltas: BookDelta[] = [];
    const subscription = collect(`md.${SYMBOL}.delta`, deltas, (message) => message.json<BookDelta>());
    await connection.flush();
    await send(newOrder("BUY", "49980.0", "0.010"));
    await waitFor(() => deltas.length > 0, { timeoutMs: 5000, description: "a delta" });
    subscription.unsubscribe();
    expect(deltas[0]?.seq).toBe(checked.value.seq + 1);
    expect(deltas[0]?.bids).toEqual([["49980", "0.01"]]);
  });

  it("publishes a status heartbeat at least once a second with the book's seq", async () => {
    const statuses: MarketStatus[] = [];
    const subscription = collect(`md.${SYMBOL}.status`, statuses, (message) => message.json<MarketStatus>());
    await waitFor(() => statuses.length >= 2, { timeoutMs: 2000, description: "two status messages" });
    subscription.unsubscribe();
    expect(validators.marketStatus(statuses[0]).ok).toBe(true);
    expect(statuses[0]).toEqual(expect.objectContaining({ symbol: SYMBOL, status: "TRADING" }));
    expect(statuses[statuses.length - 1]?.seq).toBe((await control("info")).seq);
  });

  it("cancels the account's orders with reason COUNTDOWN when the countdown lapses", async () => {
    const order = newOrder("SELL", "50008.0", "0.010");
    await send(order);
    await reportFor(order.clientOrderId, "ACCEPTED");
    await send({ kind: "COUNTDOWN", intentId: `i-${randomUUID()}`, account: ACCOUNT, symbol: SYMBOL, timeoutMs: 300, ts: Date.now() });
    const canceled = await reportFor(order.clientOrderId, "CANCELED");
    expect(canceled).toEqual(expect.objectContaining({ reason: "COUNTDOWN" }));
    const open = await request<{ orders: unknown[] }>(`sim.orders.${ACCOUNT}`);
    expect(open.orders).toEqual([]);
  });

  it("halt publishes HALTED and rejects new orders with MARKET_HALTED until resume-trading", async () => {
    const statuses: MarketStatus[] = [];
    const subscription = collect(`md.${SYMBOL}.status`, statuses, (message) => message.json<MarketStatus>());
    await connection.flush();
    expect((await control("halt")).ok).toBe(true);
    await waitFor(() => statuses.some((status) => status.status === "HALTED"), { timeoutMs: 2000, description: "HALTED status" });
    const order = newOrder("BUY", "49970.0", "0.010");
    await send(order);
    await expect(reportFor(order.clientOrderId, "REJECTED")).resolves.toEqual(expect.objectContaining({ reason: "MARKET_HALTED" }));
    expect((await control("resume-trading")).ok).toBe(true);
    subscription.unsubscribe();
  });

  it("skip-seq leaves a gap in the delta seq, stop-md silences the feed and start-md restarts it with a snapshot", async () => {
    const messages: { subject: string; seq: number }[] = [];
    const subscription = collect(`md.${SYMBOL}.>`, messages, (message) => ({ subject: message.subject, seq: message.json<{ seq: number }>().seq }));
    await connection.flush();
    const before = (await control("info")).seq as number;
    expect((await control("skip-seq")).ok).toBe(true);
    await send(newOrder("BUY", "49960.0", "0.010"));
    await waitFor(() => messages.find((message) => message.subject.endsWith(".delta")), { timeoutMs: 5000, description: "delta after skip" });
    expect(messages.find((message) => message.subject.endsWith(".delta"))?.seq).toBe(before + 2);

    expect((await control("stop-md")).ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    messages.length = 0;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(messages).toEqual([]);
    expect((await control("start-md")).ok).toBe(true);
    await waitFor(() => messages.some((message) => message.subject === `md.${SYMBOL}.snapshot`), { timeoutMs: 2000, description: "snapshot after start-md" });
    subscription.unsubscribe();
  });

  it("crossed publishes a delta whose bid reaches the best ask, and delay-md holds data back while ts shows its age", async () => {
    const deltas: BookDelta[] = [];
    const statuses: { status: MarketStatus; receivedAt: number }[] = [];
    const subscriptions = [
      collect(`md.${SYMBOL}.delta`, deltas, (message) => message.json<BookDelta>()),
      collect(`md.${SYMBOL}.status`, statuses, (message) => ({ status: message.json<MarketStatus>(), receivedAt: Date.now() })),
    ];
    await connection.flush();
    const info = await control("info");
    expect((await control("crossed")).ok).toBe(true);
    await waitFor(() => deltas.length > 0, { timeoutMs: 2000, description: "crossed delta" });
    expect(deltas[0]?.bids[0]?.[0]).toBe(info.bestAsk);

    expect((await control("delay-md", { ms: 400 })).ok).toBe(true);
    statuses.length = 0;
    await waitFor(() => statuses.length >= 2, { timeoutMs: 3000, description: "delayed statuses" });
    expect((await control("delay-md", { ms: 0 })).ok).toBe(true);
    for (const subscription of subscriptions) subscription.unsubscribe();
    const late = statuses[statuses.length - 1];
    expect(late && late.receivedAt - late.status.ts).toBeGreaterThanOrEqual(350);
    await control("publish-snapshot");
  });

  it("refuses an unknown fault with ok false and a reason", async () => {
    await expect(control("explode")).resolves.toEqual({ ok: false, error: expect.stringContaining("unknown fault") });
    expect(warnings.filter((warning) => warning.includes("not published"))).toEqual([]);
  });
});
