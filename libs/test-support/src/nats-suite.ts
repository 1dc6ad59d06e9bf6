import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { startNatsServer, type StartedNatsServer } from "./nats-container";

export interface NatsSuite {
  /** The server of this test file; valid inside tests and hooks. */
  readonly server: StartedNatsServer;
  /** A plain client connection of the test itself. */
  readonly client: NatsConnection;
  readonly url: string;
}

/**
 * One NATS container per test file: started in beforeAll, a client connected, both
 * closed in afterAll even when a test failed.
 */
export function useNatsServer(): NatsSuite {
  let server: StartedNatsServer | undefined;
  let client: NatsConnection | undefined;
  beforeAll(async () => {
    server = await startNatsServer();
    client = await connect({ servers: server.url });
  });
  afterAll(async () => {
    try {
      await client?.close();
    } finally {
      await server?.stop();
    }
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("useNatsServer: the server is only there inside tests and hooks");
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get client() {
      return started(client);
    },
    get url() {
      return started(server).url;
    },
  };
}
