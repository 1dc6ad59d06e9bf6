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
 *   node --import tsx bench/cycle-floor.ts <natsUrl> <SYM,SYM,...>    (prints READY)
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { connect } from "@nats-io/transport-node";
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import { StreamPublisher } from "@mms/nats-adapter";
import { CYCLE_FLOOR_PREFIX } from "./lib/market-feed";
import { spawnTsWorker } from "./lib/threads";

export const CYCLE_FLOOR_ACCOUNT = "FLOOR";
export const CYCLE_FLOOR_INSTANCE = "cycle-floor";

interface FloorWorkerData {
  readonly symbol: string;
  readonly natsUrl: string;
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

async function runSymbol(data: FloorWorkerData): Promise<void> {
  const { symbol } = data;
  const connection = await connect({ servers: [data.natsUrl], name: `bench-cycle-floor-${symbol}` });
  const publisher = new StreamPublisher(connection);
  const runTag = Math.random().toString(36).slice(2, 8);
  let nextId = 0;
  let eventSeq = 0;
  /** clientOrderId -> "NEW" (sent, not accepted), "LIVE" or "CANCELLING". */
  const orders = new Map<string, "NEW" | "LIVE" | "CANCELLING">();
  let lastBid = "";
  let lastAsk = "";

  const publish = (subject: string, body: Record<string, unknown>, messageId: string) => void publisher.publish(subject, encoder.encode(JSON.stringify(body)), { messageId, timeoutMs: 2000 });
  const event = (type: string, ts: number, fields: Record<string, unknown>) => {
    eventSeq += 1;
    publish(`mms.events.${symbol}.${type}`, { type, symbol, instance: CYCLE_FLOOR_INSTANCE, seq: eventSeq, ts, mode: "live", ...fields }, `${CYCLE_FLOOR_INSTANCE}-${runTag}-${symbol}-${eventSeq}`);
  };
  const intent = (body: Record<string, unknown> & { intentId: string; ts: number }) => {
    publish(`orders.${symbol}`, body, body.intentId);
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

  const onDelta = (delta: Delta) => {
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
  };

  const onReport = (report: Report) => {
    const clientOrderId = report.clientOrderId;
    if (clientOrderId === undefined || !orders.has(clientOrderId)) return;
    if (report.kind === "ACCEPTED") orders.set(clientOrderId, "LIVE");
    else if (report.kind === "CANCELED" || report.kind === "REJECTED") {
      orders.delete(clientOrderId);
      if (orders.size === 0) placeBoth();
    }
  };

  const consumer = await jetstream(connection).consumers.get("EXEC", { filter_subjects: `exec.${CYCLE_FLOOR_ACCOUNT}.${symbol}`, deliver_policy: DeliverPolicy.New });
  await consumer.consume({ max_messages: 256, expires: 5000, callback: (message) => onReport(JSON.parse(decoder.decode(message.data)) as Report) });
  connection.subscribe(`${CYCLE_FLOOR_PREFIX}.${symbol}.delta`, { callback: (_error, message) => onDelta(JSON.parse(decoder.decode(message.data)) as Delta) });
  connection.subscribe(`${CYCLE_FLOOR_PREFIX}.${symbol}.status`, { callback: (_error, message) => void JSON.parse(decoder.decode(message.data)) });
  await connection.flush();
}

async function main(natsUrl: string, symbols: readonly string[]): Promise<void> {
  await Promise.all(
    symbols.map(
      (symbol) =>
        new Promise<void>((resolve, reject) => {
          const worker = spawnTsWorker(__filename, { symbol, natsUrl } satisfies FloorWorkerData);
          worker.once("message", () => resolve());
          worker.once("error", reject);
        }),
    ),
  );
}

if (isMainThread && require.main === module) {
  const [natsUrl, symbolList] = process.argv.slice(2) as [string, string];
  main(natsUrl, symbolList.split(",").filter(Boolean)).then(
    () => process.stdout.write("READY\n"),
    (error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
  process.on("SIGTERM", () => process.exit(0));
} else if (!isMainThread) {
  runSymbol(workerData as FloorWorkerData).then(
    () => parentPort!.postMessage("ready"),
    (error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
