import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { STREAMS, subjects, type CheckpointEvent } from "@mms/contracts";
import { control, requestStatus, ScriptedExchange, startNatsServer, symbolConfig, waitFor, type StartedNatsServer } from "@mms/test-support";
import { readAuditEvents } from "../support/audit-events";
import { serviceConfig, startTestService } from "../support/service-harness";

const SYMBOL = "BTCUSDT-PERP";
const encoder = new TextEncoder();
let nats: StartedNatsServer;
let client: NatsConnection;
let exchange: ScriptedExchange;

beforeAll(async () => {
  nats = await startNatsServer();
  client = await connect({ servers: nats.url });
  exchange = await ScriptedExchange.start(client, [SYMBOL]);
  // The MMS creates it when missing; the checkpoints of an "earlier run" are stored first here.
  await (await jetstreamManager(client)).streams.add({ name: STREAMS.events.name, subjects: [...STREAMS.events.subjects] });
});

afterAll(async () => {
  try {
    await exchange?.stop();
    await client?.close();
  } finally {
    await nats?.stop();
  }
});

let serviceConfigOnce: ReturnType<typeof serviceConfig> | undefined;
// One config for the file: its account is the one the reports are published for.
const config = () => (serviceConfigOnce ??= serviceConfig(nats.url, [symbolConfig(SYMBOL)]));
const account = () => config().account;

/** `count` maker buys of 0.001 at 50000, one report each, straight into EXEC. */
async function publishFills(count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    await exchange.report({ kind: "FILL", account: account(), symbol: SYMBOL, clientOrderId: "MM-old-O1", orderId: "X-1", side: "BUY", fillId: `F-${Date.now()}-${index}`, px: "50000", qty: "0.001", leavesQty: "1", fee: "0", liquidity: "MAKER" });
  }
}

/** A checkpoint as another run would have written it. */
async function storeCheckpoint(figures: Pick<CheckpointEvent, "position" | "avgEntryPx" | "realizedPnl" | "fees" | "execSeq">): Promise<void> {
  const event = { type: "checkpoint", symbol: SYMBOL, instance: "mms-earlier", seq: Date.now(), ts: Date.now(), mode: "live", account: account(), ...figures };
  await jetstream(client).publish(subjects.event(SYMBOL, "checkpoint"), encoder.encode(JSON.stringify(event)));
}

async function execLastSequence(): Promise<number> {
  return (await (await jetstreamManager(client)).streams.info(STREAMS.executionReports.name)).state.last_seq;
}

async function runUntilRecovered<T>(during: (instance: string) => Promise<T>): Promise<T> {
  const { service } = await startTestService(config());
  try {
    await waitFor(() => service.isReady().ready || service.isReady().reasons.every((reason) => !reason.startsWith("RECOVERING")), { timeoutMs: 20_000, description: "recovered" });
    return await during(service.instance);
  } finally {
    await service.stop();
  }
}

const statusOf = async () => (await requestStatus(client)).symbols.find((entry) => entry.symbol === SYMBOL)!;

test("a restart restores the checkpoint and replays only the reports after it; SIGTERM writes one", async () => {
  await publishFills(4);
  const checkpointed = await execLastSequence();
  // The checkpoint says 1.000 long: replaying all history would give 0.007, only what follows 1.003.
  await storeCheckpoint({ position: "1", avgEntryPx: "50000", realizedPnl: "0", fees: "0", execSeq: checkpointed });
  await publishFills(3);

  const instance = await runUntilRecovered(async (name) => {
    expect(await statusOf()).toMatchObject({ position: "1.003", avgEntryPx: "50000", state: "PAUSED" });
    return name;
  });
  const written = (await readAuditEvents(client, SYMBOL, instance)).filter((event): event is CheckpointEvent => event.type === "checkpoint");
  // One at catch-up, one at the stop (the service's SIGTERM path), both at the last report.
  expect(written.length).toBeGreaterThanOrEqual(2);
  expect(written.at(-1)).toMatchObject({ position: "1.003", execSeq: await execLastSequence() });
});

test("EXEC purged past the checkpoint: HALTED INVENTORY_UNVERIFIED, and only a reset with the reported position is accepted", async () => {
  const before = await execLastSequence();
  await storeCheckpoint({ position: "0.5", avgEntryPx: "50000", realizedPnl: "0", fees: "0", execSeq: before });
  await publishFills(3);
  // Keep only the last report: the two after the checkpoint before it are gone.
  await (await jetstreamManager(client)).streams.purge(STREAMS.executionReports.name, { keep: 1 });

  await runUntilRecovered(async () => {
    await waitFor(async () => (await statusOf()).state === "HALTED", { timeoutMs: 10_000, description: "halted" });
    const status = await statusOf();
    expect(status).toMatchObject({ state: "HALTED", reason: "INVENTORY_UNVERIFIED", position: "0.501" });
    const body = { operator: "alice", reason: "checked the exchange ledger" };
    expect((await control(client, `mms.control.${SYMBOL}.reset`, body)).results).toEqual([expect.objectContaining({ accepted: false, reason: "POSITION_MISMATCH" })]);
    expect((await control(client, `mms.control.${SYMBOL}.reset`, { ...body, position: "0.503" })).results).toEqual([expect.objectContaining({ accepted: false, reason: "POSITION_MISMATCH" })]);
    expect((await control(client, `mms.control.${SYMBOL}.reset`, { ...body, position: "0.5010" })).results).toEqual([expect.objectContaining({ accepted: true, to: "PAUSED" })]);
  });
});

test("status during the start-up replay shows null inventory figures, never 0", async () => {
  // A long history slows the replay enough to ask while it runs.
  const publishes: Promise<void>[] = [];
  for (let index = 0; index < 4000; index++) {
    publishes.push(exchange.report({ kind: "FILL", account: account(), symbol: SYMBOL, clientOrderId: "MM-old-O1", orderId: "X-1", side: "BUY", fillId: `F-slow-${index}`, px: "50000", qty: "0.001", leavesQty: "1", fee: "0", liquidity: "MAKER" }));
  }
  await Promise.all(publishes);
  const { service } = await startTestService(config());
  const duringRecovery: Array<{ position: string | null; realizedPnl: string | null; unrealizedPnl: string | null; fees: string | null }> = [];
  try {
    while (!service.isReady().ready) {
      const recovering = service.isReady().reasons.some((reason) => reason.startsWith("RECOVERING"));
      const status = await statusOf().catch(() => undefined);
      if (status && recovering && service.isReady().reasons.some((reason) => reason.startsWith("RECOVERING"))) duringRecovery.push(status);
    }
    expect(duringRecovery.length).toBeGreaterThan(0);
    for (const status of duringRecovery) expect(status).toMatchObject({ position: null, realizedPnl: null, unrealizedPnl: null, fees: null });
    expect((await statusOf()).position).not.toBeNull();
  } finally {
    await service.stop();
  }
});
