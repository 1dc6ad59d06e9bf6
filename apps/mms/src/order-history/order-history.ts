import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { STREAMS, subjects, validators } from "@mms/contracts/runtime";
import { readStream, type StoredMessage } from "@mms/nats-adapter";
import { parseClientOrderId } from "./order-id";
import type { OrderRecord } from "./order-timeline";

const decoder = new TextDecoder();
/** Read from a little before the run started: clocks of hosts differ. */
const START_MARGIN_MS = 60_000;

export interface OrderQuery {
  readonly clientOrderId: string;
  /** Needed for an id not of the MMS's shape (a foreign order); otherwise read from the id. */
  readonly symbol?: string | undefined;
  /** The account of the EXEC subject; default the NEW intent's, else every account. */
  readonly account?: string | undefined;
}

export interface OrderHistory {
  readonly symbol: string;
  readonly records: OrderRecord[];
  /** A stream that could not be read (permissions, missing): said, not fatal. */
  readonly problems: string[];
}

export class OrderQueryError extends Error {}

/** Everything MMS_EVENTS and EXEC hold about one order. */
export async function readOrderHistory(connection: NatsConnection, query: OrderQuery): Promise<OrderHistory> {
  const parts = parseClientOrderId(query.clientOrderId);
  const symbol = query.symbol ?? parts?.symbol;
  if (!symbol) throw new OrderQueryError(`${query.clientOrderId} is not an MMS order id (MM-<run>-<SYMBOL>-O<n>): name its symbol with --symbol`);
  const since = parts?.runStartedAt === undefined ? undefined : new Date(parts.runStartedAt - START_MARGIN_MS);
  const js = jetstream(connection);
  const problems: string[] = [];
  const read = async (stream: string, filters: string[]): Promise<StoredMessage[]> => {
    const messages: StoredMessage[] = [];
    try {
      for (const filter of filters) messages.push(...(await readStream(js, stream, filter, since)));
    } catch (error) {
      problems.push(`${stream} not readable: ${(error as Error).message}`);
    }
    return messages;
  };

  const records: OrderRecord[] = [];
  // The run's CANCEL_ALLs name no order: those while it lived are part of its story.
  const runPrefix = parts ? query.clientOrderId.slice(0, query.clientOrderId.lastIndexOf("-O")) : undefined;
  const cancelAlls: OrderRecord[] = [];
  for (const message of await read(STREAMS.events.name, [subjects.event(symbol, "intent"), subjects.event(symbol, "fill")])) {
    const parsed = validators.auditEvent(jsonOf(message));
    if (!parsed.ok) continue;
    const event = parsed.value;
    if (event.type === "intent" && event.intent.kind === "CANCEL_ALL" && runPrefix && event.intent.intentId.startsWith(`${runPrefix}-`)) cancelAlls.push({ source: "MMS_EVENTS", seq: message.seq, event });
    const mine = (event.type === "intent" && "clientOrderId" in event.intent && event.intent.clientOrderId === query.clientOrderId) || (event.type === "fill" && event.clientOrderId === query.clientOrderId);
    if (mine && (event.type === "intent" || event.type === "fill")) records.push({ source: "MMS_EVENTS", seq: message.seq, event });
  }
  const placed = records.find((record) => record.source === "MMS_EVENTS" && record.event.type === "intent" && record.event.intent.kind === "NEW");
  const account = query.account ?? (placed?.source === "MMS_EVENTS" && placed.event.type === "intent" ? placed.event.intent.account : undefined);
  for (const message of await read(STREAMS.executionReports.name, [subjects.executionReports(account ?? "*", symbol)])) {
    const parsed = validators.executionReport(jsonOf(message));
    if (parsed.ok && parsed.value.clientOrderId === query.clientOrderId) records.push({ source: "EXEC", seq: message.seq, report: parsed.value });
  }
  const reportTimes = records.flatMap((record) => (record.source === "EXEC" ? [record.report.ts] : []));
  const placedAt = placed?.source === "MMS_EVENTS" ? placed.event.ts : undefined;
  const settledAt = reportTimes.length > 0 ? Math.max(...reportTimes) : undefined;
  if (placedAt !== undefined) records.push(...cancelAlls.filter((record) => record.source === "MMS_EVENTS" && record.event.ts >= placedAt && (settledAt === undefined || record.event.ts <= settledAt)));
  return { symbol, records, problems };
}

/** A body that is not JSON is no record of ours: the validators refuse undefined. */
function jsonOf(message: StoredMessage): unknown {
  try {
    return JSON.parse(decoder.decode(message.data)) as unknown;
  } catch {
    return undefined;
  }
}
