import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectNats } from "../../src/connection";
import { StreamPublisher } from "../../src/stream-publisher";
import type { ExecutionReportFeed } from "../../src/execution-report-feed";
import { startTestNatsServer, type TestNatsServer } from "./nats-server";

export interface JetStreamSuite {
  readonly server: TestNatsServer;
  readonly connection: NatsConnection;
  readonly jetStream: JetStreamClient;
  readonly publisher: StreamPublisher;
  readonly streamManager: JetStreamManager;
  /** Feeds started by a test; each is stopped after it. */
  readonly feeds: ExecutionReportFeed[];
}

/** One NATS server per test file, a connection with fast reconnects, and feed clean-up after each test. */
export function useJetStreamSuite(): JetStreamSuite {
  const suite = { feeds: [] as ExecutionReportFeed[] } as { -readonly [K in keyof JetStreamSuite]: JetStreamSuite[K] };
  beforeAll(async () => {
    suite.server = await startTestNatsServer();
    suite.connection = await connectNats({ servers: [suite.server.url] }, { reconnectWaitMs: 100, reconnectJitterMs: 50 });
    suite.jetStream = jetstream(suite.connection);
    suite.publisher = new StreamPublisher(suite.connection);
    suite.streamManager = await jetstreamManager(suite.connection);
  });
  afterEach(async () => {
    await Promise.all(suite.feeds.splice(0).map((feed) => feed.stop()));
  });
  afterAll(async () => {
    await suite.connection?.close();
    await suite.server?.stop();
  });
  return suite;
}
