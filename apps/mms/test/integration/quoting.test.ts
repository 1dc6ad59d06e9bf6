import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { startNatsServer, waitFor, type StartedNatsServer } from "@mms/test-support";
import type { NewOrderIntent, StatusReply } from "@mms/contracts";
import { ScriptedExchange } from "../support/scripted-exchange";
import { serviceConfig, startTestService, symbolConfig } from "../support/service-harness";
import type { Coordinator } from "../../src/service";

const SYMBOL = "BTCUSDT-PERP";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

let nats: StartedNatsServer;
let client: NatsConnection;

beforeAll(async () => {
  nats = await startNatsServer();
  client = await connect({ servers: nats.url });
});

afterAll(async () => {
  try {
    await client?.close();
  } finally {
    await nats?.stop();
  }
});

async function control(subject: string, body: unknown): Promise<{ ok: boolean; results: Array<{ symbol: string; from: string; to: string; accepted: boolean; reason?: string }>; error?: string }> {
  const reply = await client.request(subject, encoder.encode(body === undefined ? "" : JSON.stringify(body)), { timeout: 5000 });
  return JSON.parse(decoder.decode(reply.data));
}

async function status(): Promise<StatusReply> {
  const reply = await client.request("mms.status", new Uint8Array(0), { timeout: 5000 });
  return JSON.parse(decoder.decode(reply.data)) as StatusReply;
}

const resumeBody = { operator: "alice", reason: "integration test" };
const news = (exchange: ScriptedExchange) => exchange.intents.filter((intent): intent is NewOrderIntent => intent.kind === "NEW");

describe("quoting over NATS", () => {
  let exchange: ScriptedExchange;
  let service: Coordinator;
  let stopHeartbeat: () => void;

  beforeEach(async () => {
    exchange = await ScriptedExchange.start(client, [SYMBOL]);
    exchange.publishSnapshot(SYMBOL, [["50000.0", "1"]], [["50010.0", "1"]]);
    stopHeartbeat = exchange.heartbeat(SYMBOL);
    ({ service } = await startTestService(serviceConfig(nats.url, [symbolConfig(SYMBOL)])));
    await waitFor(() => service.isReady().ready, { timeoutMs: 15_000, description: "service ready" });
    // The first status heartbeat must have reached the actor, or resume is refused (MARKET_HALTED).
    await new Promise((resolve) => setTimeout(resolve, 400));
  });

  afterEach(async () => {
    stopHeartbeat();
    await service.stop();
    await exchange.stop();
  });

  test("starts PAUSED with reason STARTUP and sends no order before resume", async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const reply = await status();
    expect(reply.instance).toContain("mms-test");
    expect(reply.symbols).toEqual([expect.objectContaining({ symbol: SYMBOL, state: "PAUSED", reason: "STARTUP", position: "0" })]);
    expect(exchange.intents.filter((intent) => intent.kind === "NEW")).toEqual([]);
  });

  test("resume quotes the contract formula and a fill shifts both quotes down", async () => {
    const reply = await control(`mms.control.${SYMBOL}.resume`, resumeBody);
    expect(reply).toEqual({ ok: true, results: [{ symbol: SYMBOL, from: "PAUSED", to: "ACTIVE", accepted: true }] });
    await exchange.waitForIntents((intents) => intents.filter((intent) => intent.kind === "NEW").length >= 2, "two quotes");
    expect(news(exchange).map((intent) => [intent.side, intent.px, intent.qty, intent.tif, intent.tag])).toEqual([
      ["BUY", "49979.9", "0.010", "POST_ONLY", "MM"],
      ["SELL", "50030.1", "0.010", "POST_ONLY", "MM"],
    ]);
    await waitFor(() => exchange.openOrders(SYMBOL).length === 2, { timeoutMs: 5000, description: "both quotes resting" });
    const bid = exchange.openOrders(SYMBOL).find((order) => order.side === "BUY")!;
    await exchange.fill(bid.clientOrderId);
    // Long 0.010 of max 1.0: shift = -5/10000 x 50005 x 0.01 = -0.250025, so the new bid is
    // 49979.9975 - 0.250025 = 49979.747475, rounded down to 49979.7.
    await exchange.waitForIntents(() => news(exchange).length >= 3, "a replacement bid");
    const replacement = news(exchange)[2]!;
    expect(replacement.side).toBe("BUY");
    expect(replacement.px).toBe("49979.7");
    await waitFor(async () => (await status()).symbols[0]?.position === "0.01", { timeoutMs: 5000, description: "position 0.01" });
  });

  test("no churn while the market moves within tolerance", async () => {
    await control(`mms.control.${SYMBOL}.resume`, resumeBody);
    await exchange.waitForIntents(() => news(exchange).length >= 2, "two quotes");
    const before = exchange.intents.length;
    // Mid moves by 0.05: both desired prices move by at most one tick.
    exchange.publishDelta(SYMBOL, [["50000.1", "1"]], []);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(exchange.intents.slice(before).filter((intent) => intent.kind === "NEW" || intent.kind === "CANCEL")).toEqual([]);
  });

  test("kill cancels everything and halts; resume is refused until reset", async () => {
    await control(`mms.control.${SYMBOL}.resume`, resumeBody);
    await exchange.waitForIntents(() => news(exchange).length >= 2, "two quotes");
    client.publish(`mms.control.all.kill`, encoder.encode("not json at all"));
    await exchange.waitForIntents((intents) => intents.some((intent) => intent.kind === "CANCEL_ALL" && intent.reason === "MANUAL_KILL"), "cancel-all from the kill");
    await waitFor(async () => (await status()).symbols[0]?.state === "HALTED", { timeoutMs: 5000, description: "HALTED" });
    expect((await status()).symbols[0]).toMatchObject({ state: "HALTED", reason: "MANUAL_KILL" });
    const refused = await control(`mms.control.${SYMBOL}.resume`, resumeBody);
    expect(refused.results[0]).toMatchObject({ accepted: false, reason: "HALTED_NEEDS_RESET" });
    const noOperator = await control(`mms.control.${SYMBOL}.reset`, {});
    expect(noOperator.results[0]).toMatchObject({ accepted: false, reason: "OPERATOR_REQUIRED" });
    const reset = await control(`mms.control.${SYMBOL}.reset`, resumeBody);
    expect(reset.results[0]).toMatchObject({ accepted: true, from: "HALTED", to: "PAUSED" });
    const resumed = await control(`mms.control.${SYMBOL}.resume`, resumeBody);
    expect(resumed.results[0]).toMatchObject({ accepted: true, to: "ACTIVE" });
  });
});
