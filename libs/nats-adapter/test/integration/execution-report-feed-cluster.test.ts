import type { NatsConnection } from "@nats-io/nats-core";
import { jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { STREAMS, type AcceptedReport } from "@mms/contracts";
import { connectToCluster, runningServerNames, startPreparedCluster, waitFor, waitForReplicasCurrent, type NatsCluster } from "@mms/test-support";
import { startExecutionReportFeed } from "../../src/execution-report-feed";
import type { ExecutionFeedStatus, ExecutionReportDelivery, ExecutionReportFeed } from "../../src/execution-report-feed";

// The feed on a three-node JetStream cluster, EXEC at replicas 3: the node holding the feed's
// (R1, ephemeral) ordered consumer is SIGKILLed while reports keep arriving.

const ACCOUNT = "SYSTEM_MARKET_MAKER";
const SYMBOL = "KILL-PERP";
const EXEC = STREAMS.executionReports.name;

jest.setTimeout(180_000);

let cluster: NatsCluster;
let client: NatsConnection;
let manager: JetStreamManager;
let jetStream: JetStreamClient;
let feed: ExecutionReportFeed | undefined;

const runningServers = () => runningServerNames(cluster);

beforeAll(async () => {
  await startPreparedCluster(async (nodes) => {
    cluster = nodes;
    client = await connectToCluster(nodes, "feed cluster test");
    manager = await jetstreamManager(client);
    jetStream = jetstream(client);
    await manager.streams.add({ name: EXEC, subjects: [...STREAMS.executionReports.subjects], retention: RetentionPolicy.Limits, storage: StorageType.File, num_replicas: 3 });
    await waitForReplicasCurrent(manager, [EXEC], runningServers, 60_000);
  });
}, 90_000);

afterAll(async () => {
  try {
    await feed?.stop();
    await client?.close();
  } finally {
    await cluster?.stop();
  }
});

function accepted(execId: string): AcceptedReport {
  return { kind: "ACCEPTED", execId, account: ACCOUNT, symbol: SYMBOL, ts: 1764000000000, clientOrderId: `c-${execId}`, orderId: `o-${execId}`, side: "BUY", px: "100.5", qty: "0.010" };
}

/** Publishes until acknowledged: without a stream leader (an election after the kill) a publish fails. */
async function publishReport(execId: string): Promise<void> {
  await waitFor(async () => (await jetStream.publish(`exec.${ACCOUNT}.${SYMBOL}`, JSON.stringify(accepted(execId)), { timeout: 2000, msgID: execId })).seq, {
    timeoutMs: 30_000,
    intervalMs: 250,
    description: `report ${execId} stored`,
  });
}

test("reports arriving after the node holding the feed's consumer dies are delivered, each once and in order", async () => {
  for (let index = 1; index <= 5; index++) await publishReport(`before-${index}`);
  const deliveries: ExecutionReportDelivery[] = [];
  const statuses: ExecutionFeedStatus[] = [];
  feed = startExecutionReportFeed(jetStream, { account: ACCOUNT, symbol: SYMBOL, retryDelayMs: 250, onReport: (delivery) => deliveries.push(delivery), onStatus: (status) => statuses.push(status) });
  await expect(feed.caughtUp).resolves.toBe(true);
  await waitFor(() => deliveries.length === 5, { description: "the history delivered" });

  let consumers = "";
  const { consumerNode } = await waitFor(async () => {
    const infos = await manager.consumers.list(EXEC).next();
    consumers = JSON.stringify(infos.map((info) => [info.name, info.cluster]));
    const leader = infos.find((info) => info.cluster?.leader !== undefined)?.cluster?.leader;
    const index = cluster.indexOf(leader);
    return index === undefined ? undefined : { consumerNode: index };
  }, { description: "the feed's consumer and its node" }).catch((error: unknown) => {
    throw new Error(`${String(error)}: ${consumers}`);
  });
  await cluster.stopNode(consumerNode, { abrupt: true });
  const killedAt = Date.now();

  for (let index = 1; index <= 5; index++) await publishReport(`after-${index}`);
  // Slack: the survivors elect EXEC's leader in ~6 s (the publishes above wait for it), the feed
  // replaces its consumer after two missed heartbeats (5 s) or 10 s of silence, and a consumer
  // create can time out (5 s each, retried) for 30 s or more after a SIGKILL (deploy.md): 90 s.
  await waitFor(() => deliveries.length >= 10, { timeoutMs: 90_000, intervalMs: 100, description: `reports after the kill delivered (statuses: ${JSON.stringify(statuses.map((status) => status.kind))})` });
  const recoveredInMs = Date.now() - killedAt;

  // A short settle: a late duplicate would show here.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(deliveries.map((delivery) => delivery.report.execId)).toEqual([1, 2, 3, 4, 5].map((index) => `before-${index}`).concat([1, 2, 3, 4, 5].map((index) => `after-${index}`)));
  const sequences = deliveries.map((delivery) => delivery.streamSequence);
  expect(sequences).toEqual([...sequences].sort((left, right) => left - right));
  expect(deliveries.slice(5).every((delivery) => !delivery.replay)).toBe(true);
  console.log(`reports flowed again ${recoveredInMs} ms after the kill; ${statuses.filter((status) => status.kind === "RESTARTING").map((status) => ("message" in status ? status.message : "")).join(", ")}`);
});
