/**
 * The requote floor: what the contract's messaging of one requote cycle costs with no MMS
 * logic at all. One worker thread per symbol, each with its own NATS connection (the MMS's
 * design), the same JetStream publisher the MMS uses (one shared ack subscription) and an
 * ordered pull consumer of its reports, as the MMS reads EXEC. Per moving delta on
 * `cfloor.md.<SYMBOL>.delta` while both orders rest: a quote event, then a CANCEL and an
 * intent event per order, each a JetStream publish awaited for its ack; per pair of CANCELED
 * reports: two NEWs and their intent events. The same nine publishes, four reports and one
 * delta the contract asks of the MMS per cycle; no validation, no book, no decimals, no
 * risk, no metrics. Orders go out under account FLOOR, so the MMS never sees their reports.
 *
 * Layouts, to show what the thread-and-connection-per-symbol design itself costs:
 * - threads (the default): the MMS's design, a worker thread and a connection per symbol;
 * - single: every symbol's cycle on the main thread over one connection;
 * - hop: one connection on the main thread, each symbol's cycle on its own worker thread;
 *   messages cross by postMessage, a turn's worth at a time each way.
 *
 *   node --import tsx bench/cycle-floor.ts <natsUrl> <SYM,SYM,...> [threads|single|hop]    (prints READY)
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import { StreamPublisher } from "@mms/nats-adapter";
import { CYCLE_FLOOR_PREFIX } from "./lib/market-feed";
import { spawnTsWorker } from "./lib/threads";

export const CYCLE_FLOOR_ACCOUNT = "FLOOR";
export const CYCLE_FLOOR_INSTANCE = "cycle-floor";

export type CycleFloorLayout = "threads" | "single" | "hop";

interface FloorWorkerData {
  readonly symbol: string;
  readonly natsUrl: string;
  readonly layout: CycleFloorLayout;
}

interface Delta {
  readonly symbol: string;
  readonly ts: number;
  readonly bids: ReadonlyArray<readonly [string, string]>;
  readonly asks: ReadonlyArray<readonly [string, string]>;
}

interface Report {
  readonly kind: string;
  readonly clientOrderId?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Where a symbol's cycle sends its publishes: straight to a StreamPublisher, or across a thread to the one that holds the connection. */
type Publish = (subject: string, data: Uint8Array, messageId: string) => void;

interface SymbolCycles {
  onDelta(bytes: Uint8Array): void;
  onReport(bytes: Uint8Array): void;
}

/** One symbol's requote cycles: parses what comes in, serialises what goes out. */
function symbolCycles(symbol: string, publish: Publish): SymbolCycles {
  const runTag = Math.random().toString(36).slice(2, 8);
  let nextId = 0;
  let eventSeq = 0;
  /** clientOrderId -> "NEW" (sent, not accepted), "LIVE" or "CANCELLING". */
  const orders = new Map<string, "NEW" | "LIVE" | "CANCELLING">();
  let lastBid = "";
  let lastAsk = "";

  const send = (subject: string, body: Record<string, unknown>, messageId: string) => publish(subject, encoder.encode(JSON.stringify(body)), messageId);
  const event = (type: string, ts: number, fields: Record<string, unknown>) => {
    eventSeq += 1;
    send(`mms.events.${symbol}.${type}`, { type, symbol, instance: CYCLE_FLOOR_INSTANCE, seq: eventSeq, ts, mode: "live", ...fields }, `${CYCLE_FLOOR_INSTANCE}-${runTag}-${symbol}-${eventSeq}`);
  };
  const intent = (body: Record<string, unknown> & { intentId: string; ts: number }) => {
    send(`orders.${symbol}`, body, body.intentId);
    event("intent", body.ts, { intent: body });
  };
  const placeBoth = () => {
    const ts = Date.now();
    for (const [side, px] of [["BUY", lastBid], ["SELL", lastAsk]] as const) {
      nextId += 1;
      const clientOrderId = `CF-${runTag}-${symbol}-O${nextId}`;
      orders.set(clientOrderId, "NEW");
      intent({ kind: "NEW", intentId: `CF-${runTag}-${symbol}-I${nextId}`, clientOrderId, account: CYCLE_FLOOR_ACCOUNT, symbol, side, type: "LIMIT", tif: "POST_ONLY", px, qty: "0.010", tag: "MM", ts });
    }
  };

  return {
    onDelta(bytes) {
      const delta = JSON.parse(decoder.decode(bytes)) as Delta;
      lastBid = delta.bids[0]?.[0] ?? lastBid;
      lastAsk = delta.asks[0]?.[0] ?? lastAsk;
      if (orders.size === 0) return placeBoth();
      const live = [...orders].filter(([, status]) => status === "LIVE");
      if (live.length === 0) return;
      // The quote event names the mid so the bench can tell which delta the CANCEL answers (as for the MMS).
      const ts = Date.now();
      const mid = (Number(lastBid) + Number(lastAsk)) / 2;
      event("quote", ts, { mid: mid.toFixed(2), bestBid: lastBid, bestAsk: lastAsk });
      for (const [clientOrderId] of live) {
        orders.set(clientOrderId, "CANCELLING");
        nextId += 1;
        intent({ kind: "CANCEL", intentId: `CF-${runTag}-${symbol}-I${nextId}`, clientOrderId, account: CYCLE_FLOOR_ACCOUNT, symbol, ts });
      }
    },
    onReport(bytes) {
      const report = JSON.parse(decoder.decode(bytes)) as Report;
      const clientOrderId = report.clientOrderId;
      if (clientOrderId === undefined || !orders.has(clientOrderId)) return;
      if (report.kind === "ACCEPTED") orders.set(clientOrderId, "LIVE");
      else if (report.kind === "CANCELED" || report.kind === "REJECTED") {
        orders.delete(clientOrderId);
        if (orders.size === 0) placeBoth();
      }
    },
  };
}

