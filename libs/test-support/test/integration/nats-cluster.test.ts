import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { createReplicatedMmsStreams, MMS_STREAM_NAMES, OWNERS_STREAM, startNatsCluster, waitFor, waitForReplicasCurrent, type NatsCluster } from "../../src";

// The cluster helper itself: three routed nodes with JetStream, the MMS streams at replicas 3,
// and a node that dies (SIGKILL) or stops cleanly (SIGTERM) and comes back.

let cluster: NatsCluster;
let client: NatsConnection;
let manager: JetStreamManager;
const runningServers = () => cluster.running().map((index) => cluster.nodes[index]!.name);

beforeAll(async () => {
  cluster = await startNatsCluster();
  client = await connect({ servers: [...cluster.urls], name: "cluster-helper-test", maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  manager = await jetstreamManager(client);
});

afterAll(async () => {
  try {
    await client?.close();
  } finally {
    await cluster?.stop();
  }
});

/** Publishes into the KV stream until one is acknowledged; returns how long that took. */
async function writableAfter(start: number): Promise<number> {
  const js = jetstream(client);
  await waitFor(
    async () => {
      await js.publish(`$KV.MMS_OWNERS.PROBE`, "probe", { timeout: 1000 });
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 50, description: "a write into MMS_OWNERS acknowledged" },
  );
  return Date.now() - start;
}

test("three routed nodes agree on a meta leader and hold ORDERS, EXEC, MMS_EVENTS and MMS_OWNERS at replicas 3, every replica current", async () => {
  expect(cluster.urls).toHaveLength(3);
  expect(new Set(cluster.urls).size).toBe(3);
  const leader = await cluster.waitForMetaLeader();
  expect(cluster.indexOf(leader)).toBeDefined();
  await createReplicatedMmsStreams(manager, { replicas: 3, leaseMs: 3000 });
  const infos = await waitForReplicasCurrent(manager, MMS_STREAM_NAMES, runningServers);
  for (const info of infos) {
    expect(info.config.num_replicas).toBe(3);
    expect([info.cluster!.leader, ...info.cluster!.replicas!.map((replica) => replica.name)].sort()).toEqual(["n1", "n2", "n3"]);
  }
  // The client is found on the node /connz names.
  const nodes = await cluster.nodesOfConnections("cluster-helper-test");
  expect(nodes.get("cluster-helper-test")).toBe(cluster.indexOf(client.info!.server_name));
});

test("SIGKILL of a stream's leader: another node takes over after the raft election, the node restarts with its store and catches up", async () => {
  const before = await manager.streams.info(OWNERS_STREAM);
  const victim = cluster.indexOf(before.cluster!.leader)!;
  const killedAt = Date.now();
  await cluster.stopNode(victim, { abrupt: true });
  expect(cluster.running()).not.toContain(victim);
  const outage = await writableAfter(killedAt);
  const after = await manager.streams.info(OWNERS_STREAM);
  expect(after.cluster!.leader).not.toBe(cluster.nodes[victim]!.name);
  // Two of three still form a quorum: the meta group too.
  await cluster.waitForMetaLeader();

  const restartAt = Date.now();
  await cluster.startNode(victim);
  await cluster.waitForMetaLeader(60_000);
  await waitForReplicasCurrent(manager, MMS_STREAM_NAMES, runningServers, 60_000);
  console.log(`SIGKILL of ${cluster.nodes[victim]!.name} (leader of ${OWNERS_STREAM}): writable again after ${outage} ms; restarted and every replica current after ${Date.now() - restartAt} ms`);
}, 120_000);

test("SIGTERM of a stream's leader: leadership moves to another node and writes go on; the node comes back current", async () => {
  const before = await manager.streams.info(OWNERS_STREAM);
  const victim = cluster.indexOf(before.cluster!.leader)!;
  const stoppedAt = Date.now();
  await cluster.stopNode(victim);
  const outage = await writableAfter(stoppedAt);
  expect((await manager.streams.info(OWNERS_STREAM)).cluster!.leader).not.toBe(cluster.nodes[victim]!.name);
  await cluster.startNode(victim);
  await waitForReplicasCurrent(manager, MMS_STREAM_NAMES, runningServers, 60_000);
  console.log(`SIGTERM of ${cluster.nodes[victim]!.name} (leader of ${OWNERS_STREAM}): writable again ${outage} ms after the stop began`);
}, 120_000);
