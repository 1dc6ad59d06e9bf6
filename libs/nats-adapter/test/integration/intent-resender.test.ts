import { STREAMS, type CancelAllIntent } from "@mms/contracts";
import { connectNats } from "../../src/connection";
import { ensureStream } from "../../src/streams";
import { publishIntent } from "../../src/intent-publisher";
import { publishIntentUntilAcked } from "../../src/intent-resender";
import { StreamPublisher } from "../../src/stream-publisher";
import { useJetStreamSuite } from "./jetstream-suite";

jest.setTimeout(60_000);

const suite = useJetStreamSuite();

function cancelAll(intentId: string): CancelAllIntent {
  return { kind: "CANCEL_ALL", intentId, account: "SYSTEM_MARKET_MAKER", symbol: "BTCUSDT-PERP", reason: "MANUAL_KILL", ts: 1764000000000 };
}

async function storedWithId(intentId: string): Promise<number> {
  const info = await suite.streamManager.streams.info(STREAMS.orders.name);
  let count = 0;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq += 1) {
    const message = await suite.streamManager.streams.getMessage(STREAMS.orders.name, { seq }).catch(() => null);
    if (message?.header.get("Nats-Msg-Id") === intentId) count += 1;
  }
  return count;
}

test("a CANCEL_ALL sent while the ORDERS stream is away is sent again until the stream, once back, acknowledges it", async () => {
  const failures: string[] = [];
  const sent = publishIntentUntilAcked(suite.publisher, cancelAll("resend-1"), {
    timeoutMs: 500,
    initialBackoffMs: 50,
    maxBackoffMs: 200,
    stopped: () => suite.connection.isClosed(),
    onFailedAttempt: (failure) => failures.push(failure.reason),
  });
  // Slack: the stream comes back only after at least one attempt failed (NO_STREAM is answered at once).
  while (failures.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  await ensureStream(suite.streamManager, STREAMS.orders);
  const result = await sent;
  expect(result).toMatchObject({ kind: "ACKED", stream: STREAMS.orders.name, duplicate: false });
  expect(failures.length).toBeGreaterThanOrEqual(1);
  expect(failures.every((reason) => reason === "NO_STREAM" || reason === "TIMEOUT")).toBe(true);
  expect(await storedWithId("resend-1")).toBe(1);
});

test("a CANCEL_ALL stored whose ack was lost is stored once: the resend is acknowledged as a duplicate", async () => {
  await ensureStream(suite.streamManager, STREAMS.orders);
  const first = await publishIntent(suite.publisher, cancelAll("resend-2"), { timeoutMs: 2000 });
  expect(first.kind).toBe("ACKED");
  // What the resender does when that first ack did not reach it: the same intent, the same Nats-Msg-Id.
  const again = await publishIntentUntilAcked(suite.publisher, cancelAll("resend-2"), { timeoutMs: 2000, stopped: () => false });
  expect(again).toMatchObject({ kind: "ACKED", duplicate: true });
  expect(await storedWithId("resend-2")).toBe(1);
});

test("nothing is sent again once stopped, nor an intent the contract refuses", async () => {
  const other = await connectNats({ servers: [suite.server.url] });
  const otherPublisher = new StreamPublisher(other);
  await other.close();
  let attempts = 0;
  const stopped = await publishIntentUntilAcked(otherPublisher, cancelAll("resend-3"), { timeoutMs: 200, stopped: () => other.isClosed(), onFailedAttempt: () => (attempts += 1) });
  expect(stopped.kind).toBe("FAILED");
  expect(attempts).toBe(1);

  attempts = 0;
  const refused = await publishIntentUntilAcked(suite.publisher, { ...cancelAll("resend-4"), account: "" }, { timeoutMs: 200, stopped: () => false, onFailedAttempt: () => (attempts += 1) });
  expect(refused).toMatchObject({ kind: "FAILED", reason: "ERROR" });
  expect(attempts).toBe(1);
});
