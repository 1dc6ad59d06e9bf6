import type { Side } from "@mms/contracts";
import { Big } from "./decimal";
import { isForeignClientOrderId, type ForeignOrder } from "./account-faults";
import type { TakerFlow } from "./market-driver";
import type { PriceLevel } from "./order-book";

/** Faults and helpers a test or the demo can ask for on `sim.control.<SYMBOL|all>.<fault>`. */
export const SIM_CONTROL_FAULTS = [
  "halt",
  "resume-trading",
  "close",
  "stop-md",
  "start-md",
  "crossed",
  "skip-seq",
  "delay-md",
  "reject-all",
  "silence",
  "answer",
  "pause-driver",
  "resume-driver",
  "set-book",
  "trade",
  "taker-flow",
  "publish-snapshot",
  "fire-countdown",
  "foreign-order",
  "info",
] as const;
export type SimControlFault = (typeof SIM_CONTROL_FAULTS)[number];

export type SimControlCommand =
  | { readonly kind: "halt" | "resume-trading" | "close" | "stop-md" | "start-md" | "crossed" | "skip-seq" }
  /** silence: the gateway takes NEW, CANCEL and CANCEL_ALL and does nothing (no reports); answer: back to normal. */
  | { readonly kind: "silence" | "answer" }
  | { readonly kind: "pause-driver" | "resume-driver" | "publish-snapshot" | "info" }
  | { readonly kind: "delay-md"; readonly ms: number }
  | { readonly kind: "reject-all"; readonly enabled: boolean; readonly reason: string }
  | { readonly kind: "set-book"; readonly bids: readonly PriceLevel[]; readonly asks: readonly PriceLevel[] }
  | { readonly kind: "trade"; readonly side: Side; readonly qty: Big; readonly px: Big | undefined }
  | { readonly kind: "taker-flow"; readonly flow: TakerFlow; readonly probability: number | undefined }
  | { readonly kind: "fire-countdown"; readonly account: string }
  | { readonly kind: "foreign-order"; readonly order: ForeignOrder };

/** Every reply: `{ok: true, ...details}` or `{ok: false, error}`. */
export type SimControlReply = ({ readonly ok: true } & Readonly<Record<string, unknown>>) | { readonly ok: false; readonly error: string };

export type ParsedControl = { readonly ok: true; readonly command: SimControlCommand } | { readonly ok: false; readonly error: string };

const POSITIVE_DECIMAL = /^(?=.*[1-9])(0|[1-9][0-9]{0,19})(\.[0-9]{1,18})?$/;
const MAX_DELAY_MS = 600_000;
const TAKER_FLOWS: readonly TakerFlow[] = ["BOTH", "BUY", "SELL", "NONE"];
const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function positiveDecimal(value: unknown): Big | undefined {
  return typeof value === "string" && POSITIVE_DECIMAL.test(value) ? new Big(value) : undefined;
}

function parseLevels(value: unknown, name: string): PriceLevel[] | string {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return `${name} must be an array of [px, qty] decimal strings`;
  const levels: PriceLevel[] = [];
  for (const [index, level] of value.entries()) {
    const px = Array.isArray(level) && level.length === 2 ? positiveDecimal(level[0]) : undefined;
    const qty = Array.isArray(level) && level.length === 2 ? positiveDecimal(level[1]) : undefined;
    if (px === undefined || qty === undefined) return `${name}[${index}] must be [px, qty] with positive decimal strings`;
    levels.push({ px, qty });
  }
  return levels;
}

