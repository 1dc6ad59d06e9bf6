import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { startNatsServerProcess, type NatsServerProcess } from "./nats-process";
import { getFreePort } from "./ports";
import { waitFor } from "./wait-for";

// A JetStream cluster of real nats-server processes on loopback (routes between them), for
// tests of what the MMS does when a node dies. Processes, not containers: a SIGKILL is a
// SIGKILL, a restart takes well under a second, and each node keeps its own store directory.

export interface NatsClusterOptions {
  /** Number of nodes. Default 3 (the smallest cluster that survives losing one). */
  readonly size?: number;
  /** The nats-server binary; default natsServerBinary(). */
  readonly binary?: string;
  /** How long to wait for the JetStream meta leader after the start. Default 30 s. */
  readonly startupTimeoutMs?: number;
  /**
   * Tell clients nothing of the other nodes (`--no_advertise`): a client knows only the URLs it
   * was given, e.g. proxies in front of the nodes, and cannot go around them. Default false.
   */
  readonly noAdvertise?: boolean;
}

export interface NatsClusterNode {
  readonly index: number;
  /** server_name, as stream info's `cluster.leader` and `cluster.replicas[].name` name it. */
  readonly name: string;
  /** nats://127.0.0.1:PORT, stable across restarts. */
  readonly url: string;
  /** The route port the other nodes connect to. */
  readonly clusterPort: number;
  readonly server: NatsServerProcess;
}

/** What `/jsz` says about the JetStream meta group on one node. */
export interface MetaClusterView {
  readonly leader: string | undefined;
  readonly replicas: ReadonlyArray<{ readonly name: string; readonly current: boolean; readonly offline?: boolean }>;
}

export interface NatsCluster {
  readonly nodes: readonly NatsClusterNode[];
  /** Every node's client URL: what a client of the whole cluster is configured with. */
  readonly urls: readonly string[];
  /** Indexes of the nodes currently up. */
  running(): number[];
  /** The node of this server_name (a stream's `cluster.leader`), or undefined. */
  indexOf(serverName: string | undefined): number | undefined;
  /** Takes node `index` down: SIGTERM (clean shutdown), or SIGKILL with `abrupt`. Its store stays. */
  stopNode(index: number, options?: { abrupt?: boolean }): Promise<void>;
  /** Starts node `index` again on its ports with its store (it rejoins and catches up). */
  startNode(index: number): Promise<void>;
  restartNode(index: number, options?: { abrupt?: boolean; downForMs?: number }): Promise<void>;
  /** GET on node `index`'s monitoring port, e.g. `/jsz`, `/connz?subs=0`. */
  monitor<T>(index: number, path: string): Promise<T>;
  /** Resolves once every running node names the same meta leader and no running meta peer lags. */
  waitForMetaLeader(timeoutMs?: number): Promise<string>;
  /** Indexes of the nodes holding a client connection whose name starts with `namePrefix` (`/connz`). */
  nodesOfConnections(namePrefix: string): Promise<Map<string, number>>;
  /** Stops every node and deletes the stores. Idempotent. */
  stop(): Promise<void>;
}

interface ConnzReply {
  readonly connections?: ReadonlyArray<{ readonly name?: string }>;
}

interface JszReply {
  readonly meta_cluster?: { readonly leader?: string; readonly replicas?: MetaClusterView["replicas"] };
}

