import { RetentionPolicy, DiscardPolicy } from "@nats-io/jetstream";
import { connectNats } from "../../src/connection";
import { StreamPublisher } from "../../src/stream-publisher";
import { useJetStreamSuite } from "./jetstream-suite";

jest.setTimeout(60_000);

const suite = useJetStreamSuite();
const encoder = new TextEncoder();
const body = (text: string) => encoder.encode(JSON.stringify({ text }));

beforeAll(async () => {
  await suite.streamManager.streams.add({ name: "PUBLISHER_TEST", subjects: ["publisher-test.>"], retention: RetentionPolicy.Limits });
  await suite.streamManager.streams.add({ name: "PUBLISHER_FULL", subjects: ["publisher-full.>"], max_msgs: 1, discard: DiscardPolicy.New });
});

test("many publishes in flight at once each get the ack of their own message", async () => {
  const results = await Promise.all(Array.from({ length: 200 }, (_, index) => suite.publisher.publish(`publisher-test.${index % 7}`, body(`m-${index}`), { messageId: `many-${index}`, timeoutMs: 5000 })));
  expect(results.every((result) => result.kind === "ACKED" && result.stream === "PUBLISHER_TEST" && !result.duplicate)).toBe(true);
  for (const [index, result] of results.entries()) {
    if (result.kind !== "ACKED") continue;
    const stored = await suite.streamManager.streams.getMessage("PUBLISHER_TEST", { seq: result.seq });
    expect(stored?.header.get("Nats-Msg-Id")).toBe(`many-${index}`);
    expect(stored?.json()).toEqual({ text: `m-${index}` });
  }
  expect(suite.publisher.awaitedCount).toBe(0);
});

test("the same message id again is acknowledged as a duplicate of the stored message", async () => {
  const first = await suite.publisher.publish("publisher-test.dup", body("once"), { messageId: "dup-1", timeoutMs: 2000, headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "nats-msg-id": "ignored" } });
  const again = await suite.publisher.publish("publisher-test.dup", body("once"), { messageId: "dup-1", timeoutMs: 2000 });
  expect(first).toMatchObject({ kind: "ACKED", duplicate: false });
  expect(again).toEqual({ ...first, duplicate: true });
  const stored = await suite.streamManager.streams.getMessage("PUBLISHER_TEST", { last_by_subj: "publisher-test.dup" });
  expect(stored?.header.get("Nats-Msg-Id")).toBe("dup-1");
  expect(stored?.header.get("traceparent")).toBe("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
});

test("a message nobody acknowledges times out after its own timeout, while later ones are still acknowledged", async () => {
  // A plain subscriber takes the message, so the server does not answer "no responders"; nothing stores it.
  const silent = suite.connection.subscribe("publisher-silent.>", { callback: () => undefined });
  await suite.connection.flush();
  const startedAt = performance.now();
  const unanswered = suite.publisher.publish("publisher-silent.one", body("lost"), { messageId: "silent-1", timeoutMs: 300 });
  const answered = await suite.publisher.publish("publisher-test.after", body("kept"), { messageId: "after-1", timeoutMs: 2000 });
  expect(answered.kind).toBe("ACKED");
  expect(await unanswered).toEqual({ kind: "FAILED", reason: "TIMEOUT", message: "timeout" });
  expect(performance.now() - startedAt).toBeGreaterThanOrEqual(295);
  silent.unsubscribe();
});

test("a subject no stream captures fails at once with NO_STREAM", async () => {
  const startedAt = performance.now();
  const result = await suite.publisher.publish("publisher-nowhere.x", body("x"), { messageId: "nowhere-1", timeoutMs: 5000 });
  expect(result).toMatchObject({ kind: "FAILED", reason: "NO_STREAM" });
  expect(performance.now() - startedAt).toBeLessThan(4000);
});

test("the stream's refusal is an ERROR with its description", async () => {
  expect((await suite.publisher.publish("publisher-full.a", body("a"), { messageId: "full-1", timeoutMs: 2000 })).kind).toBe("ACKED");
  const refused = await suite.publisher.publish("publisher-full.a", body("b"), { messageId: "full-2", timeoutMs: 2000 });
  expect(refused).toMatchObject({ kind: "FAILED", reason: "ERROR", message: expect.stringMatching(/maximum messages/i) });
});

test("what is awaited when the connection closes fails at once, and a closed connection publishes nothing", async () => {
  const other = await connectNats({ servers: [suite.server.url] });
  const publisher = new StreamPublisher(other);
  const silent = other.subscribe("publisher-silent.>", { callback: () => undefined });
  await other.flush();
  const awaited = publisher.publish("publisher-silent.two", body("x"), { messageId: "closing-1", timeoutMs: 30_000 });
  await other.close();
  expect(await awaited).toEqual({ kind: "FAILED", reason: "ERROR", message: "connection closed" });
  expect(await publisher.publish("publisher-test.late", body("x"), { messageId: "closing-2", timeoutMs: 1000 })).toMatchObject({ kind: "FAILED", reason: "ERROR" });
  expect(publisher.awaitedCount).toBe(0);
  silent.unsubscribe();
});
