import { jetstream } from "@nats-io/jetstream";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { waitFor } from "@mms/test-support";
import { connectNats } from "../../src/connection";
import { LeaseManager, openOwnersBucket } from "../../src/ownership-lease";
import type { LeaseEvent } from "../../src/ownership-lease";
import { startTestNatsServer } from "./nats-server";
import type { TestNatsServer } from "./nats-server";

jest.setTimeout(60_000);

const LEASE_MS = 1500;
/** The managers' default renewal (and acquisition retry) period: a third of the lease. */
const RENEW_INTERVAL_MS = LEASE_MS / 3;
/** `created` is the server's stamp, `Date.now()` the test's: the same host, only timer and stamp granularity apart. */
const CLOCK_SLACK_MS = 50;
/** What a loaded 2-core machine running the whole suite may add to a KV round trip and a timer. */
const LOADED_MACHINE_SLACK_MS = 1000;

let server: TestNatsServer;
let connection: NatsConnection;
let jetStream: JetStreamClient;
let kv: KV;
const managers: LeaseManager[] = [];

beforeAll(async () => {
  server = await startTestNatsServer();
  connection = await connectNats({ servers: [server.url] });
  jetStream = jetstream(connection);
  const bucket = await openOwnersBucket(jetStream, LEASE_MS);
  expect(bucket).toMatchObject({ created: true, leaseWindowMs: LEASE_MS });
  kv = bucket.kv;
});

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.stop({ release: false })));
});

afterAll(async () => {
  await connection?.close();
  await server?.stop();
});

interface Started {
  manager: LeaseManager;
  events: (LeaseEvent & { at: number })[];
}

async function startManager(instanceName: string, symbols: string[]): Promise<Started> {
  const events: Started["events"] = [];
  const manager = await LeaseManager.open(jetStream, { symbols, instanceName, leaseMs: LEASE_MS, onEvent: (event) => events.push({ ...event, at: Date.now() }) });
  managers.push(manager);
  await manager.start();
  return { manager, events };
}

function kinds(events: Started["events"], symbol: string): string[] {
  return events.filter((event) => event.symbol === symbol).map((event) => (event.kind === "ACQUIRED" ? event.kind : `${event.kind}:${event.owner ?? ""}`));
}

test("an existing bucket is opened as it is", async () => {
  const again = await openOwnersBucket(jetStream, 9999);
  expect(again).toMatchObject({ created: false, leaseWindowMs: LEASE_MS });
});