/**
 * Starts `size` nats-server processes on 127.0.0.1, each with JetStream, its own store, its own
 * client, route and monitoring port, routed to each other, and waits for a JetStream meta
 * leader. The caller must stop() it (afterAll).
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = options.size ?? 3;
  const clusterName = `mms-test-${Math.random().toString(36).slice(2, 8)}`;
  const clusterPorts: number[] = [];
  while (clusterPorts.length < size) {
    const port = await getFreePort();
    if (!clusterPorts.includes(port)) clusterPorts.push(port);
  }
  const routeTo = (index: number) => `nats://127.0.0.1:${clusterPorts[index]}`;
  const servers: NatsServerProcess[] = [];
  try {
    const started = await Promise.allSettled(
      clusterPorts.map((clusterPort, index) =>
        startNatsServerProcess({
          ...(options.binary !== undefined ? { binary: options.binary } : {}),
          monitoring: true,
          extraArgs: [
            "--server_name", `n${index + 1}`,
            "--cluster_name", clusterName,
            "--cluster", `nats://127.0.0.1:${clusterPort}`,
            "--routes", clusterPorts.flatMap((_, other) => (other === index ? [] : [routeTo(other)])).join(","),
            ...(options.noAdvertise ? ["--no_advertise"] : []),
          ],
        }),
      ),
    );
    for (const result of started) if (result.status === "fulfilled") servers.push(result.value);
    const failed = started.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed) throw failed.reason;
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  }

  const nodes: NatsClusterNode[] = servers.map((server, index) => ({ index, name: `n${index + 1}`, url: server.url, clusterPort: clusterPorts[index]!, server }));
  const node = (index: number): NatsClusterNode => {
    const found = nodes[index];
    if (!found) throw new Error(`no node ${index} in a cluster of ${nodes.length}`);
    return found;
  };
  const running = () => nodes.filter((entry) => entry.server.running).map((entry) => entry.index);
  const monitor = <T>(index: number, path: string) => node(index).server.monitor<T>(path);

  const cluster: NatsCluster = {
    nodes,
    urls: nodes.map((entry) => entry.url),
    running,
    indexOf: (serverName) => nodes.find((entry) => entry.name === serverName)?.index,
    stopNode: (index, { abrupt = false } = {}) => node(index).server.takeDown({ abrupt }),
    startNode: (index) => node(index).server.bringUp(),
    async restartNode(index, { abrupt = false, downForMs = 0 } = {}) {
      await node(index).server.restart({ abrupt, downForMs });
    },
    monitor,
    waitForMetaLeader: (timeoutMs = 30_000) =>
      waitFor(
        async () => {
          const views = await Promise.all(running().map(async (index) => (await monitor<JszReply>(index, "/jsz")).meta_cluster));
          const leader = views[0]?.leader;
          if (!leader || views.some((view) => view?.leader !== leader)) return undefined;
          const up = new Set(running().map((index) => node(index).name));
          const lagging = views.flatMap((view) => view?.replicas ?? []).filter((replica) => up.has(replica.name) && (!replica.current || replica.offline === true));
          return lagging.length === 0 ? leader : undefined;
        },
        { timeoutMs, intervalMs: 100, description: `a JetStream meta leader agreed by nodes ${running().map((index) => node(index).name).join(", ")}` },
      ),
    async nodesOfConnections(namePrefix) {
      const found = new Map<string, number>();
      for (const index of running()) {
        const connz = await monitor<ConnzReply>(index, "/connz?subs=0&limit=10000");
        for (const connection of connz.connections ?? []) if (connection.name?.startsWith(namePrefix)) found.set(connection.name, index);
      }
      return found;
    },
    async stop() {
      await Promise.all(nodes.map((entry) => entry.server.stop()));
    },
  };
  try {
    await cluster.waitForMetaLeader(options.startupTimeoutMs ?? 30_000);
  } catch (error) {
    const logs = nodes.map((entry) => `--- ${entry.name}:\n${entry.server.log().slice(-3000)}`).join("\n");
    await cluster.stop();
    throw new Error(`${(error as Error).message}\n${logs}`, { cause: error });
  }
  return cluster;
}

/**
 * startNatsCluster, then `prepare` on it (a client, streams); if `prepare` fails the cluster is
 * stopped before the error goes on, so a failed beforeAll leaves no server running.
 */
export async function startPreparedCluster(prepare: (cluster: NatsCluster) => Promise<void>, options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const cluster = await startNatsCluster(options);
  try {
    await prepare(cluster);
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/** A test's own client of the whole cluster: every URL, reconnecting forever, so it outlives any one node. */
export function connectToCluster(cluster: NatsCluster, name: string): Promise<NatsConnection> {
  return connect({ servers: [...cluster.urls], name, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
}

/** server_name of every running node: what waitForReplicasCurrent counts as up. */
export function runningServerNames(cluster: NatsCluster): string[] {
  return cluster.running().map((index) => cluster.nodes[index]!.name);
}
