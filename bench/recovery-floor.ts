/**
 * What nats-server can deliver of EXEC to a nats.js v3 client, by consumer settings: the
 * search behind the recovery bench's floor (bench/findings.md, issue 12 recovery). Not part
 * of `npm run bench`:
 *
 *   npx tsx bench/recovery-floor.ts [--reports 1000000] [--only name,name]
 *
 * Loads EXEC as the recovery bench does, then reads all of it once per variant; prints
 * reports/s, the client's and the server's CPU us/report, and the load.
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { connect } from "@nats-io/transport-node";
import { DeliverPolicy, jetstream, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { loadAverage, round } from "./lib/machine";
import { BENCH_ACCOUNT, benchSymbols } from "./lib/mms-process";
import { startNatsServer } from "./lib/nats-server";
import { cpuSeconds } from "./lib/proc";
import { createExchangeStreams } from "./lib/streams";
import { nextMessage, spawnTsWorker } from "./lib/threads";
import { publishInParallel } from "./recovery";

const decoder = new TextDecoder();

interface ReadPlan {
  readonly filter?: string;
  readonly startSequence?: number;
  /** Messages to read; the read stops at this count. */
  readonly count: number;
  readonly mode: "consume" | "iterate" | "fetch";
  readonly maxMessages: number;
  readonly maxBytes?: number;
  readonly thresholdMessages?: number;
  readonly parse: boolean;
}

/** Reads `plan.count` messages through one ordered consumer. */
async function readPlan(connection: NatsConnection, plan: ReadPlan): Promise<number> {
  const consumer = await jetstream(connection).consumers.get("EXEC", {
    ...(plan.filter ? { filter_subjects: plan.filter } : {}),
    ...(plan.startSequence ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: plan.startSequence } : { deliver_policy: DeliverPolicy.All }),
  });
  let count = 0;
  const onMessage = (message: JsMsg): void => {
    if (plan.parse) JSON.parse(decoder.decode(message.data));
    count += 1;
  };
  const size = plan.maxBytes ? { max_bytes: plan.maxBytes } : { max_messages: plan.maxMessages, ...(plan.thresholdMessages ? { threshold_messages: plan.thresholdMessages } : {}) };
  if (plan.mode === "fetch") {
    while (count < plan.count) {
      const batch = await consumer.fetch({ max_messages: Math.min(plan.maxMessages, plan.count - count), expires: 5000 });
      for await (const message of batch) onMessage(message);
    }
    return count;
  }
  if (plan.mode === "iterate") {
    const messages = await consumer.consume(size);
    for await (const message of messages) {
      onMessage(message);
      if (count >= plan.count) break;
    }
    await messages.close();
    return count;
  }
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const messages = await consumer.consume({
    ...size,
    callback: (message) => {
      if (count >= plan.count) return;
      onMessage(message);
      if (count >= plan.count) finish();
    },
  });
  await finished;
  messages.stop();
  return count;
}

interface Variant {
  readonly name: string;
  /** One plan per consumer; `threads` runs each on its own worker thread and connection. */
  readonly plans: (total: number, perSymbol: Record<string, number>) => ReadPlan[];
  readonly threads?: boolean;
}

