import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nkeys } from "@nats-io/transport-node";
import type { Authenticator, Subscription } from "@nats-io/transport-node";
import { buildConnectionOptions, connectNats, toConnectionStatusEvent } from "../src/connection";

const directory = mkdtempSync(join(tmpdir(), "nats-adapter-options-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

test("plain servers: infinite jittered reconnect, no TLS, no authenticator", () => {
  const options = buildConnectionOptions({ servers: ["nats://127.0.0.1:4333"], name: "mms-0" });
  expect(options).toMatchObject({ servers: ["nats://127.0.0.1:4333"], name: "mms-0", reconnect: true, maxReconnectAttempts: -1, reconnectJitter: 500 });
  expect(options.tls).toBeUndefined();
  expect(options.authenticator).toBeUndefined();
});

test("user/password and token pass straight through", () => {
  expect(buildConnectionOptions({ servers: ["nats://h:1"], user: "u", password: "p" })).toMatchObject({ user: "u", pass: "p" });
  expect(buildConnectionOptions({ servers: ["nats://h:1"], token: "t" })).toMatchObject({ token: "t" });
});

test("an nkey seed file signs the server nonce", () => {
  const user = nkeys.createUser();
  const seedFile = join(directory, "user.nk");
  writeFileSync(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`);
  const [authenticator] = buildConnectionOptions({ servers: ["nats://h:1"], nkeySeedFile: seedFile }).authenticator as Authenticator[];
  const auth = authenticator?.("nonce") as { nkey: string; sig: string };
  expect(auth.nkey).toBe(user.getPublicKey());
  expect(auth.sig.length).toBeGreaterThan(0);
});

test("a missing secret file fails at start, not at the first reconnect", () => {
  expect(() => buildConnectionOptions({ servers: ["nats://h:1"], credsFile: join(directory, "missing.creds") })).toThrow(/creds file/);
});

test("TLS files, and tls:// URLs, require TLS", () => {
  expect(buildConnectionOptions({ servers: ["nats://h:1"], tls: { caFile: "/ca.pem", certFile: "/c.pem", keyFile: "/k.pem" } }).tls).toEqual({ caFile: "/ca.pem", certFile: "/c.pem", keyFile: "/k.pem" });
  expect(buildConnectionOptions({ servers: ["tls://h:1"] }).tls).toEqual({});
});

test("mixed websocket and nats URLs are refused", async () => {
  await expect(connectNats({ servers: ["ws://h:1", "nats://h:2"] })).rejects.toThrow(/mix/);
});

test("nats.js statuses map to our events", () => {
  const subscription = { getSubject: () => "md.BTCUSDT-PERP.*" } as unknown as Subscription;
  expect(toConnectionStatusEvent({ type: "disconnect", server: "s" })).toEqual({ kind: "DISCONNECTED", server: "s" });
  expect(toConnectionStatusEvent({ type: "reconnect", server: "s" })).toEqual({ kind: "RECONNECTED", server: "s" });
  expect(toConnectionStatusEvent({ type: "slowConsumer", sub: subscription, pending: 9 })).toEqual({ kind: "SLOW_CONSUMER", subject: "md.BTCUSDT-PERP.*", pending: 9 });
  expect(toConnectionStatusEvent({ type: "close" })).toEqual({ kind: "CLOSED" });
  expect(toConnectionStatusEvent({ type: "reconnecting" })).toBeUndefined();
});