/** A fault name and its (already JSON-decoded) body to a command, or why not. */
export function parseControl(fault: string, body: unknown): ParsedControl {
  const fields = isRecord(body) ? body : {};
  if (body !== undefined && !isRecord(body)) return { ok: false, error: "body must be a JSON object or empty" };
  switch (fault) {
    case "halt":
    case "resume-trading":
    case "close":
    case "stop-md":
    case "start-md":
    case "crossed":
    case "skip-seq":
    case "silence":
    case "answer":
    case "pause-driver":
    case "resume-driver":
    case "publish-snapshot":
    case "info":
      return { ok: true, command: { kind: fault } };
    case "delay-md": {
      const ms = fields.ms;
      if (typeof ms !== "number" || !Number.isInteger(ms) || ms < 0 || ms > MAX_DELAY_MS) return { ok: false, error: `ms must be an integer from 0 to ${MAX_DELAY_MS}` };
      return { ok: true, command: { kind: "delay-md", ms } };
    }
    case "reject-all": {
      const enabled = fields.enabled ?? true;
      const reason = fields.reason ?? "RATE_LIMIT";
      if (typeof enabled !== "boolean") return { ok: false, error: "enabled must be a boolean" };
      if (typeof reason !== "string" || reason.length === 0 || reason.length > 512) return { ok: false, error: "reason must be a non-empty string" };
      return { ok: true, command: { kind: "reject-all", enabled, reason } };
    }
    case "set-book": {
      const bids = parseLevels(fields.bids, "bids");
      const asks = parseLevels(fields.asks, "asks");
      if (typeof bids === "string") return { ok: false, error: bids };
      if (typeof asks === "string") return { ok: false, error: asks };
      const bestBid = bids.reduce<Big | undefined>((best, level) => (best === undefined || level.px.gt(best) ? level.px : best), undefined);
      const bestAsk = asks.reduce<Big | undefined>((best, level) => (best === undefined || level.px.lt(best) ? level.px : best), undefined);
      if (bestBid !== undefined && bestAsk !== undefined && bestBid.gte(bestAsk)) return { ok: false, error: "bids must all be below asks" };
      return { ok: true, command: { kind: "set-book", bids, asks } };
    }
    case "trade": {
      const side = fields.side;
      const qty = positiveDecimal(fields.qty);
      const px = fields.px === undefined ? undefined : positiveDecimal(fields.px);
      if (side !== "BUY" && side !== "SELL") return { ok: false, error: "side must be BUY or SELL" };
      if (qty === undefined) return { ok: false, error: "qty must be a positive decimal string" };
      if (fields.px !== undefined && px === undefined) return { ok: false, error: "px must be a positive decimal string" };
      return { ok: true, command: { kind: "trade", side, qty, px } };
    }
    case "taker-flow": {
      const flow = fields.flow;
      const probability = fields.probability;
      if (typeof flow !== "string" || !TAKER_FLOWS.includes(flow as TakerFlow)) return { ok: false, error: `flow must be one of ${TAKER_FLOWS.join(", ")}` };
      if (probability !== undefined && (typeof probability !== "number" || probability < 0 || probability > 1)) return { ok: false, error: "probability must be a number from 0 to 1" };
      return { ok: true, command: { kind: "taker-flow", flow: flow as TakerFlow, probability } };
    }
    case "fire-countdown": {
      if (typeof fields.account !== "string" || !NAME.test(fields.account)) return { ok: false, error: "account must name the account whose countdown fires" };
      return { ok: true, command: { kind: "fire-countdown", account: fields.account } };
    }
    case "foreign-order":
      return parseForeignOrder(fields);
    default:
      return { ok: false, error: `unknown fault ${JSON.stringify(fault)}; known: ${SIM_CONTROL_FAULTS.join(", ")}` };
  }
}

function parseForeignOrder(fields: Record<string, unknown>): ParsedControl {
  const { account, side, clientOrderId } = fields;
  const qty = positiveDecimal(fields.qty);
  const px = fields.px === undefined ? undefined : positiveDecimal(fields.px);
  if (typeof account !== "string" || !NAME.test(account)) return { ok: false, error: "account must name the account to trade" };
  if (side !== "BUY" && side !== "SELL") return { ok: false, error: "side must be BUY or SELL" };
  if (qty === undefined) return { ok: false, error: "qty must be a positive decimal string" };
  if (fields.px !== undefined && px === undefined) return { ok: false, error: "px must be a positive decimal string" };
  if (clientOrderId !== undefined && (typeof clientOrderId !== "string" || !NAME.test(clientOrderId) || !isForeignClientOrderId(clientOrderId))) {
    return { ok: false, error: "clientOrderId must be up to 64 letters, digits or _.:- and must not start with MM- (that is the MMS's own)" };
  }
  return { ok: true, command: { kind: "foreign-order", order: { account, side, qty, px, clientOrderId } } };
}
