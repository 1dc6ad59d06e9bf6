import Big from "big.js";
import type { AuditEvent, ExecutionReport } from "@mms/contracts/runtime";

type IntentEvent = Extract<AuditEvent, { type: "intent" }>;
type FillEvent = Extract<AuditEvent, { type: "fill" }>;

/** One thing that happened to an order, from the audit events (MMS_EVENTS) or the exchange (EXEC). */
export type OrderRecord =
  | { readonly source: "MMS_EVENTS"; readonly seq: number; readonly event: IntentEvent | FillEvent }
  | { readonly source: "EXEC"; readonly seq: number; readonly report: ExecutionReport };

function tsOf(record: OrderRecord): number {
  return record.source === "EXEC" ? record.report.ts : record.event.ts;
}

/** In time order; at the same millisecond the MMS's own record first, then by stream sequence. */
export function inTimeOrder(records: readonly OrderRecord[]): OrderRecord[] {
  return [...records].sort((a, b) => tsOf(a) - tsOf(b) || (a.source === b.source ? a.seq - b.seq : a.source === "MMS_EVENTS" ? -1 : 1));
}

function describe(record: OrderRecord): string {
  if (record.source === "EXEC") {
    const report = record.report;
    switch (report.kind) {
      case "ACCEPTED":
        return `ACCEPTED by the exchange: orderId ${report.orderId}, ${report.side} ${report.qty} @ ${report.px}`;
      case "REJECTED":
        return `REJECTED by the exchange: ${report.reason}`;
      case "FILL":
        return `FILL ${report.side} ${report.qty} @ ${report.px}, leaves ${report.leavesQty}, fee ${report.fee}, ${report.liquidity} (fillId ${report.fillId})`;
      case "CANCELED":
        return `CANCELED by the exchange: ${report.reason} (orderId ${report.orderId})`;
      default:
        return "unknown report";
    }
  }
  const event = record.event;
  if (event.type === "fill") return `fill booked by ${event.instance}: position ${event.position}, avg entry ${event.avgEntryPx ?? "-"}, realized ${event.realizedPnl}, fees ${event.fees}`;
  const intent = event.intent;
  const shadow = event.shadow ? " (shadow: not sent)" : "";
  const denied = event.denied ? ` DENIED by the pre-trade check ${event.denied.check}` : "";
  switch (intent.kind) {
    case "NEW":
      return `intent NEW ${intent.side} ${intent.qty} @ ${intent.px} ${intent.type} ${intent.tif}, intentId ${intent.intentId}, from ${event.instance}${shadow}${denied}`;
    case "CANCEL":
      return `intent CANCEL, intentId ${intent.intentId}, from ${event.instance}${shadow}`;
    case "CANCEL_ALL":
      return `intent CANCEL_ALL of the symbol (${intent.reason}), intentId ${intent.intentId}, from ${event.instance}${shadow}`;
    case "COUNTDOWN":
      return `intent COUNTDOWN ${intent.timeoutMs} ms, intentId ${intent.intentId}`;
  }
}

/** How the exchange's reports leave the order. */
export function finalState(records: readonly OrderRecord[]): string {
  const reports = records.flatMap((record) => (record.source === "EXEC" ? [record.report] : []));
  const ordered = records.find((record) => record.source === "MMS_EVENTS" && record.event.type === "intent" && record.event.intent.kind === "NEW");
  const quantity = ordered?.source === "MMS_EVENTS" && ordered.event.type === "intent" && ordered.event.intent.kind === "NEW" ? ordered.event.intent.qty : undefined;
  const filled = reports.reduce((sum, report) => (report.kind === "FILL" ? sum.plus(report.qty) : sum), new Big(0));
  const share = quantity ? `filled ${filled.toFixed()} of ${quantity}` : `filled ${filled.toFixed()}`;
  const last = reports.at(-1);
  if (!last) return ordered ? "no execution report: the exchange never answered (or EXEC was not readable)" : "no record";
  if (last.kind === "FILL" && new Big(last.leavesQty).eq(0)) return `FILLED (${share})`;
  if (last.kind === "REJECTED") return `REJECTED (${last.reason})`;
  if (last.kind === "CANCELED") return `CANCELED (${last.reason}; ${share})`;
  return `LIVE as far as the reports go (${share})`;
}

/** The readable history: a header, one line per record in time order, the final state. */
export function formatTimeline(clientOrderId: string, symbol: string, records: readonly OrderRecord[]): string {
  const ordered = inTimeOrder(records);
  const lines = ordered.map((record) => `${new Date(tsOf(record)).toISOString()}  ${record.source.padEnd(10)} #${String(record.seq).padEnd(7)} ${describe(record)}`);
  return [`order ${clientOrderId} (${symbol})`, ...lines, `final: ${finalState(ordered)}`].join("\n");
}
