import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { waitFor } from "@mms/test-support";
import { STREAMS } from "@mms/contracts";
import { connectNats, watchConnectionStatus } from "../../src/connection";
import { ensureStream } from "../../src/streams";
import { LeaseManager } from "../../src/ownership-lease";
import { publishIntent } from "../../src/intent-publisher";
import { StreamPublisher } from "../../src/stream-publisher";
import type { ConnectionStatusEvent } from "../../src/connection";
import type { LeaseEvent } from "../../src/ownership-lease";
import { startTestNatsServer } from "./nats-server";
import type { TestNatsServer } from "./nats-server";

jest.setTimeout(90_000);

const FAST_RECONNECT = { reconnectWaitMs: 100, reconnectJitterMs: 50 };

describe("across a server restart", () => {
  let server: TestNatsServer;
  let connection: NatsConnection;

  beforeAll(async () => {
    server = await startTestNatsServer();
    connection = await connectNats({ servers: [server.url], name: "connection-test" }, FAST_RECONNECT);
  });

  afterAll(async () => {
    await connection?.close();
    await server?.stop();
  });

  test("status reports DISCONNECTED then RECONNECTED, publishes in the gap time out, a cut-off holder loses its lease", async () => {
    const jetStream = jetstream(connection);
    const publisher = new StreamPublisher(connection);
    await ensureStream(await jetstreamManager(connection), { ...STREAMS.orders });
    const statuses: ConnectionStatusEvent[] = [];
    const watch = watchConnectionStatus(connection, (event) => statuses.push(event));
    const leaseEvents: LeaseEvent[] = [];
    const leases = await LeaseManager.open(jetStream, { symbols: ["OUTAGE-PERP"], instanceName: "alpha", leaseMs: 1500, onEvent: (event) => leaseEvents.push(event) });
    await leases.start();
    expect(leases.isHeld("OUTAGE-PERP")).toBe(true);

    const intent = { kind: "CANCEL_ALL", intentId: "outage-1", account: "SYSTEM_MARKET_MAKER", symbol: "OUTAGE-PERP", reason: "KILL", ts: 0 } as const;
    const restarted = server.restart({ downForMs: 2500 });
    await waitFor(() => statuses.some((event) => event.kind === "DISCONNECTED"), { description: "DISCONNECTED" });
    const duringOutage = await publishIntent(publisher, intent, { timeoutMs: 300 });
    expect(duringOutage).toMatchObject({ kind: "FAILED", reason: "TIMEOUT" });
    // The holder cannot renew; it gives the lease up before the bucket ttl could hand it to another.
    await waitFor(() => leaseEvents.some((event) => event.kind === "LOST"), { timeoutMs: 2000, description: "LOST during the outage" });
    expect(leases.isHeld("OUTAGE-PERP")).toBe(false);

    await restarted;
    await waitFor(() => statuses.some((event) => event.kind === "RECONNECTED"), { timeoutMs: 20_000, description: "RECONNECTED" });
    expect(statuses.map((event) => event.kind).filter((kind) => kind === "DISCONNECTED" || kind === "RECONNECTED").slice(0, 2)).toEqual(["DISCONNECTED", "RECONNECTED"]);
    await waitFor(async () => (await publishIntent(publisher, intent, { timeoutMs: 1000 })).kind === "ACKED", { timeoutMs: 20_000, description: "publish after reconnect" });
    // Nobody else took it meanwhile, so the same instance gets it back.
    await waitFor(() => leases.isHeld("OUTAGE-PERP"), { timeoutMs: 10_000, description: "lease back after reconnect" });
    await leases.stop();

    await connection.close();
    await waitFor(() => statuses.some((event) => event.kind === "CLOSED"), { description: "CLOSED" });
    expect(statuses.filter((event) => event.kind === "CLOSED")).toHaveLength(1);
    watch.stop();
  });
});

describe("credentials", () => {
  test("user and password", async () => {
    const server = await startTestNatsServer(["--user", "mms", "--pass", "s3cret"]);
    try {
      await expect(connectNats({ servers: [server.url], user: "mms", password: "wrong" })).rejects.toThrow();
      const connection = await connectNats({ servers: [server.url], user: "mms", password: "s3cret" });
      await connection.flush();
      await connection.close();
    } finally {
      await server.stop();
    }
  });

  test("token", async () => {
    const server = await startTestNatsServer(["--auth", "t0ken"]);
    try {
      await expect(connectNats({ servers: [server.url], token: "nope" })).rejects.toThrow();
      const connection = await connectNats({ servers: [server.url], token: "t0ken" });
      await connection.flush();
      await connection.close();
    } finally {
      await server.stop();
    }
  });
});
