import Big from "big.js";
import type { NewOrderIntent, Side, SymbolConfig } from "@mms/contracts/runtime";

// The last look at a NEW before it is published, written apart from the quoting code on
// purpose (its own arithmetic, no shared helpers): a bug there must not pass here too.

export type PretradeCheckName = "TICK" | "LOT" | "SIZE" | "NOTIONAL" | "CROSSING" | "BAND" | "ONE_PER_SIDE" | "IDENTITY";

export interface PretradeDenial {
  readonly code: "PRETRADE_DENIED";
  readonly check: PretradeCheckName;
  /** The figures the check compared, as strings, for the risk event. */
  readonly values: Readonly<Record<string, string>>;
  readonly detail: string;
}

export interface PretradeInput {
  readonly intent: NewOrderIntent;
  readonly config: Pick<SymbolConfig, "tickSize" | "lotSize" | "quoteSize" | "bandBps">;
  /** The current book's best prices; a missing side cannot be checked and denies (CROSSING). */
  readonly bestBid: string | undefined;
  readonly bestAsk: string | undefined;
  readonly maxOrderNotional: string;
  readonly account: string;
  /** Orders that may be live now (resting, or NEW/CANCEL unanswered); only the intent's side matters. */
  readonly liveOrders: readonly { readonly clientOrderId: string; readonly side: Side }[];
}

export type PretradeResult = { readonly ok: true } | ({ readonly ok: false } & PretradeDenial);

const PASS: PretradeResult = { ok: true };

function deny(check: PretradeCheckName, values: Record<string, string>, detail: string): PretradeResult {
  return { ok: false, code: "PRETRADE_DENIED", check, values, detail };
}

function parsePositive(text: string): Big | undefined {
  try {
    const value = new Big(text);
    return value.gt(0) ? value : undefined;
  } catch {
    return undefined;
  }
}

const isMultipleOf = (value: Big, step: Big): boolean => value.mod(step).eq(0);

/** Every check of the contract's list, in its order; the first that fails is named. */
export function checkPretrade(input: PretradeInput): PretradeResult {
  const { intent, config } = input;
  const identity = identityDenial(intent, input.account);
  if (identity) return identity;

  const px = parsePositive(intent.px);
  const tickSize = new Big(config.tickSize);
  if (!px || !isMultipleOf(px, tickSize)) return deny("TICK", { px: intent.px, tickSize: config.tickSize }, `px ${intent.px} is not a positive multiple of tickSize ${config.tickSize}`);

  const qty = parsePositive(intent.qty);
  const lotSize = new Big(config.lotSize);
  if (!qty || !isMultipleOf(qty, lotSize)) return deny("LOT", { qty: intent.qty, lotSize: config.lotSize }, `qty ${intent.qty} is not a positive multiple of lotSize ${config.lotSize}`);
  if (qty.gt(config.quoteSize)) return deny("SIZE", { qty: intent.qty, quoteSize: config.quoteSize }, `qty ${intent.qty} is above quoteSize ${config.quoteSize}`);

  const notional = px.times(qty);
  if (notional.gt(input.maxOrderNotional)) {
    return deny("NOTIONAL", { notional: notional.toFixed(), maxOrderNotional: input.maxOrderNotional }, `px x qty ${notional.toFixed()} is above maxOrderNotional ${input.maxOrderNotional}`);
  }
  return bookDenial(px, input) ?? sideDenial(input) ?? PASS;
}

function identityDenial(intent: NewOrderIntent, account: string): PretradeResult | undefined {
  const expected = { account, tag: "MM", type: "LIMIT", tif: "POST_ONLY" } as const;
  for (const field of ["account", "tag", "type", "tif"] as const) {
    const actual: string = intent[field];
    if (actual !== expected[field]) return deny("IDENTITY", { field, actual, expected: expected[field] }, `${field} is ${actual}, expected ${expected[field]}`);
  }
  return undefined;
}

/** Post-only against the current book, and within bandBps of its mid. */
function bookDenial(px: Big, input: PretradeInput): PretradeResult | undefined {
  const { intent } = input;
  const bid = input.bestBid === undefined ? undefined : new Big(input.bestBid);
  const ask = input.bestAsk === undefined ? undefined : new Big(input.bestAsk);
  const book = { px: intent.px, side: intent.side, bestBid: input.bestBid ?? "none", bestAsk: input.bestAsk ?? "none" };
  if (!bid || !ask) return deny("CROSSING", book, "the book lacks a side: crossing cannot be ruled out");
  if (intent.side === "BUY" && !px.lt(ask)) return deny("CROSSING", book, `BUY at ${intent.px} is not below the best ask ${input.bestAsk}`);
  if (intent.side === "SELL" && !px.gt(bid)) return deny("CROSSING", book, `SELL at ${intent.px} is not above the best bid ${input.bestBid}`);

  // abs(px - mid) <= mid x bandBps / 10000, with mid = (bid + ask) / 2, multiplied out:
  // abs(2 px - (bid + ask)) x 10000 <= (bid + ask) x bandBps.
  const bidPlusAsk = bid.plus(ask);
  const distance = px.times(2).minus(bidPlusAsk).abs().times(10000);
  if (distance.gt(bidPlusAsk.times(input.config.bandBps))) {
    const mid = bidPlusAsk.div(2).toFixed();
    return deny("BAND", { px: intent.px, mid, bandBps: input.config.bandBps }, `px ${intent.px} is more than ${input.config.bandBps} bps from the mid ${mid}`);
  }
  return undefined;
}

function sideDenial(input: PretradeInput): PretradeResult | undefined {
  const { intent } = input;
  const other = input.liveOrders.find((order) => order.side === intent.side && order.clientOrderId !== intent.clientOrderId);
  if (!other) return undefined;
  return deny("ONE_PER_SIDE", { side: intent.side, liveClientOrderId: other.clientOrderId }, `${other.clientOrderId} may still be live on the ${intent.side} side`);
}
