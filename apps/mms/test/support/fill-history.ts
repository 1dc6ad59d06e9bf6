import Big from "big.js";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { subjects, type ExecutionReport } from "@mms/contracts";

const encoder = new TextEncoder();

/** Where the entry price of every buy sits: the average entry stays there (see fillHistory). */
const ENTRY_PRICE = "1000.0";
const FIRST_QUANTITY = "0.100";

/** Starts every report's body, once a report, whatever carries it: what a proxy can count reports by. */
export const HISTORY_REPORT_MARKER = '"execId":"HE-';

export interface FillHistory {
  readonly subject: string;
  /** In publishing order: each order ACCEPTED, then FILLED in one fill. */
  readonly reports: readonly ExecutionReport[];
  readonly fills: number;
  /** What an average-cost ledger that applied every fill once holds afterwards (big.js sums). */
  readonly expected: { readonly position: string; readonly avgEntryPx: string; readonly realizedPnl: string; readonly fees: string };
}

/**
 * A past session of `orders` orders on one account and symbol, every one accepted and filled at
 * once, with figures whose every fill shows: a first buy of 0.100, then pairs of a buy at
 * 1000.0 and a sell of the same quantity at a varying price. The position never goes flat or
 * short, so the average entry stays 1000.0 and each sell realizes (px - 1000.0) x qty; each
 * fill pays its own fee. A fill applied twice or not at all moves the fees and the position or
 * the realized PnL.
 */
export function fillHistory(account: string, symbol: string, orders: number): FillHistory {
  const reports: ExecutionReport[] = [];
  let position = new Big(0);
  let realized = new Big(0);
  let fees = new Big(0);
  const ts = Date.now() - 3_600_000;
  for (let order = 0; order < orders; order++) {
    const buy = order === 0 || order % 2 === 1;
    const pair = Math.floor((order + 1) / 2);
    const qty = order === 0 ? FIRST_QUANTITY : new Big("0.001").times(1 + (pair % 9)).toFixed(3);
    const px = buy ? ENTRY_PRICE : new Big(ENTRY_PRICE).plus(new Big("0.5").times((pair % 11) - 5)).toFixed(1);
    const fee = new Big("0.0001").times(1 + (order % 13)).toFixed(4);
    const side = buy ? "BUY" : "SELL";
    const ids = { account, symbol, clientOrderId: `H-${order}`, orderId: `X-H-${order}` };
    reports.push({ kind: "ACCEPTED", execId: `HE-${order}-A`, ts: ts + 2 * order, ...ids, side, px, qty });
    reports.push({ kind: "FILL", execId: `HE-${order}-F`, ts: ts + 2 * order + 1, ...ids, side, fillId: `HF-${order}`, px, qty, leavesQty: "0", fee, liquidity: "MAKER" });
    fees = fees.plus(fee);
    if (buy) position = position.plus(qty);
    else {
      position = position.minus(qty);
      realized = realized.plus(new Big(px).minus(ENTRY_PRICE).times(qty));
    }
  }
  return {
    subject: subjects.executionReports(account, symbol),
    reports,
    fills: orders,
    expected: { position: position.toFixed(), avgEntryPx: new Big(ENTRY_PRICE).toFixed(), realizedPnl: realized.toFixed(), fees: fees.toFixed() },
  };
}

/** Stores every report in EXEC, in order, with up to `window` acks outstanding; resolves with the last stream sequence. */
export async function publishHistory(connection: NatsConnection, history: FillHistory, window = 512): Promise<number> {
  const client = jetstream(connection);
  const inFlight = new Set<Promise<unknown>>();
  let last = 0;
  for (const report of history.reports) {
    const publish = client.publish(history.subject, encoder.encode(JSON.stringify(report)), { timeout: 30_000 }).then((ack) => (last = Math.max(last, ack.seq)));
    inFlight.add(publish);
    void publish.finally(() => inFlight.delete(publish));
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return last;
}