/** A symbol's inputs on a connection: its deltas (and heartbeats, parsed) and its reports by an ordered consumer, as the MMS reads EXEC. */
async function subscribeSymbol(connection: NatsConnection, symbol: string, cycles: SymbolCycles): Promise<void> {
  const consumer = await jetstream(connection).consumers.get("EXEC", { filter_subjects: `exec.${CYCLE_FLOOR_ACCOUNT}.${symbol}`, deliver_policy: DeliverPolicy.New });
  await consumer.consume({ max_messages: 256, expires: 5000, callback: (message) => cycles.onReport(message.data) });
  connection.subscribe(`${CYCLE_FLOOR_PREFIX}.${symbol}.delta`, { callback: (_error, message) => cycles.onDelta(message.data) });
  connection.subscribe(`${CYCLE_FLOOR_PREFIX}.${symbol}.status`, { callback: (_error, message) => void JSON.parse(decoder.decode(message.data)) });
}

const publishOn =
  (publisher: StreamPublisher): Publish =>
  (subject, data, messageId) =>
    void publisher.publish(subject, data, { messageId, timeoutMs: 2000 });

/** Layout threads: the worker has its own connection, as an MMS symbol worker does. */
async function runOwnConnection(data: FloorWorkerData): Promise<void> {
  const connection = await connect({ servers: [data.natsUrl], name: `bench-cycle-floor-${data.symbol}` });
  await subscribeSymbol(connection, data.symbol, symbolCycles(data.symbol, publishOn(new StreamPublisher(connection))));
  await connection.flush();
}

/** What crosses between the connection's thread and a symbol's worker in layout hop: a turn's worth at a time. */
type HopInput = { readonly kind: "delta" | "report"; readonly data: Uint8Array };
type HopOutput = { readonly subject: string; readonly data: Uint8Array; readonly messageId: string };

/** Collects a turn's messages for a port and posts them as one: one wake-up of the other thread per event-loop turn, not per message. */
function batchedPost<T>(post: (batch: T[]) => void): (item: T) => void {
  let batch: T[] = [];
  return (item) => {
    if (batch.length === 0)
      queueMicrotask(() => {
        const full = batch;
        batch = [];
        post(full);
      });
    batch.push(item);
  };
}

/** Layout hop, worker side: the cycle logic on its own thread, its publishes posted to the main thread. */
function runHopWorker(data: FloorWorkerData): void {
  const port = parentPort!;
  const send = batchedPost<HopOutput>((batch) => port.postMessage(batch));
  const cycles = symbolCycles(data.symbol, (subject, bytes, messageId) => send({ subject, data: bytes, messageId }));
  port.on("message", (batch: HopInput[]) => {
    for (const input of batch) {
      if (input.kind === "delta") cycles.onDelta(input.data);
      else cycles.onReport(input.data);
    }
  });
}

async function main(natsUrl: string, symbols: readonly string[], layout: CycleFloorLayout): Promise<void> {
  if (layout === "single") {
    const connection = await connect({ servers: [natsUrl], name: "bench-cycle-floor" });
    const publish = publishOn(new StreamPublisher(connection));
    await Promise.all(symbols.map((symbol) => subscribeSymbol(connection, symbol, symbolCycles(symbol, publish))));
    await connection.flush();
    return;
  }
  if (layout === "hop") {
    const connection = await connect({ servers: [natsUrl], name: "bench-cycle-floor" });
    const publish = publishOn(new StreamPublisher(connection));
    await Promise.all(
      symbols.map(async (symbol) => {
        const worker = spawnTsWorker(__filename, { symbol, natsUrl, layout } satisfies FloorWorkerData);
        await new Promise<void>((resolve, reject) => {
          worker.once("message", () => resolve());
          worker.once("error", reject);
        });
        worker.on("message", (batch: HopOutput[]) => {
          for (const output of batch) publish(output.subject, output.data, output.messageId);
        });
        const forward = batchedPost<HopInput>((batch) => worker.postMessage(batch));
        await subscribeSymbol(connection, symbol, { onDelta: (data) => forward({ kind: "delta", data }), onReport: (data) => forward({ kind: "report", data }) });
      }),
    );
    await connection.flush();
    return;
  }
  await Promise.all(
    symbols.map(
      (symbol) =>
        new Promise<void>((resolve, reject) => {
          const worker = spawnTsWorker(__filename, { symbol, natsUrl, layout } satisfies FloorWorkerData);
          worker.once("message", () => resolve());
          worker.once("error", reject);
        }),
    ),
  );
}

if (isMainThread && require.main === module) {
  const [natsUrl, symbolList, layout = "threads"] = process.argv.slice(2) as [string, string, CycleFloorLayout | undefined];
  if (layout !== "threads" && layout !== "single" && layout !== "hop") throw new Error(`layout must be threads, single or hop, not ${String(layout)}`);
  main(natsUrl, symbolList.split(",").filter(Boolean), layout).then(
    () => process.stdout.write("READY\n"),
    (error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
  process.on("SIGTERM", () => process.exit(0));
} else if (!isMainThread && (workerData as FloorWorkerData).layout === "hop") {
  runHopWorker(workerData as FloorWorkerData);
  parentPort!.postMessage("ready");
} else if (!isMainThread) {
  runOwnConnection(workerData as FloorWorkerData).then(
    () => parentPort!.postMessage("ready"),
    (error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
