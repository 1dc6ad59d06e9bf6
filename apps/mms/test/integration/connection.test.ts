import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { startNatsServer, waitFor, type StartedNatsServer } from "@mms/test-support";
import { MmsFixture, WorkerOutput } from "../support/mms-fixture";

// The bus is the MMS's lifeline: losing it pauses every symbol, and the cancels that could
// not be sent while it was away go out as soon as it is back.

const BTC = "BTCUSDT-PERP";
const ETH = "ETHUSDT-PERP";

let nats: StartedNatsServer;
let client: NatsConnection;
const output = new WorkerOutput();
let fixture: MmsFixture | undefined;

beforeAll(async () => {
  output.install();
  nats = await startNatsServer();
  client = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
});

afterAll(async () => {
  try {
    await fixture?.stop();
    await client?.close();
  } finally {
    try {
      await nats?.stop();
    } finally {
      output.uninstall();
    }
  }
});

test("NATS restarting mid-session leaves every symbol PAUSED (NATS_DISCONNECTED) and cancels its orders once the connection is back", async () => {
  const mms = await MmsFixture.start(client, nats.url, output, {
    symbols: [{ symbol: BTC }, { symbol: ETH, config: { quoteSize: "0.100" }, bids: [["3000.0", "10"]], asks: [["3001.0", "10"]] }],
  });
  fixture = mms;
  await mms.quoting(BTC);
  await mms.quoting(ETH);
  expect(mms.service.isReady()).toEqual({ ready: true, reasons: [] });

  // The exchange falls silent with the bus (its client would otherwise buffer heartbeats and
  // deliver them late after the outage: BUS_LAG, rightly, but not what this test is about).
  for (const symbol of [BTC, ETH]) mms.stopHeartbeat(symbol);
  await nats.takeDown();
  const downAt = Date.now();
  await waitFor(() => !mms.service.isReady().ready, { timeoutMs: 10_000, description: "not ready while NATS is down" });
  expect(mms.service.isReady().reasons).toContain("NATS_DISCONNECTED");
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 2000 - (Date.now() - downAt))));
  await nats.bringUp();
  const upAt = Date.now();
  for (const symbol of [BTC, ETH]) mms.startHeartbeat(symbol);

  for (const symbol of [BTC, ETH]) {
    const cancel = await mms.waitForCancelAll(symbol, "NATS_DISCONNECTED", 20_000);
    // Sent after the connection came back: while it was down nothing could be.
    expect(cancel.ts).toBeGreaterThanOrEqual(downAt);
    // The exchange's CANCELED reports come back over the execution feed, which survives the outage.
    const status = await waitFor(
      async () => {
        const current = await mms.symbolStatus(symbol);
        return current.openOrders.length === 0 ? current : undefined;
      },
      { timeoutMs: 10_000, description: `${symbol}: cancels settled by the exchange's reports` },
    );
    expect(status).toMatchObject({ state: "PAUSED", reason: "NATS_DISCONNECTED", openOrders: [] });
    await mms.audit.waitFor("alert", (event) => event.symbol === symbol && event.reason === "NATS_DISCONNECTED", `${symbol} alert`, 10_000);
  }
  await waitFor(() => mms.exchange.openOrders(BTC).length + mms.exchange.openOrders(ETH).length === 0, { timeoutMs: 10_000, description: "nothing rests at the exchange" });
  await waitFor(() => mms.service.isReady().ready, { timeoutMs: 10_000, description: "ready again" });
  // The reason stays why the symbols stopped, whatever followed (lease renewals that failed,
  // late data); what blocks a resume is in resumeBlockers, and clears once all is fresh.
  for (const symbol of [BTC, ETH]) {
    const settled = await waitFor(
      async () => {
        const current = await mms.symbolStatus(symbol);
        return current.resumeBlockers?.length === 0 ? current : undefined;
      },
      { timeoutMs: 10_000, description: `${symbol}: nothing blocks a resume` },
    );
    expect(settled).toMatchObject({ state: "PAUSED", reason: "NATS_DISCONNECTED", resumeBlockers: [] });
  }
  // Nothing but the cancels went out after the outage, until an operator resumes.
  const afterOutage = mms.exchange.intents.filter((intent) => intent.ts >= upAt && intent.kind === "NEW");
  expect(afterOutage).toEqual([]);

  // The book is rebuilt from a fresh snapshot: resume is accepted and quoting starts again.
  const newsBefore = mms.news(BTC).length;
  await mms.resume(BTC);
  await waitFor(() => mms.news(BTC).length >= newsBefore + 2, { timeoutMs: 10_000, description: "quoting after the outage" });
  await mms.expectCleanRun();
});
