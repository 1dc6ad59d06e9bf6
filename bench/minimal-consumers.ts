/**
 * Minimal consumers of market data with no logic, each answering every delta with a small
 * reply on `bench.<variant>.<SYMBOL>` (the bench matches replies to deltas in order, per
 * symbol). Run as its own process:
 *
 *   node --import tsx bench/minimal-consumers.ts <floor|kill-floor|hop|worker-conn> <natsUrl> <SYM,SYM,...> [prefix]
 *
 * - floor: the floor relay. One NATS connection on the main thread: subscribe
 *   `<prefix>.*.delta` (prefix `md` by default; the alternating phases use `floor.md`),
 *   parse each delta (JSON.parse, as the MMS must) and republish `{symbol, seq}`; parse each
 *   `<prefix>.*.status` heartbeat too (no reply).
 * - kill-floor: on `floor.control.all.kill`, one JetStream publish of a CANCEL_ALL per symbol
 *   to `orders.<SYMBOL>` (account FLOOR, so no exchange stub cancels anything), all at once.
 * - hop: the main thread holds the only connection; each delta goes by postMessage to the
 *   symbol's worker thread, which answers by postMessage; the main thread publishes.
 * - worker-conn: the MMS's design: one worker thread per symbol, each with its own NATS
 *   connection, subscribing `md.<SYMBOL>.delta` and publishing the reply itself.
 * - thread-floor: the least the MMS's design costs: one worker thread per symbol, each with
 *   its own NATS connection, subscribing `<prefix>.<SYMBOL>.*` and JSON-parsing each message;
 *   no reply, nothing else.
 */
import { isMainThread, parentPort, workerData, type Worker } from "node:worker_threads";
import { connect } from "@nats-io/transport-node";
import { Empty } from "@nats-io/nats-core";
import { jetstream } from "@nats-io/jetstream";
import { spawnTsWorker } from "./lib/threads";

type Variant = "floor" | "kill-floor" | "hop" | "worker-conn" | "thread-floor";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface WorkerRole {
  readonly role: "hop-worker" | "conn-worker" | "parse-worker";
  readonly symbol: string;
  readonly natsUrl: string;
  readonly prefix?: string;
}

async function runFloor(natsUrl: string, prefix: string): Promise<void> {
  const connection = await connect({ servers: [natsUrl], name: "bench-floor" });
  connection.subscribe(`${prefix}.*.delta`, {
    callback: (_error, message) => {
      const delta = JSON.parse(decoder.decode(message.data)) as { symbol: string; seq: number };
      connection.publish(`bench.floor.${delta.symbol}`, encoder.encode(JSON.stringify({ symbol: delta.symbol, seq: delta.seq })));
    },
  });
  connection.subscribe(`${prefix}.*.status`, { callback: (_error, message) => void JSON.parse(decoder.decode(message.data)) });
  await connection.flush();
}

async function runKillFloor(natsUrl: string, symbols: readonly string[]): Promise<void> {
  const connection = await connect({ servers: [natsUrl], name: "bench-kill-floor", noAsyncTraces: true });
  const client = jetstream(connection);
  let kills = 0;
  connection.subscribe("floor.control.all.kill", {
    callback: () => {
      kills += 1;
      const ts = Date.now();
      for (const symbol of symbols) {
        const intentId = `FLOOR-${kills}-${symbol}`;
        const body = { kind: "CANCEL_ALL", intentId, account: "FLOOR", symbol, reason: "MANUAL_KILL", ts };
        void client.publish(`orders.${symbol}`, encoder.encode(JSON.stringify(body)), { msgID: intentId, timeout: 10_000 }).catch(() => undefined);
      }
    },
  });
  await connection.flush();
}

async function runHop(natsUrl: string, symbols: readonly string[]): Promise<void> {
  const connection = await connect({ servers: [natsUrl], name: "bench-hop" });
  const workers = new Map<string, Worker>();
  await Promise.all(
    symbols.map(
      (symbol) =>
        new Promise<void>((resolve) => {
          const worker = spawnTsWorker(__filename, { role: "hop-worker", symbol, natsUrl } satisfies WorkerRole);
          const replySubject = `bench.hop.${symbol}`;
          worker.once("message", () => {
            worker.on("message", () => connection.publish(replySubject, Empty));
            resolve();
          });
          workers.set(symbol, worker);
        }),
    ),
  );
  connection.subscribe("md.*.delta", {
    callback: (_error, message) => {
      const subject = message.subject;
      workers.get(subject.slice(3, subject.length - 6))?.postMessage(message.data);
    },
  });
  await connection.flush();
}

async function runWorkerConnections(natsUrl: string, symbols: readonly string[], role: "conn-worker" | "parse-worker", prefix?: string): Promise<void> {
  await Promise.all(
    symbols.map(
      (symbol) =>
        new Promise<void>((resolve) => {
          const worker = spawnTsWorker(__filename, { role, symbol, natsUrl, ...(prefix ? { prefix } : {}) } satisfies WorkerRole);
          worker.once("message", () => resolve());
        }),
    ),
  );
}

async function workerMain(data: WorkerRole): Promise<void> {
  const port = parentPort!;
  if (data.role === "hop-worker") {
    port.on("message", () => port.postMessage(0));
    port.postMessage("ready");
    return;
  }
  const connection = await connect({ servers: [data.natsUrl], name: `bench-conn-${data.symbol}` });
  if (data.role === "parse-worker") {
    connection.subscribe(`${data.prefix ?? "md"}.${data.symbol}.*`, { callback: (_error, message) => void JSON.parse(decoder.decode(message.data)) });
    await connection.flush();
    port.postMessage("ready");
    return;
  }
  const replySubject = `bench.worker-conn.${data.symbol}`;
  connection.subscribe(`md.${data.symbol}.delta`, { callback: () => connection.publish(replySubject, Empty) });
  await connection.flush();
  port.postMessage("ready");
}

if (isMainThread) {
  const [variant, natsUrl, symbolList, prefix] = process.argv.slice(2) as [Variant, string, string, string | undefined];
  const symbols = (symbolList ?? "").split(",").filter(Boolean);
  const run =
    variant === "floor" ? runFloor(natsUrl, prefix ?? "md") : variant === "kill-floor" ? runKillFloor(natsUrl, symbols) : variant === "hop" ? runHop(natsUrl, symbols) : variant === "thread-floor" ? runWorkerConnections(natsUrl, symbols, "parse-worker", prefix) : runWorkerConnections(natsUrl, symbols, "conn-worker");
  run.then(
    () => process.stdout.write("READY\n"),
    (error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
  process.on("SIGTERM", () => process.exit(0));
} else {
  workerMain(workerData as WorkerRole).catch((error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
