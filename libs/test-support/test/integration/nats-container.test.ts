import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, waitFor } from "../../src";
import type { StartedNatsServer } from "../../src";

// Needs a Docker engine and the local image: bash scripts/setup-test-env.sh. Without them these
// tests fail (never skip), in CI and locally alike.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function withServer(body: (server: StartedNatsServer) => Promise<void>): Promise<void> {
  const server = await startNatsServer();
  try {
    await body(server);
  } finally {
    await server.stop();
  }
}

async function withClient(url: string, body: (nc: NatsConnection, statuses: string[]) => Promise<void>): Promise<void> {
  const nc = await connect({ servers: url, name: "test-support-it", reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  const statuses: string[] = [];
  const watching = (async () => {
    for await (const status of nc.status()) statuses.push(status.type);
  })();
  try {
    await body(nc, statuses);
  } finally {
    await nc.close();
    await watching;
  }
}

describe("startNatsServer", () => {
  it("serves NATS with JetStream on 127.0.0.1 at a port other than 4222", async () => {
    await withServer(async (server) => {
      expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
      expect(server.port).not.toBe(4222);

      await withClient(server.url, async (nc) => {
        const jsm = await jetstreamManager(nc);
        const info = await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
        expect(info.config.name).toBe("ORDERS");

        const ack = await jetstream(nc).publish("orders.new", encoder.encode("first order"));
        expect(ack).toMatchObject({ stream: "ORDERS", seq: 1 });

        const stored = await jsm.streams.getMessage("ORDERS", { seq: ack.seq });
        expect(stored?.subject).toBe("orders.new");
        expect(decoder.decode(stored?.data)).toBe("first order");
      });
    });
  });

  it("restarts on the same URL: a connected client reconnects by itself and JetStream data survives", async () => {
    await withServer(async (server) => {
      await withClient(server.url, async (nc, statuses) => {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: "FILLS", subjects: ["fills.>"] });
        await jetstream(nc).publish("fills.a", encoder.encode("before outage"));

        await server.restart({ downForMs: 500 });

        await waitFor(() => statuses.includes("reconnect"), { timeoutMs: 20_000, description: "client reconnect" });
        expect(statuses).toContain("disconnect");
        expect(nc.isClosed()).toBe(false);

        const before = await jsm.streams.getMessage("FILLS", { seq: 1 });
        expect(decoder.decode(before?.data)).toBe("before outage");
        const ack = await jetstream(nc).publish("fills.b", encoder.encode("after outage"));
        expect(ack.seq).toBe(2);
      });
    });
  });

  it("takeDown keeps the client disconnected until bringUp starts the server again", async () => {
    await withServer(async (server) => {
      await withClient(server.url, async (nc, statuses) => {
        await server.takeDown({ abrupt: true });
        expect(server.isRunning).toBe(false);
        await waitFor(() => statuses.includes("disconnect"), { timeoutMs: 10_000, description: "client disconnect" });
        await expect(nc.request("nobody.home", undefined, { timeout: 300 })).rejects.toThrow();

        await server.bringUp();
        expect(server.isRunning).toBe(true);
        await waitFor(() => statuses.includes("reconnect"), { timeoutMs: 20_000, description: "client reconnect" });
        await nc.flush();
      });
    });
  });

  it("stop is idempotent and frees the port", async () => {
    const server = await startNatsServer();
    try {
      await server.stop();
    } finally {
      await server.stop();
    }
    await expect(connect({ servers: server.url, reconnect: false, timeout: 1_000 })).rejects.toThrow();
  });
});
