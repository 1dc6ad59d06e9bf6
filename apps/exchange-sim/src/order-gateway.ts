import { formatIssues, STREAMS, subjects, validators, type ExecutionReport } from "@mms/contracts";
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import { nanos } from "@nats-io/nats-core";
import { decimalString } from "./decimal";
import type { MatchingEngine } from "./matching-engine";
import type { SimulatorLogger } from "./simulator-api";

// The gateway's side of JetStream: the ORDERS and EXEC streams, the consumer of intents, and
// execution reports published in the order the engine made them.

/**
 * How long one report is retried, 250 ms x attempt apart (at most 1 s): long enough to outlast
 * a JetStream leader election after a cluster node dies (seconds, more on a loaded machine),
 * when publishes fail at once with "jetstream is not enabled" or no responders.
 */
const PUBLISH_GIVE_UP_MS = 30_000;
/** JetStream API error: a stream with this name but another config exists. */
const STREAM_NAME_IN_USE = 10058;
const PUBLISH_TIMEOUT_MS = 5000;
/**
 * Lifetime of each pull on ORDERS; the server's idle heartbeat is half of it. A pull waits on
 * the consumer's leader only: when a cluster node dies with it, the pull is gone and nats.js
 * pulls again only after two missed heartbeats. With the library's 30 s that was 30 s of
 * intents left unanswered after a node death; 5 s makes it about 5 s.
 */
const ORDER_PULL_EXPIRES_MS = 5000;

/** Creates ORDERS and EXEC when missing; leaves existing ones alone (the exchange owns them). */
export async function ensureExchangeStreams(manager: JetStreamManager, duplicateWindowMs: number, logger: SimulatorLogger): Promise<void> {
  const duplicateWindow = nanos(duplicateWindowMs);
  for (const stream of [
    { name: STREAMS.orders.name, subjects: [...STREAMS.orders.subjects], duplicate_window: duplicateWindow },
    { name: STREAMS.executionReports.name, subjects: [...STREAMS.executionReports.subjects] },
  ]) {
    try {
      await manager.streams.info(stream.name);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
      await manager.streams.add(stream).catch((addError: unknown) => {
        // Another process created it between our look and our add: that is fine.
        if (!(addError instanceof JetStreamApiError && addError.code === STREAM_NAME_IN_USE)) throw addError;
      });
      logger.info("created stream", { stream: stream.name, subjects: stream.subjects });
    }
  }
}

export interface OrderConsumer {
  readonly messages: ConsumerMessages;
  /** Ends when the consumer is closed. */
  readonly loop: Promise<void>;
}

/** One durable pull consumer on orders.> (nats-server 2.9 has no multi-filter consumers). */
export async function consumeOrderIntents(
  manager: JetStreamManager,
  js: JetStreamClient,
  settings: { readonly name: string; readonly logger: SimulatorLogger; readonly stopping: () => boolean },
  onIntent: (message: JsMsg) => void,
): Promise<OrderConsumer> {
  const { name, logger } = settings;
  try {
    await manager.consumers.info(STREAMS.orders.name, name);
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
    // A new consumer starts at this run: intents left over from before it existed are history.
    await manager.consumers.add(STREAMS.orders.name, {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date(Date.now() - 1000).toISOString(),
      filter_subject: "orders.>",
    });
  }
  const consumer = await js.consumers.get(STREAMS.orders.name, name);
  const messages = await consumer.consume({ max_messages: 256, expires: ORDER_PULL_EXPIRES_MS });
  const loop = (async () => {
    for await (const message of messages) {
      try {
        onIntent(message);
      } catch (error) {
        // A bug must not stop the gateway: drop this intent, keep consuming.
        logger.error("order intent failed", { subject: message.subject, error: String(error) });
        message.term();
      }
    }
  })().catch((error: unknown) => {
    if (!settings.stopping()) logger.error("order consumer failed", { error: String(error) });
  });
  return { messages, loop };
}

/** Publishes execution reports one after another, in the order the engine made them. */
export class ReportPublisher {
  private chain: Promise<void> = Promise.resolve();
  published = 0;
  failures = 0;

  constructor(
    private readonly js: () => JetStreamClient | undefined,
    private readonly closed: () => boolean,
    private readonly logger: SimulatorLogger,
  ) {}

  publish(report: ExecutionReport): void {
    const checked = validators.executionReport(report);
    if (!checked.ok) {
      this.logger.error("refusing to publish an invalid execution report", { execId: report.execId, issues: formatIssues(checked.issues) });
      return;
    }
    const subject = subjects.executionReports(report.account, report.symbol);
    const payload = JSON.stringify(report);
    this.chain = this.chain.then(() => this.publishWithRetry(subject, payload, report.execId));
  }

  /** Resolves once every report handed over so far is published or given up. */
  flushed(): Promise<void> {
    return this.chain;
  }

  /** Retries are safe: execId is the Nats-Msg-Id, so the stream keeps one copy. */
  private async publishWithRetry(subject: string, payload: string, execId: string): Promise<void> {
    const giveUpAt = Date.now() + PUBLISH_GIVE_UP_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.js()?.publish(subject, payload, { msgID: execId, timeout: PUBLISH_TIMEOUT_MS });
        this.published++;
        return;
      } catch (error) {
        if (Date.now() >= giveUpAt || this.closed()) {
          this.failures++;
          this.logger.error("execution report not published", { subject, execId, attempts: attempt, error: String(error) });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 250 * attempt)));
      }
    }
  }
}

/** The answer to `sim.orders.<ACCOUNT>`: what the gateway holds resting for an account. */
export function openOrdersReply(engine: MatchingEngine, account: string): { ok: true; account: string; orders: Record<string, string>[] } {
  const orders = engine.openOrders(account).map((order) => ({
    symbol: order.symbol,
    clientOrderId: order.clientOrderId,
    orderId: order.orderId,
    side: order.side,
    px: decimalString(order.px),
    qty: decimalString(order.qty),
    leavesQty: decimalString(order.leavesQty),
  }));
  return { ok: true, account, orders };
}