/** A worker thread with its own connection, loaded and connected, waiting for "go". */
async function readyWorker(url: string, plan: ReadPlan): Promise<() => Promise<number>> {
  const worker = spawnTsWorker(__filename, { url, plan });
  await nextMessage<{ ready: boolean }>(worker, (message) => message.ready, 120_000);
  return async () => {
    const done = nextMessage<{ count?: number }>(worker, (message) => message.count !== undefined, 600_000);
    worker.postMessage("go");
    const { count } = await done;
    await worker.terminate();
    return count!;
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const argument = (name: string): string | undefined => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const total = Number(argument("reports") ?? 1_000_000);
  const only = argument("only")?.split(",");
  const symbols = benchSymbols(4, "R");
  const subjectOf = (symbol: string): string => `exec.${BENCH_ACCOUNT}.${symbol}`;
  const whole = (mode: ReadPlan["mode"], maxMessages: number, parse: boolean, extra: Partial<ReadPlan> = {}) => (count: number): ReadPlan[] => [{ count, mode, maxMessages, parse, ...extra }];
  const bySymbol = (parse: boolean, maxMessages: number) => (_count: number, perSymbol: Record<string, number>): ReadPlan[] =>
    symbols.map((symbol) => ({ filter: subjectOf(symbol), count: perSymbol[symbol]!, mode: "consume", maxMessages, parse }));
  const halves = (parse: boolean, maxMessages: number, parts: number) => (count: number): ReadPlan[] =>
    Array.from({ length: parts }, (_, part) => ({ startSequence: 1 + Math.floor((count * part) / parts), count: Math.floor((count * (part + 1)) / parts) - Math.floor((count * part) / parts), mode: "consume", maxMessages, parse }));
  const variants: Variant[] = [
    { name: "bench-floor (iterate, 2048, parse)", plans: whole("iterate", 2048, true) },
    { name: "consume-callback-2048-raw", plans: whole("consume", 2048, false) },
    { name: "consume-callback-2048-parse", plans: whole("consume", 2048, true) },
    { name: "consume-callback-10000-parse", plans: whole("consume", 10_000, true) },
    { name: "consume-callback-512-parse", plans: whole("consume", 512, true) },
    { name: "consume-callback-8MiB-parse", plans: whole("consume", 0, true, { maxBytes: 8 * 1024 * 1024 }) },
    { name: "fetch-10000-parse", plans: whole("fetch", 10_000, true) },
    { name: "4-subjects-1-connection-parse", plans: bySymbol(true, 4096) },
    { name: "4-subjects-4-threads-parse", plans: bySymbol(true, 4096), threads: true },
    { name: "4-subjects-4-threads-raw", plans: bySymbol(false, 4096), threads: true },
    { name: "2-ranges-2-threads-parse", plans: halves(true, 4096, 2), threads: true },
  ].filter((variant) => !only || only.some((name) => variant.name.startsWith(name)));

  const server = await startNatsServer();
  const connection = await connect({ servers: [server.url], name: "recovery-floor" });
  try {
    await createExchangeStreams(connection);
    const load = await publishInParallel(server.url, 0, total, symbols);
    process.stdout.write(`loaded ${total} reports at ${load.rate}/s\n`);
    const perSymbol: Record<string, number> = {};
    // Three reports an order, orders round robin over the symbols (bench/recovery.ts).
    for (let index = 0; index < total; index++) {
      const symbol = symbols[Math.floor(index / 3) % symbols.length]!;
      perSymbol[symbol] = (perSymbol[symbol] ?? 0) + 1;
    }
    for (const variant of variants) {
      const plans = variant.plans(total, perSymbol);
      // Threads load and connect first: their start-up is not delivery.
      const starts = variant.threads ? await Promise.all(plans.map((plan) => readyWorker(server.url, plan))) : plans.map((plan) => () => readPlan(connection, plan));
      const load = loadAverage()[0];
      const clientBefore = cpuSeconds(process.pid);
      const serverBefore = cpuSeconds(server.pid);
      const started = performance.now();
      const counts = await Promise.all(starts.map((start) => start()));
      const seconds = (performance.now() - started) / 1000;
      const read = counts.reduce((sum, count) => sum + count, 0);
      const client = cpuSeconds(process.pid) - clientBefore;
      const serverCpu = cpuSeconds(server.pid) - serverBefore;
      process.stdout.write(
        `${variant.name}: ${round(read / seconds, 0)}/s (${round(seconds, 2)} s), client ${round((client * 1e6) / read, 1)} us/report, server ${round((serverCpu * 1e6) / read, 1)} us/report; load ${load.toFixed(2)}\n`,
      );
    }
  } finally {
    await connection.close();
    await server.stop();
  }
}

if (isMainThread) {
  void main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  const { url, plan } = workerData as { url: string; plan: ReadPlan };
  void (async () => {
    const connection = await connect({ servers: [url], name: "recovery-floor-worker" });
    const go = new Promise((resolve) => parentPort!.once("message", resolve));
    parentPort!.postMessage({ ready: true });
    await go;
    const count = await readPlan(connection, plan);
    await connection.close();
    parentPort!.postMessage({ count });
  })();
}
