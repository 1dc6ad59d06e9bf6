import { DeliverPolicy, jetstream, type ConsumerMessages } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { STREAMS, type ControlReply, type ExecutionReport, type OrderIntent, type ServiceConfigInput, type StatusReply, type SymbolConfigInput } from "@mms/contracts";
import { serviceConfigInput, waitFor, writeConfigFile, type SimOrder } from "@mms/test-support";

/**
 * Helpers for the crash-safety suite: what an operator sees on the wire when processes die
 * or two instances run the same symbols. Every view here is read from NATS, never from the
 * service's memory.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Every reply to one request, like `nats req SUBJECT BODY --replies 0 --timeout T`: replies are
 * collected until `maxWaitMs` passes, or earlier once `expected` have arrived.
 */
export async function collectReplies<T>(client: NatsConnection, subject: string, body: unknown, { maxWaitMs = 1500, expected }: { maxWaitMs?: number; expected?: number } = {}): Promise<T[]> {
  const data = body === undefined ? new Uint8Array(0) : encoder.encode(typeof body === "string" ? body : JSON.stringify(body));
  const replies: T[] = [];
  try {
    const iterator = await client.requestMany(subject, data, expected ? { strategy: "count", maxWait: maxWaitMs, maxMessages: expected } : { strategy: "timer", maxWait: maxWaitMs });
    for await (const message of iterator) {
      // An empty message is the "no responders" sentinel.
      if (message.data.byteLength === 0) continue;
      replies.push(JSON.parse(decoder.decode(message.data)) as T);
    }
  } catch (error) {
    // No responders at all: nobody runs it (or nothing is up yet).
    if (!/no responders|503/i.test(String(error))) throw error;
  }
  return replies;
}

/** `nats req mms.status '' --replies 0`: one reply per running instance. */
export function statusReplies(client: NatsConnection, options: { maxWaitMs?: number; expected?: number } = {}): Promise<StatusReply[]> {
  return collectReplies<StatusReply>(client, "mms.status", undefined, options);
}

/** A control command and every instance's reply to it. */
export function controlReplies(client: NatsConnection, subject: string, body: unknown, options: { maxWaitMs?: number; expected?: number } = {}): Promise<ControlReply[]> {
  return collectReplies<ControlReply>(client, subject, body, { maxWaitMs: 3000, ...options });
}

/** The run id inside an instance (`<instanceName>-<runId>`): the prefix of its intent ids is `MM-<runId>-`. */
export function runIdOf(instance: string, instanceName: string): string {
  if (!instance.startsWith(`${instanceName}-`)) throw new Error(`${instance} is not a run of ${instanceName}`);
  return instance.slice(instanceName.length + 1);
}

export function intentOfRun(intent: OrderIntent, runId: string): boolean {
  return intent.intentId.startsWith(`MM-${runId}-`);
}

export interface StoredIntent {
  readonly intent: OrderIntent;
  /** When the ORDERS stream stored it (server clock, ms). */
  readonly storedAt: number;
  readonly streamSeq: number;
}

/** Every intent in the ORDERS stream, as the exchange's gateway receives them, with the stream's time. */
export class OrdersTap {
  readonly entries: StoredIntent[] = [];
  private constructor(private readonly messages: ConsumerMessages) {}

  static async open(client: NatsConnection): Promise<OrdersTap> {
    const consumer = await jetstream(client).consumers.get(STREAMS.orders.name, { filter_subjects: "orders.>", deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume();
    const tap = new OrdersTap(messages);
    void (async () => {
      for await (const message of messages) {
        tap.entries.push({ intent: JSON.parse(decoder.decode(message.data)) as OrderIntent, storedAt: message.time.getTime(), streamSeq: message.seq });
      }
    })();
    return tap;
  }

  of(filter: (intent: OrderIntent) => boolean): StoredIntent[] {
    return this.entries.filter((entry) => filter(entry.intent));
  }

  async close(): Promise<void> {
    await this.messages.close().catch(() => undefined);
  }
}

export interface ReceivedReport {
  readonly report: ExecutionReport;
  /** When this test process received it (local clock, ms). */
  readonly receivedAt: number;
}

/** Execution reports of one account as they are published (core subscription on `exec.<ACCOUNT>.>`). */
export class ReportsTap {
  readonly entries: ReceivedReport[] = [];
  private readonly subscription: Subscription;

  constructor(client: NatsConnection, account: string) {
    this.subscription = client.subscribe(`exec.${account}.>`, {
      callback: (error, message) => {
        if (!error) this.entries.push({ report: JSON.parse(decoder.decode(message.data)) as ExecutionReport, receivedAt: Date.now() });
      },
    });
  }

  canceled(reason?: string): Array<ReceivedReport & { report: Extract<ExecutionReport, { kind: "CANCELED" }> }> {
    return this.entries.filter((entry): entry is ReceivedReport & { report: Extract<ExecutionReport, { kind: "CANCELED" }> } => entry.report.kind === "CANCELED" && (reason === undefined || entry.report.reason === reason));
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}


/** `sim.orders.<ACCOUNT>`: what rests at the simulator for the account. */
export async function simOrders(client: NatsConnection, account: string, symbol?: string): Promise<SimOrder[]> {
  const reply = await client.request(`sim.orders.${account}`, new Uint8Array(0), { timeout: 3000 });
  const orders = (JSON.parse(decoder.decode(reply.data)) as { orders: SimOrder[] }).orders;
  return symbol === undefined ? orders : orders.filter((order) => order.symbol === symbol);
}

/** A config file for a child-process MMS (JSON), with the test's NATS and quiet logs. */
export function childConfig(natsUrl: string, symbols: SymbolConfigInput[], overrides: Partial<ServiceConfigInput> = {}): { path: string; config: ServiceConfigInput } {
  const suffix = Math.random().toString(36).slice(2, 8).toUpperCase();
  const config = serviceConfigInput(natsUrl, symbols, { account: `MM_CRASH_${suffix}`, instanceName: `mms-crash-${suffix.toLowerCase()}`, ...overrides });
  return { path: writeConfigFile(config), config };
}

/** Largest gap between consecutive values (sorted ascending); 0 for fewer than two. */
export function largestGap(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  let gap = 0;
  for (let index = 1; index < sorted.length; index++) gap = Math.max(gap, sorted[index]! - sorted[index - 1]!);
  return gap;
}

/** Resolves once `predicate` holds, polling fast (for latency measurements). */
export function waitFast<T>(predicate: () => T | Promise<T>, timeoutMs: number, description: string): Promise<NonNullable<T>> {
  return waitFor(predicate, { timeoutMs, intervalMs: 25, description });
}

/** Runs `body`; when it fails, prints `explain()` (the processes' logs) before rethrowing. */
export async function explainedBy<T>(explain: () => string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    console.log(explain());
    throw error;
  }
}
