import { isMainThread, parentPort, workerData, type Worker } from "node:worker_threads";
import { connect } from "@nats-io/transport-node";
import { nextMessage, spawnTsWorker } from "./threads";

/**
 * The order gateway's side, as fast as it can be: it reads intents with a core
 * subscription on `orders.>` (a JetStream publish is an ordinary message on its subject;
 * the ORDERS stream acks it) and answers at once with a core publish into `exec.>`
 * (the EXEC stream stores it): NEW -> ACCEPTED, CANCEL -> CANCELED, CANCEL_ALL ->
 * CANCELED for each live order, COUNTDOWN -> nothing. Runs in its own worker thread so
 * its work does not delay the bench's clock readings.
 */

interface StubData {
  readonly natsUrl: string;
}

export type StubRequest = { readonly kind: "QUERY" } | { readonly kind: "STOP" };
export type StubMessage =
  | { readonly kind: "READY" }
  | { readonly kind: "STATE"; readonly liveBySymbol: Record<string, number>; readonly counts: Record<string, number> }
  | { readonly kind: "STOPPED" };

interface LiveOrder {
  readonly symbol: string;
  readonly account: string;
  readonly orderId: string;
}

interface Intent {
  kind: string;
  intentId?: string;
  clientOrderId?: string;
  account: string;
  symbol: string;
  side?: string;
  px?: string;
  qty?: string;
}

async function runStub(data: StubData): Promise<void> {
  const port = parentPort!;
  const connection = await connect({ servers: [data.natsUrl], name: "bench-exchange-stub" });
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const live = new Map<string, LiveOrder>();
  const counts: Record<string, number> = { NEW: 0, CANCEL: 0, CANCEL_ALL: 0, COUNTDOWN: 0, reports: 0, unknownCancels: 0 };
  /** Like the exchange, an intent seen before (a resend whose ack was lost) is applied once. */
  const seenIntents = new Set<string>();
  let execCounter = 0;
  const runTag = Math.random().toString(36).slice(2, 8);

  const report = (body: Record<string, unknown> & { account: string; symbol: string }) => {
    execCounter += 1;
    counts.reports! += 1;
    const full = { ...body, execId: `BX-${runTag}-${execCounter}`, ts: Date.now() };
    connection.publish(`exec.${body.account}.${body.symbol}`, encoder.encode(JSON.stringify(full)));
  };

  connection.subscribe("orders.>", {
    callback: (_error, message) => {
      let intent: Intent;
      try {
        intent = JSON.parse(decoder.decode(message.data)) as Intent;
      } catch {
        return;
      }
      if (intent.intentId !== undefined) {
        if (seenIntents.has(intent.intentId)) return;
        seenIntents.add(intent.intentId);
      }
      counts[intent.kind] = (counts[intent.kind] ?? 0) + 1;
      const { account, symbol } = intent;
      switch (intent.kind) {
        case "NEW": {
          const clientOrderId = intent.clientOrderId!;
          const orderId = `BO-${runTag}-${clientOrderId}`;
          live.set(clientOrderId, { symbol, account, orderId });
          report({ kind: "ACCEPTED", account, symbol, clientOrderId, orderId, side: intent.side, px: intent.px, qty: intent.qty });
          return;
        }
        case "CANCEL": {
          const clientOrderId = intent.clientOrderId!;
          const order = live.get(clientOrderId);
          if (!order) {
            counts.unknownCancels! += 1;
            report({ kind: "REJECTED", account, symbol, clientOrderId, reason: "UNKNOWN_ORDER" });
            return;
          }
          live.delete(clientOrderId);
          report({ kind: "CANCELED", account, symbol, clientOrderId, orderId: order.orderId, reason: "USER" });
          return;
        }
        case "CANCEL_ALL":
          for (const [clientOrderId, order] of live) {
            if (order.symbol !== symbol || order.account !== account) continue;
            live.delete(clientOrderId);
            report({ kind: "CANCELED", account, symbol, clientOrderId, orderId: order.orderId, reason: "CANCEL_ALL" });
          }
          return;
        default:
          return;
      }
    },
  });
  await connection.flush();

  port.on("message", (request: StubRequest) => {
    if (request.kind === "QUERY") {
      const liveBySymbol: Record<string, number> = {};
      for (const order of live.values()) liveBySymbol[order.symbol] = (liveBySymbol[order.symbol] ?? 0) + 1;
      port.postMessage({ kind: "STATE", liveBySymbol, counts: { ...counts } } satisfies StubMessage);
    } else {
      void connection.drain().then(() => {
        port.postMessage({ kind: "STOPPED" } satisfies StubMessage);
        port.close();
      });
    }
  });
  port.postMessage({ kind: "READY" } satisfies StubMessage);
}

if (!isMainThread && (workerData as { role?: string } | undefined)?.role === "exchange-stub") {
  runStub(workerData as StubData).catch((error: Error) => {
    console.error(`exchange stub failed: ${error.stack ?? error.message}`);
    process.exit(1);
  });
}

export class ExchangeStub {
  private constructor(private readonly worker: Worker) {}

  static async start(natsUrl: string): Promise<ExchangeStub> {
    const worker = spawnTsWorker(__filename, { role: "exchange-stub", natsUrl });
    await nextMessage<StubMessage>(worker, (message) => message.kind === "READY");
    return new ExchangeStub(worker);
  }

  async state(): Promise<Extract<StubMessage, { kind: "STATE" }>> {
    const reply = nextMessage<StubMessage>(this.worker, (message) => message.kind === "STATE");
    this.worker.postMessage({ kind: "QUERY" } satisfies StubRequest);
    return (await reply) as Extract<StubMessage, { kind: "STATE" }>;
  }

  async stop(): Promise<void> {
    const stopped = nextMessage<StubMessage>(this.worker, (message) => message.kind === "STOPPED", 10_000).catch(() => undefined);
    this.worker.postMessage({ kind: "STOP" } satisfies StubRequest);
    await stopped;
    await this.worker.terminate();
  }
}
