import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { startNatsServerProcess, type NatsServerProcess } from "@mms/test-support";
import { StreamPublisher } from "../../src/stream-publisher";

// A publish the user may not make never gets an ack: the server drops it and says so only
// with an asynchronous -ERR. The publisher must fail it at once, not time it out.

jest.setTimeout(60_000);

const encoder = new TextEncoder();
const body = (text: string) => encoder.encode(JSON.stringify({ text }));

let directory: string;
let server: NatsServerProcess;
let admin: NatsConnection;
let limited: NatsConnection;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "publisher-permissions-"));
  const configFile = join(directory, "nats-server.conf");
  writeFileSync(
    configFile,
    `jetstream { store_dir: "${join(directory, "js")}" }
authorization {
  users = [
    { user: admin, password: admin }
    { user: limited, password: limited, permissions: { publish: { allow: ["publisher-allowed.>", "$JS.API.>"] }, subscribe: { allow: ["_INBOX.>"] } } }
  ]
}
`,
  );
  server = await startNatsServerProcess({ configFile });
  admin = await connect({ servers: [server.url], user: "admin", pass: "admin" });
  await (await jetstreamManager(admin)).streams.add({ name: "PERMISSIONS_TEST", subjects: ["publisher-allowed.>", "publisher-denied.>"] });
  limited = await connect({ servers: [server.url], user: "limited", pass: "limited" });
});

afterAll(async () => {
  await limited?.close();
  await admin?.close();
  await server?.stop();
  rmSync(directory, { recursive: true, force: true });
});

test("a publish the user may not make fails PERMISSION_DENIED long before its timeout, and publishes it may make on the same connection are still acknowledged", async () => {
  const publisher = new StreamPublisher(limited);
  const denied = publisher.publish("publisher-denied.one", body("not allowed"), { messageId: "denied-1", timeoutMs: 30_000 });
  const allowed = publisher.publish("publisher-allowed.one", body("allowed"), { messageId: "allowed-1", timeoutMs: 30_000 });
  const outcome = await Promise.race([denied, new Promise((resolve) => setTimeout(() => resolve("still waiting after 10 s"), 10_000))]);
  expect(outcome).toMatchObject({ kind: "FAILED", reason: "PERMISSION_DENIED", message: expect.stringMatching(/permissions violation for publish to "publisher-denied\.one"/i) });
  expect(await allowed).toMatchObject({ kind: "ACKED", stream: "PERMISSIONS_TEST" });
  expect(publisher.awaitedCount).toBe(0);
  // The server stored nothing of the denied one.
  const stored = await (await jetstreamManager(admin)).streams.info("PERMISSIONS_TEST");
  expect(stored.state.messages).toBe(1);
  expect(limited.isClosed()).toBe(false);
});
