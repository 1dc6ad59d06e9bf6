import { readFileSync } from "node:fs";
import { wsconnect } from "@nats-io/nats-core";
import { connect, credsAuthenticator, nkeyAuthenticator } from "@nats-io/transport-node";
import type { Authenticator, NatsConnection, NodeConnectionOptions, Status } from "@nats-io/transport-node";
import type { ServiceConfig } from "@mms/contracts/runtime";

export type NatsConnectionConfig = ServiceConfig["nats"] & { readonly name?: string };

export interface ConnectNatsOptions {
  /** Pause between reconnect attempts to one server. Default 1000 ms. */
  readonly reconnectWaitMs?: number;
  /** Upper bound of the random delay added to each wait, so a fleet does not reconnect in step. Default 500 ms (1000 ms for TLS). */
  readonly reconnectJitterMs?: number;
  /** Handshake timeout per attempt. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Client pings; `maxPingsOut` unanswered pings mark the connection stale. Defaults 10000 ms and 3. */
  readonly pingIntervalMs?: number;
  readonly maxPingsOut?: number;
  /** Keep retrying when the very first connect fails instead of rejecting. Default false. */
  readonly waitOnFirstConnect?: boolean;
}

/** Reads a secret file now (so a missing file fails at start) and again on every reconnect (so rotation works). */
function fileReader(path: string, what: string): () => Uint8Array {
  let lastGood: Uint8Array;
  try {
    lastGood = readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read NATS ${what} file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return () => {
    try {
      lastGood = readFileSync(path);
    } catch {
      // A file briefly missing during rotation must not break a reconnect: keep the last one read.
    }
    return lastGood;
  };
}

function trimmedSeed(read: () => Uint8Array): () => Uint8Array {
  const encoder = new TextEncoder();
  return () => encoder.encode(new TextDecoder().decode(read()).trim());
}

/** The nats.js options our config stands for; exported so the mapping can be checked without a server. */
export function buildConnectionOptions(config: NatsConnectionConfig, options: ConnectNatsOptions = {}): NodeConnectionOptions {
  const authenticators: Authenticator[] = [];
  if (config.nkeySeedFile !== undefined) authenticators.push(nkeyAuthenticator(trimmedSeed(fileReader(config.nkeySeedFile, "nkey seed"))));
  if (config.credsFile !== undefined) authenticators.push(credsAuthenticator(fileReader(config.credsFile, "creds")));

  const wantsTls = config.tls !== undefined || config.servers.some((server) => server.startsWith("tls://"));
  const jitter = options.reconnectJitterMs;
  return {
    servers: [...config.servers],
    ...(config.name !== undefined ? { name: config.name } : {}),
    ...(config.user !== undefined ? { user: config.user } : {}),
    ...(config.password !== undefined ? { pass: config.password } : {}),
    ...(config.token !== undefined ? { token: config.token } : {}),
    ...(authenticators.length > 0 ? { authenticator: authenticators } : {}),
    ...(wantsTls
      ? {
          tls: {
            ...(config.tls?.caFile !== undefined ? { caFile: config.tls.caFile } : {}),
            ...(config.tls?.certFile !== undefined ? { certFile: config.tls.certFile } : {}),
            ...(config.tls?.keyFile !== undefined ? { keyFile: config.tls.keyFile } : {}),
          },
        }
      : {}),
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectWaitMs ?? 1000,
    reconnectJitter: jitter ?? 500,
    reconnectJitterTLS: jitter ?? 1000,
    timeout: options.connectTimeoutMs ?? 5000,
    pingInterval: options.pingIntervalMs ?? 10_000,
    maxPingOut: options.maxPingsOut ?? 3,
    waitOnFirstConnect: options.waitOnFirstConnect ?? false,
    // An auth error during an outage is often a server still starting: keep trying, the bus is the service's lifeline.
    ignoreAuthErrorAbort: true,
    // Async stack traces on every request and JetStream publish halve the client's CPU
    // per publish (bench/findings.md); errors still say what failed.
    noAsyncTraces: true,
  };
}

function isWebSocket(server: string): boolean {
  return server.startsWith("ws://") || server.startsWith("wss://");
}

/** Connects with the config's servers and credentials; reconnects forever with jittered waits. */
export async function connectNats(config: NatsConnectionConfig, options: ConnectNatsOptions = {}): Promise<NatsConnection> {
  const webSocketServers = config.servers.filter(isWebSocket).length;
  if (webSocketServers === 0) return connect(buildConnectionOptions(config, options));
  if (webSocketServers !== config.servers.length) throw new Error("NATS servers mix ws:// and nats:// URLs; use one kind");
  // Node's global WebSocket takes no client certificate or CA file, so those cannot be honoured here.
  if (config.tls !== undefined) throw new Error("NATS tls files are not supported with ws:// or wss:// servers");
  return wsconnect(buildConnectionOptions(config, options));
}

/** Connection events the service acts on (pause on DISCONNECTED and SLOW_CONSUMER). */
export type ConnectionStatusEvent =
  | { readonly kind: "DISCONNECTED"; readonly server: string }
  | { readonly kind: "RECONNECTED"; readonly server: string }
  | { readonly kind: "SLOW_CONSUMER"; readonly subject?: string; readonly pending: number }
  | { readonly kind: "ERROR"; readonly error: Error }
  | { readonly kind: "CLOSED"; readonly error?: Error };

export interface StatusWatch {
  stop(): void;
}

/** Our event for one nats.js status, or undefined for the ones the service has no use for. */
export function toConnectionStatusEvent(status: Status): ConnectionStatusEvent | undefined {
  switch (status.type) {
    case "disconnect":
      return { kind: "DISCONNECTED", server: status.server };
    case "reconnect":
      return { kind: "RECONNECTED", server: status.server };
    case "slowConsumer":
      return { kind: "SLOW_CONSUMER", subject: status.sub.getSubject(), pending: status.pending };
    case "error":
      return { kind: "ERROR", error: status.error };
    case "close":
      return { kind: "CLOSED" };
    default:
      return undefined;
  }
}

/**
 * Calls `handler` for every connection event until stop() or the connection closes.
 * nats.js reports a slow consumer only for subscriptions made with the `slow` option.
 */
export function watchConnectionStatus(connection: NatsConnection, handler: (event: ConnectionStatusEvent) => void): StatusWatch {
  const statuses = connection.status();
  let stopped = false;
  let closedReported = false;
  const deliver = (event: ConnectionStatusEvent): void => {
    if (stopped) return;
    if (event.kind === "CLOSED") {
      if (closedReported) return;
      closedReported = true;
    }
    handler(event);
  };
  void (async () => {
    for await (const status of statuses) {
      const event = toConnectionStatusEvent(status);
      if (event !== undefined) deliver(event);
    }
  })().catch((error: unknown) => deliver({ kind: "ERROR", error: error instanceof Error ? error : new Error(String(error)) }));
  // The status stream can end without a "close" entry; closed() is the one sure signal.
  void connection.closed().then((error) => deliver(error instanceof Error ? { kind: "CLOSED", error } : { kind: "CLOSED" }));
  return {
    stop() {
      stopped = true;
      const iterator = statuses as { stop?: () => void };
      if (typeof iterator.stop === "function") iterator.stop();
    },
  };
}
