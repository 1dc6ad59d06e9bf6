import type { ExecutionReport } from "@mms/contracts/runtime";

// Two stops read straight off one execution report: the exchange's countdown cancelled
// what an ACTIVE symbol was quoting, or someone else trades the MMS account.

/** Every reason code of the protection stops and their refusals, until the contracts vocabulary has them. */
export type ProtectionReasonCode =
  | "MMP_TRIGGERED"
  | "MMP_FROZEN"
  | "PRICE_JUMP"
  | "DEADMAN_FIRED"
  | "PRETRADE_DENIED"
  | "ORDER_STATE_UNKNOWN"
  | "FOREIGN_ORDER"
  | "REDUCED"
  | "NOTHING_TO_REDUCE";

/** Every clientOrderId the MMS issues starts with this. */
export const MMS_CLIENT_ORDER_PREFIX = "MM-";

export interface ReportStop {
  readonly code: "DEADMAN_FIRED" | "FOREIGN_ORDER";
  readonly clientOrderId: string;
  readonly detail: string;
}

export interface ReportContext {
  /** Replayed at start-up: history, not news. */
  readonly replay: boolean;
  readonly active: boolean;
}

/**
 * FOREIGN_ORDER (HALTED) for a live report whose order the MMS did not issue; else
 * DEADMAN_FIRED (PAUSED) for a live COUNTDOWN cancel while ACTIVE. The foreign order's
 * fills still count in the position: the caller applies the report as usual.
 */
export function reportStop(report: ExecutionReport, context: ReportContext): ReportStop | undefined {
  if (context.replay) return undefined;
  const { clientOrderId } = report;
  if (!clientOrderId.startsWith(MMS_CLIENT_ORDER_PREFIX)) {
    return { code: "FOREIGN_ORDER", clientOrderId, detail: `${report.kind} on ${report.account} for ${clientOrderId}, an order the MMS did not issue` };
  }
  if (context.active && report.kind === "CANCELED" && report.reason === "COUNTDOWN") {
    return { code: "DEADMAN_FIRED", clientOrderId, detail: `the exchange's countdown cancelled ${clientOrderId} while ACTIVE` };
  }
  return undefined;
}
