import type { NatsConnection } from "@nats-io/nats-core";
import { jetstreamManager, type JetStreamManager, type StreamInfo } from "@nats-io/jetstream";
import type { ServiceConfigInput, SymbolConfigInput, SymbolStatus } from "@mms/contracts";
import {
  connectToCluster,
  createReplicatedMmsStreams,
  HoldPoint,
  MMS_STREAM_NAMES,
  MmsProcess,
  requestStatus,
  runningServerNames,
  startPreparedCluster,
  startTcpProxy,
  waitFor,
  waitForReplicasCurrent,
  type NatsCluster,
  type TcpProxy,
} from "@mms/test-support";
import { childConfig, explainedBy } from "./crash-safety";
import { readStoredMessages as readOnce, type StoredMessage } from "./stream-history";

// The MMS as a child process on a three-node JetStream cluster (routes on loopback, every MMS
// stream and the MMS_OWNERS bucket at replicas 3): what the cluster tests share.

export interface MmsClusterOptions {
  /** leaseMs of the MMS and the ttl of MMS_OWNERS. */
  readonly leaseMs: number;
  /**
   * Put a TCP proxy in front of every node and give the MMS only the proxies (the nodes
   * advertise no URLs, so it cannot go around them); `holdPoint` then stops one of its
   * connections at a chosen point. Default false: the MMS is given the nodes themselves.
   */
  readonly proxied?: boolean;
}

export interface MmsCluster {
  readonly cluster: NatsCluster;
  /** The test's own client, connected to the nodes directly. */
  readonly client: NatsConnection;
  readonly manager: JetStreamManager;
  /** What the MMS is configured with: the nodes' URLs, or their proxies'. */
  readonly mmsUrls: readonly string[];
  /** Shared by the proxies (`proxied`). */
  readonly holdPoint: HoldPoint;
  /** The MMS started last (startMms), stopped after the tests if still running. */
  readonly mms: MmsProcess | undefined;
  /** A config file for the MMS on this cluster (info logs, the suite's lease). */
  configFor(symbols: SymbolConfigInput[], overrides?: Partial<ServiceConfigInput>): { path: string; config: ServiceConfigInput };
  startMms(configPath: string): MmsProcess;
  /** Stopped after the tests (before the cluster), e.g. the exchange simulator. */
  onTeardown(stop: () => Promise<unknown>): void;
  /** Lines shown with the MMS's log when a test fails. */
  addLog(name: string, lines: () => readonly string[]): void;
  /** Runs `body`; when it fails, prints the MMS's log and the added ones before rethrowing. */
  explained<T>(body: () => Promise<T>): Promise<T>;
  /** Every MMS stream has a leader on a running node and its running replicas are current. */
  allCurrent(timeoutMs?: number): Promise<StreamInfo[]>;
  /** `symbol` in the status reply of `instance` (undefined if another instance answered first). */
  symbolStatus(instance: string, symbol: string): Promise<SymbolStatus | undefined>;
  /** The node holding the client connection named `name` (`/connz`). */
  nodeOfConnection(name: string): Promise<number>;
  /** Everything a stream holds on `subject`, read again until it works (a stream without a leader answers nothing). */
  readStoredMessages<T>(stream: string, subject: string): Promise<Array<StoredMessage<T>>>;
}

/** One cluster per test file: started in beforeAll, everything stopped in afterAll even when a test failed. */
export function useMmsCluster({ leaseMs, proxied = false }: MmsClusterOptions): MmsCluster {
  let cluster: NatsCluster | undefined;
  let client: NatsConnection | undefined;
  let manager: JetStreamManager | undefined;
  let proxies: TcpProxy[] = [];
  let mms: MmsProcess | undefined;
  const holdPoint = new HoldPoint();
  const teardowns: Array<() => Promise<unknown>> = [];
  const logs: Array<{ name: string; lines: () => readonly string[] }> = [];

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("useMmsCluster: the cluster is only there inside tests and hooks");
    return value;
  };
  const allCurrent = (timeoutMs = 60_000) => waitForReplicasCurrent(started(manager), MMS_STREAM_NAMES, () => runningServerNames(started(cluster)), timeoutMs);

  beforeAll(async () => {
    // Kept as soon as it runs: allCurrent needs it, and afterAll stops it (twice is harmless).
    await startPreparedCluster(
      async (nodes) => {
        cluster = nodes;
        client = await connectToCluster(nodes, "mms-cluster test");
        manager = await jetstreamManager(client);
        await createReplicatedMmsStreams(manager, { replicas: 3, leaseMs });
        await allCurrent();
        if (proxied) proxies = await Promise.all(nodes.nodes.map((node) => startTcpProxy(node.server.port, holdPoint)));
      },
      { noAdvertise: proxied },
    );
  }, 90_000);

  afterAll(async () => {
    try {
      await mms?.stop();
      for (const stop of teardowns.splice(0)) await stop();
      await client?.close();
      await Promise.all(proxies.map((proxy) => proxy.close()));
    } finally {
      await cluster?.stop();
    }
  });

  const mmsUrls = (): readonly string[] => (proxied ? proxies.map((proxy) => proxy.url) : started(cluster).urls);
  const explain = (): string => [`MMS:\n${mms?.describe() ?? ""}`, ...logs.map(({ name, lines }) => `${name}:\n${lines().slice(-30).join("\n")}`)].join("\n");

  return {
    get cluster() {
      return started(cluster);
    },
    get client() {
      return started(client);
    },
    get manager() {
      return started(manager);
    },
    get mmsUrls() {
      return mmsUrls();
    },
    holdPoint,
    get mms() {
      return mms;
    },
    configFor(symbols, overrides = {}) {
      const urls = mmsUrls();
      return childConfig(urls[0]!, symbols, { leaseMs, nats: { servers: [...urls] }, logging: { level: "info" }, ...overrides });
    },
    startMms(configPath) {
      mms = MmsProcess.start(configPath);
      return mms;
    },
    onTeardown: (stop) => void teardowns.push(stop),
    addLog: (name, lines) => void logs.push({ name, lines }),
    explained: (body) => explainedBy(explain, body),
    allCurrent,
    async symbolStatus(instance, symbol) {
      const reply = await requestStatus(started(client), 1500);
      return reply.instance === instance ? reply.symbols.find((entry) => entry.symbol === symbol) : undefined;
    },
    async nodeOfConnection(name) {
      let seen = "";
      const found = await waitFor(
        async () => {
          const connections = await started(cluster).nodesOfConnections("");
          seen = JSON.stringify([...connections]);
          const node = connections.get(name);
          // Wrapped: node 0 is falsy, and waitFor waits for a truthy value.
          return node === undefined ? undefined : { node };
        },
        { timeoutMs: 10_000, description: `the node of ${name}` },
      ).catch((error: Error) => {
        throw new Error(`${error.message}; connections: ${seen}`);
      });
      return found.node;
    },
    readStoredMessages<T>(stream: string, subject: string) {
      return waitFor(() => readOnce<T>(started(client), stream, subject), { timeoutMs: 30_000, intervalMs: 250, description: `${stream} ${subject} read` });
    },
  };
}
