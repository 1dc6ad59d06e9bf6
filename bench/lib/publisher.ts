import { isMainThread, parentPort, workerData, type Worker } from "node:worker_threads";
import { connect } from "@nats-io/transport-node";
import { MarketFeed, type BookModel, type FeedTarget } from "./market-feed";
import { nextMessage, spawnTsWorker } from "./threads";

/**
 * A market-data publisher in its own worker thread with its own NATS connection: it owns
 * the books of its symbols (snapshot replies, TRADING heartbeats, paced deltas), so
 * several of them together can publish more than one event loop could.
 */

interface PublisherData {
  readonly role: "publisher";
  readonly natsUrl: string;
  readonly symbols: readonly string[];
  readonly model: BookModel;
}

type PublisherRequest = { readonly kind: "RUN"; readonly rate: number; readonly durationMs: number; readonly target: FeedTarget } | { readonly kind: "STOP" };
export interface RunOutcome {
  readonly published: number;
  readonly seconds: number;
  readonly achievedRate: number;
  readonly maxBehind: number;
  /** TRADING heartbeats sent to the MMS meanwhile. */
  readonly statuses: number;
}
type PublisherMessage = { readonly kind: "READY" } | ({ readonly kind: "DONE" } & RunOutcome) | { readonly kind: "STOPPED" };

async function runPublisher(data: PublisherData): Promise<void> {
  const port = parentPort!;
  const connection = await connect({ servers: [data.natsUrl], name: "bench-md-publisher" });
  const feed = new MarketFeed(connection, data.symbols, data.model);
  feed.answerSnapshots();
  feed.startHeartbeats(500);
  await connection.flush();
  port.on("message", (request: PublisherRequest) => {
    if (request.kind === "RUN") {
      feed.target = request.target;
      const statusesBefore = feed.publishedStatuses;
      void feed.run(request.rate, request.durationMs).then((outcome) => port.postMessage({ kind: "DONE", ...outcome, statuses: feed.publishedStatuses - statusesBefore } satisfies PublisherMessage));
    } else {
      feed.stop();
      void connection.drain().then(() => {
        port.postMessage({ kind: "STOPPED" } satisfies PublisherMessage);
        port.close();
      });
    }
  });
  port.postMessage({ kind: "READY" } satisfies PublisherMessage);
}

if (!isMainThread && (workerData as { role?: string } | undefined)?.role === "publisher") {
  runPublisher(workerData as PublisherData).catch((error: Error) => {
    console.error(`publisher failed: ${error.stack ?? error.message}`);
    process.exit(1);
  });
}

/** `count` publisher threads, the symbols dealt out between them. */
export class PublisherPool {
  private constructor(private readonly workers: Worker[]) {}

  static async start(natsUrl: string, symbols: readonly string[], model: BookModel, count: number): Promise<PublisherPool> {
    const shares = Array.from({ length: count }, (_, index) => symbols.filter((_symbol, position) => position % count === index));
    const workers = shares.map((share) => spawnTsWorker(__filename, { role: "publisher", natsUrl, symbols: share, model } satisfies PublisherData));
    await Promise.all(workers.map((worker) => nextMessage<PublisherMessage>(worker, (message) => message.kind === "READY", 60_000)));
    return new PublisherPool(workers);
  }

  /** Publishes `rate` deltas a second in total for `durationMs`; resolves with the sum of what each achieved. */
  async run(rate: number, durationMs: number, target: FeedTarget = "mms"): Promise<RunOutcome & { perPublisher: RunOutcome[] }> {
    const share = rate / this.workers.length;
    const outcomes = await Promise.all(
      this.workers.map((worker) => {
        const done = nextMessage<PublisherMessage>(worker, (message) => message.kind === "DONE", durationMs + 60_000);
        worker.postMessage({ kind: "RUN", rate: share, durationMs, target } satisfies PublisherRequest);
        return done as Promise<{ kind: "DONE" } & RunOutcome>;
      }),
    );
    const published = outcomes.reduce((sum, outcome) => sum + outcome.published, 0);
    const seconds = Math.max(...outcomes.map((outcome) => outcome.seconds));
    const statuses = outcomes.reduce((sum, outcome) => sum + outcome.statuses, 0);
    return {
      published,
      seconds,
      achievedRate: published / seconds,
      maxBehind: Math.max(...outcomes.map((outcome) => outcome.maxBehind)),
      statuses,
      perPublisher: outcomes.map(({ published: p, seconds: s, achievedRate: a, maxBehind: m, statuses: h }) => ({ published: p, seconds: s, achievedRate: a, maxBehind: m, statuses: h })),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker) => {
        const stopped = nextMessage<PublisherMessage>(worker, (message) => message.kind === "STOPPED", 10_000).catch(() => undefined);
        worker.postMessage({ kind: "STOP" } satisfies PublisherRequest);
        await stopped;
        await worker.terminate();
      }),
    );
  }
}
