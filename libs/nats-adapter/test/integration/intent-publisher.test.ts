import { jetstreamManager } from "@nats-io/jetstream";
import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { STREAMS } from "@mms/contracts";
import type { NewOrderIntent } from "@mms/contracts";
import { connectNats } from "../../src/connection";
import { ensureEventsStream, ensureStream } from "../../src/streams";
import { publishIntent } from "../../src/intent-publisher";
import { StreamPublisher } from "../../src/stream-publisher";
import { startTestNatsServer } from "./nats-server";
import type { TestNatsServer } from "./nats-server";

jest.setTimeout(60_000);

let server: TestNatsServer;
let connection: NatsConnection;
let publisher: StreamPublisher;
let streamManager: JetStreamManager;

beforeAll(async () => {
  server = await startTestNatsServer();
  connection = await connectNats({ servers: [server.url], name: "intent-publisher-test" });
  publisher = new StreamPublisher(connection);
  streamManager = await jetstreamManager(connection);
});

afterAll(async () => {
  await connection?.close();
  await server?.stop();
});

function newIntent(intentId: string): NewOrderIntent {
  return {
    kind: "NEW", intentId, clientOrderId: `c-${intentId}`, account: "SYSTEM_MARKET_MAKER", symbol: "BTCUSDT-PERP",
    side: "BUY", type: "LIMIT", tif: "POST_ONLY", px: "50000.0", qty: "0.010", tag: "MM", ts: 1764000000000,
  };
}

test("a publish with no stream on orders.> fails with a result, not a throw", async () => {
  const result = await publishIntent(publisher, newIntent("no-stream-1"), { timeoutMs: 2000 });
  expect(result).toMatchObject({ kind: "FAILED", reason: "NO_STREAM" });
});

test("ensureStream creates ORDERS once and leaves an existing one alone", async () => {
  const first = await ensureStream(streamManager, { ...STREAMS.orders, maxAgeMs: 60_000 });
  expect(first.created).toBe(true);
  const second = await ensureStream(streamManager, { ...STREAMS.orders, maxAgeMs: 5_000 });
  expect(second.created).toBe(false);
  expect(second.info.config.max_age).toBe(first.info.config.max_age);
  const events = await ensureEventsStream(streamManager);
  expect(events.info.config.subjects).toEqual(["mms.events.>"]);
  expect((await ensureEventsStream(streamManager)).created).toBe(false);
});

test("an intent is acked; the same intentId again is reported duplicate", async () => {
  const intent = newIntent("intent-1");
  const first = await publishIntent(publisher, intent, { timeoutMs: 2000, headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" } });
  expect(first).toEqual({ kind: "ACKED", stream: "ORDERS", seq: expect.any(Number), duplicate: false });
  const again = await publishIntent(publisher, intent, { timeoutMs: 2000 });
  expect(again).toEqual({ kind: "ACKED", stream: "ORDERS", seq: first.kind === "ACKED" ? first.seq : -1, duplicate: true });

  const stored = await streamManager.streams.getMessage("ORDERS", { last_by_subj: "orders.BTCUSDT-PERP" });
  expect(stored?.header.get("Nats-Msg-Id")).toBe("intent-1");
  expect(stored?.header.get("traceparent")).toBe("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  expect(stored?.json()).toEqual(intent);
});

test("an intent that breaks the contract is refused before it reaches the bus", async () => {
  const result = await publishIntent(publisher, { ...newIntent("bad-1"), px: "-1" }, { timeoutMs: 2000 });
  expect(result).toMatchObject({ kind: "FAILED", reason: "ERROR" });
});

test("a closed connection is a failed result", async () => {
  const other = await connectNats({ servers: [server.url] });
  const otherPublisher = new StreamPublisher(other);
  await other.close();
  const result = await publishIntent(otherPublisher, newIntent("closed-1"), { timeoutMs: 500 });
  expect(result.kind).toBe("FAILED");
});
