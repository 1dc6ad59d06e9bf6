import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig, type StreamInfo } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { OWNERS_BUCKET, STREAMS } from "@mms/contracts";
import { waitFor } from "./wait-for";

// The MMS's streams as an operator lays them out on a cluster: created up front with replicas,
// before the exchange or the MMS run (both leave an existing stream or bucket as it is).

/** The stream behind KV bucket MMS_OWNERS. */
export const OWNERS_STREAM = `KV_${OWNERS_BUCKET}`;

/** Every stream the MMS depends on, the KV bucket's included. */
export const MMS_STREAM_NAMES: readonly string[] = [STREAMS.orders.name, STREAMS.executionReports.name, STREAMS.events.name, OWNERS_STREAM];

export interface ReplicatedStreamsOptions {
  /** num_replicas of every stream. */
  readonly replicas: number;
  /** The MMS_OWNERS bucket's ttl (max_age): the MMS's leaseMs. */
  readonly leaseMs: number;
  /** ORDERS' Nats-Msg-Id window; default 2 min, as the exchange simulator makes it. */
  readonly duplicateWindowMs?: number;
}

function streamConfigs({ replicas, leaseMs, duplicateWindowMs = 120_000 }: ReplicatedStreamsOptions): Array<Partial<StreamConfig> & { name: string }> {
  const common = { retention: RetentionPolicy.Limits, storage: StorageType.File, num_replicas: replicas };
  return [
    { ...common, name: STREAMS.orders.name, subjects: [...STREAMS.orders.subjects], discard: DiscardPolicy.Old, duplicate_window: nanos(duplicateWindowMs) },
    { ...common, name: STREAMS.executionReports.name, subjects: [...STREAMS.executionReports.subjects], discard: DiscardPolicy.Old },
    { ...common, name: STREAMS.events.name, subjects: [...STREAMS.events.subjects], discard: DiscardPolicy.Old, max_age: nanos(30 * 24 * 60 * 60 * 1000) },
    // What `new Kvm(js).create("MMS_OWNERS", { ttl: leaseMs, history: 1, replicas })` makes
    // (the KV conventions of nats.js and the nats CLI), without a dependency on @nats-io/kv.
    {
      ...common,
      name: OWNERS_STREAM,
      subjects: [`$KV.${OWNERS_BUCKET}.>`],
      discard: DiscardPolicy.New,
      max_msgs_per_subject: 1,
      max_age: nanos(leaseMs),
      allow_rollup_hdrs: true,
      deny_delete: true,
      allow_direct: true,
    },
  ];
}

/** Creates ORDERS, EXEC, MMS_EVENTS and the KV bucket MMS_OWNERS with `replicas` each. */
export async function createReplicatedMmsStreams(manager: JetStreamManager, options: ReplicatedStreamsOptions): Promise<StreamInfo[]> {
  const created: StreamInfo[] = [];
  for (const config of streamConfigs(options)) created.push(await manager.streams.add(config));
  return created;
}

/** Whether the stream has a leader and every replica on a running server is current. */
export function replicasCurrent(info: StreamInfo, runningServers: ReadonlySet<string>): boolean {
  const cluster = info.cluster;
  if (!cluster?.leader || !runningServers.has(cluster.leader)) return false;
  const expected = info.config.num_replicas - 1;
  const replicas = cluster.replicas ?? [];
  if (replicas.length !== expected) return false;
  return replicas.every((replica) => !runningServers.has(replica.name) || (replica.current && replica.offline !== true));
}

/**
 * Resolves with each stream's info once every one of `names` has a leader on a running server
 * and its replicas on running servers are current (a replica on a stopped server is offline
 * and does not count).
 */
export async function waitForReplicasCurrent(manager: JetStreamManager, names: readonly string[], runningServers: () => readonly string[], timeoutMs = 30_000): Promise<StreamInfo[]> {
  let last: string[] = [];
  try {
    return await waitFor(
      async () => {
        const running = new Set(runningServers());
        const infos = await Promise.all(names.map((name) => manager.streams.info(name)));
        last = infos.map((info) => `${info.config.name}: leader ${info.cluster?.leader ?? "none"}, ${(info.cluster?.replicas ?? []).map((replica) => `${replica.name}${replica.current ? "" : " behind"}${replica.offline ? " offline" : ""}`).join(", ")}`);
        return infos.every((info) => replicasCurrent(info, running)) ? infos : undefined;
      },
      { timeoutMs, intervalMs: 100, description: `replicas of ${names.join(", ")} current` },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${last.join("\n")}`, { cause: error });
  }
}
