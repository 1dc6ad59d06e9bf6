import { natsServerBinary, natsServerVersion as versionOf, startNatsServerProcess, type NatsServerProcess } from "@mms/test-support";

/** `BENCH_NATS_SERVER` names another binary than test-support's default. */
const BINARY = process.env.BENCH_NATS_SERVER ?? natsServerBinary();

export type BenchNatsServer = NatsServerProcess & { readonly monitorPort: number };

export function natsServerVersion(): string {
  return versionOf(BINARY);
}

/**
 * A private JetStream server on loopback for one benchmark: free ports, its own store
 * directory (removed on stop), monitoring on. Never the machine's NATS on 4222.
 */
export async function startNatsServer(): Promise<BenchNatsServer> {
  return (await startNatsServerProcess({ binary: BINARY, monitoring: true })) as BenchNatsServer;
}