test("two managers on the same symbols: exactly one holds each, never both", async () => {
  const symbols = ["AAA-PERP", "BBB-PERP", "CCC-PERP"];
  const [alpha, beta] = await Promise.all([startManager("alpha", symbols), startManager("beta", symbols)]);
  for (const symbol of symbols) {
    expect(alpha.manager.isHeld(symbol) !== beta.manager.isHeld(symbol)).toBe(true);
    const loser = alpha.manager.isHeld(symbol) ? beta : alpha;
    const winnerName = alpha.manager.isHeld(symbol) ? "alpha" : "beta";
    expect(kinds(loser.events, symbol)).toEqual([`OWNED_ELSEWHERE:${winnerName}`]);
    expect((await kv.get(symbol))?.string()).toBe(winnerName);
  }
  // Several renewals later the split is unchanged and never overlapped.
  const until = Date.now() + 2 * LEASE_MS;
  while (Date.now() < until) {
    for (const symbol of symbols) expect(alpha.manager.isHeld(symbol) && beta.manager.isHeld(symbol)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const symbol of symbols) expect(alpha.manager.isHeld(symbol) !== beta.manager.isHeld(symbol)).toBe(true);
  expect([...alpha.events, ...beta.events].filter((event) => event.kind === "LOST")).toEqual([]);
});

test("when the holder stops renewing, the other takes over after the lease lapses", async () => {
  const symbol = "LAPSE-PERP";
  const alpha = await startManager("alpha", [symbol]);
  const beta = await startManager("beta", [symbol]);
  expect(alpha.manager.isHeld(symbol)).toBe(true);
  expect(kinds(beta.events, symbol)).toEqual(["OWNED_ELSEWHERE:alpha"]);

  const lastRenewal = (await kv.get(symbol))?.created.getTime() ?? 0;
  await alpha.manager.stop({ release: false }); // a crash: the key stays until it lapses
  await waitFor(() => beta.manager.isHeld(symbol), { timeoutMs: 4 * LEASE_MS, intervalMs: 10, description: "beta takes over" });
  const tookOverAfter = Date.now() - lastRenewal;
  console.log(`taken over ${tookOverAfter} ms after the holder's last renewal (lease ${LEASE_MS} ms)`);
  // Never before the lease lapsed; then at most the lapse, the stand-by's next retry round
  // (one renewal period) and one more for the expiry to show in its read, plus load.
  expect(tookOverAfter).toBeGreaterThanOrEqual(LEASE_MS - CLOCK_SLACK_MS);
  expect(tookOverAfter).toBeLessThan(LEASE_MS + 2 * RENEW_INTERVAL_MS + LOADED_MACHINE_SLACK_MS);
  expect(kinds(beta.events, symbol)).toEqual(["OWNED_ELSEWHERE:alpha", "ACQUIRED"]);
});

test("a restarted holder with the same instance name takes its lease back at once", async () => {
  const symbol = "RESTART-PERP";
  const alpha = await startManager("alpha", [symbol]);
  const beta = await startManager("beta", [symbol]);
  expect(alpha.manager.isHeld(symbol)).toBe(true);
  await alpha.manager.stop({ release: false });

  const restartedAt = Date.now();
  const alphaAgain = await startManager("alpha", [symbol]);
  expect(alphaAgain.manager.isHeld(symbol)).toBe(true);
  expect(Date.now() - restartedAt).toBeLessThan(LEASE_MS / 2);
  // The stand-by never held it in between.
  await new Promise((resolve) => setTimeout(resolve, LEASE_MS));
  expect(beta.manager.isHeld(symbol)).toBe(false);
  expect(kinds(beta.events, symbol)).toEqual(["OWNED_ELSEWHERE:alpha"]);
});

test("a clean stop releases at once; the stand-by does not wait for the lapse", async () => {
  const symbol = "RELEASE-PERP";
  const alpha = await startManager("alpha", [symbol]);
  const beta = await startManager("beta", [symbol]);
  const releasedAt = Date.now();
  await alpha.manager.stop();
  await waitFor(() => beta.manager.isHeld(symbol), { timeoutMs: LEASE_MS, intervalMs: 10, description: "beta acquires after release" });
  // The stand-by's next retry round (one renewal period) plus a third of the lease for the
  // round trips under load: still well below the lease, so waiting for a lapse would fail.
  const releaseSlackMs = LEASE_MS / 3;
  expect(RENEW_INTERVAL_MS + releaseSlackMs).toBeLessThan(LEASE_MS);
  expect(Date.now() - releasedAt).toBeLessThan(RENEW_INTERVAL_MS + releaseSlackMs);
});

test("a holder whose key was overwritten reports LOST with the new owner", async () => {
  const symbol = "STOLEN-PERP";
  const alpha = await startManager("alpha", [symbol]);
  await kv.put(symbol, "intruder");
  await waitFor(() => alpha.events.some((event) => event.kind === "LOST"), { timeoutMs: LEASE_MS, intervalMs: 10, description: "LOST" });
  expect(alpha.manager.isHeld(symbol)).toBe(false);
  expect(kinds(alpha.events, symbol)).toEqual(["ACQUIRED", "LOST:intruder"]);
});

test("a stalled holder stops holding once its own deadline has passed", async () => {
  const symbol = "CUTOFF-PERP";
  let now = Date.now();
  const events: LeaseEvent[] = [];
  // Manual clock and rounds: the renewal timer is never started.
  const manager = new LeaseManager(kv, { symbols: [symbol], instanceName: "alpha", leaseWindowMs: LEASE_MS, onEvent: (event) => events.push(event), clock: () => now });
  managers.push(manager);
  await manager.runOnce();
  expect(manager.isHeld(symbol)).toBe(true);
  now += LEASE_MS / 3;
  await manager.runOnce();
  expect(manager.isHeld(symbol)).toBe(true);
  now += LEASE_MS; // a stalled process wakes up past its deadline
  expect(manager.isHeld(symbol)).toBe(false);
  await manager.runOnce();
  expect(events.map((event) => event.kind)).toEqual(["ACQUIRED", "LOST"]);
});
