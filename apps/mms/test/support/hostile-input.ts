import fc from "fast-check";
import Big from "big.js";
import { decodeAndValidate, validators, type Validator } from "@mms/contracts";

/**
 * Generators of hostile input for the MMS's inbound subjects: market data, execution
 * reports, control and status. Everything comes from one seed, so a failing run is
 * reproduced with the same seed. A message is built as a JSON value (stamped with the send
 * time when it has a `ts`) or as raw bytes; `classify` tells, with the contract's own rules
 * (the schema plus the symbol of the subject), whether the MMS may apply it.
 */

const encoder = new TextEncoder();

export type MarketDataKind = "snapshot" | "delta" | "trade" | "status";
export const MARKET_DATA_KINDS: readonly MarketDataKind[] = ["snapshot", "delta", "trade", "status"];

/** A message body: a JSON value (its `ts`, if a number marked with TS_NOW, becomes the send time) or raw bytes. */
export type Body = { readonly json: unknown; readonly stampTs?: boolean } | { readonly raw: Uint8Array };

/** What the generator meant: `invalid` messages must be refused; `valid` ones may be applied. */
export type Intent = "invalid" | "valid";

export interface Generated {
  readonly body: Body;
  readonly intent: Intent;
  /** How it was made, for failure messages. */
  readonly how: string;
}

export interface SymbolBook {
  readonly symbol: string;
  /** Best bid and ask of the sane band every valid message stays in. */
  readonly bid: string;
  readonly ask: string;
  readonly tick: string;
}

// Values -------------------------------------------------------------------------

/** Not a decimal string as the contract wants it, whatever the field. */
const BAD_DECIMALS: readonly unknown[] = [50000.5, 1, 0, -1, "-1", "1e5", "1E-3", "", " 1", "1 ", "1.", ".5", "0x1F", "NaN", "Infinity", "１２", "1,5", "1".repeat(21), `0.${"1".repeat(19)}`, null, true, {}, [], ["1"], "+1", "01.5x"];
/** Decimal strings that are not positive: refused where the contract wants a positive one. */
const NOT_POSITIVE = ["0", "0.0", "0.000"];
const BAD_SEQS: readonly unknown[] = [-1, 1.5, "5", null, 2 ** 53, 1e300, true, [], {}];
const BAD_TS: readonly unknown[] = [-1, 1.5, "now", null, 2 ** 60, "1764000000000", {}];
const BAD_SYMBOLS: readonly unknown[] = ["btcusdt-perp", "", "A".repeat(33), 123, null, "BTC.PERP", "BTC PERP", "-BTC", ["BTCUSDT-PERP"]];
const BAD_SIDES: readonly unknown[] = ["buy", "B", 0, null, "", "BUY ", ["BUY"]];
const BAD_STATUSES: readonly unknown[] = ["OPEN", "trading", "", 1, null, "HALT"];
const BAD_IDS: readonly unknown[] = ["", "x".repeat(129), 7.5, null, {}, []];
const BAD_LEVEL_LISTS: readonly unknown[] = [{}, "[]", null, 5, [["50000.0"]], [["50000.0", "1", "2"]], ["50000.0:1"], [[50000.5, "1"]], [["50000.0", 1]], [null], [[]]];

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);

/** Random junk: text that is mostly not JSON, random bytes (mostly not UTF-8), or random JSON of the wrong shape. */
const junk: fc.Arbitrary<Generated> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 120 }).map((text) => ({ body: { raw: encoder.encode(text) }, intent: "invalid" as const, how: "random text" })) },
  { weight: 3, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 120 }).map((bytes) => ({ body: { raw: bytes }, intent: "invalid" as const, how: "random bytes" })) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((json) => ({ body: { json }, intent: "invalid" as const, how: "random JSON" })) },
  {
    weight: 1,
    arbitrary: pick(["", "{", "}", "null", "[]", "{}", "\"x\"", "1", "{\"symbol\":", "\u0000", "{\"a\":1}}"]).map((text) => ({ body: { raw: encoder.encode(text) }, intent: "invalid" as const, how: `text ${JSON.stringify(text)}` })),
  },
);

// Market data --------------------------------------------------------------------

function decimals(tick: string): number {
  const dot = tick.indexOf(".");
  return dot < 0 ? 0 : tick.length - dot - 1;
}

/** Sane levels of one side: within 50 ticks behind the touch. */
function levels(book: SymbolBook, side: "bid" | "ask", allowZeroQty: boolean): fc.Arbitrary<Array<[string, string]>> {
  const level = fc.tuple(fc.integer({ min: 0, max: 50 }), allowZeroQty ? fc.constantFrom("0", "1", "0.5", "2.25") : fc.constantFrom("1", "0.5", "2.25", "10")).map(([ticks, qty]): [string, string] => {
    const px = new Big(side === "bid" ? book.bid : book.ask).plus(new Big(book.tick).times(side === "bid" ? -ticks : ticks));
    return [px.toFixed(decimals(book.tick)), qty];
  });
  return fc.array(level, { maxLength: 4 });
}

/** A valid body of each kind, with sane prices, random (often out-of-order or repeated) seqs and the send time as ts. */
function validMarketData(book: SymbolBook, kind: MarketDataKind): fc.Arbitrary<Record<string, unknown>> {
  const seq = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1_000_000 }));
  switch (kind) {
    case "snapshot":
      return fc.record({ symbol: fc.constant(book.symbol), seq, ts: fc.constant(0), bids: levels(book, "bid", false), asks: levels(book, "ask", false) });
    case "delta":
      return fc.record({ symbol: fc.constant(book.symbol), seq, ts: fc.constant(0), bids: levels(book, "bid", true), asks: levels(book, "ask", true) });
    case "trade":
      return fc.record({
        symbol: fc.constant(book.symbol),
        tradeId: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.nat()),
        ts: fc.constant(0),
        px: fc.integer({ min: -20, max: 20 }).map((ticks) => new Big(book.bid).plus(new Big(book.tick).times(ticks)).toFixed(decimals(book.tick))),
        qty: fc.constantFrom("0.001", "1", "0.25"),
        takerSide: fc.constantFrom("BUY", "SELL"),
      });
    case "status":
      return fc.record({ symbol: fc.constant(book.symbol), ts: fc.constant(0), seq, status: fc.constantFrom("TRADING", "TRADING", "TRADING", "HALTED", "CLOSED") });
  }
}

const FIELD_BREAKERS: Record<string, readonly unknown[]> = {
  symbol: BAD_SYMBOLS,
  seq: BAD_SEQS,
  ts: BAD_TS,
  bids: BAD_LEVEL_LISTS,
  asks: BAD_LEVEL_LISTS,
  tradeId: ["", "x".repeat(129), -1, 1.5, null, {}],
  px: [...BAD_DECIMALS, ...NOT_POSITIVE],
  qty: [...BAD_DECIMALS, ...NOT_POSITIVE],
  takerSide: BAD_SIDES,
  status: BAD_STATUSES,
};

/** One field of a valid body broken (a wrong type, a number for a decimal, out of range, missing...). */
function broken(valid: fc.Arbitrary<Record<string, unknown>>, breakers: Record<string, readonly unknown[]>): fc.Arbitrary<Generated> {
  return fc.tuple(valid, fc.nat(), fc.nat(), fc.boolean()).map(([body, fieldPick, valuePick, remove]) => {
    const fields = Object.keys(body).filter((field) => breakers[field] !== undefined);
    const field = fields[fieldPick % fields.length]!;
    const copy: Record<string, unknown> = { ...body };
    if (remove) {
      delete copy[field];
      return { body: { json: copy, stampTs: field !== "ts" }, intent: "invalid" as const, how: `without ${field}` };
    }
    const values = breakers[field]!;
    copy[field] = values[valuePick % values.length];
    return { body: { json: copy, stampTs: field !== "ts" }, intent: "invalid" as const, how: `${field} = ${JSON.stringify(copy[field])?.slice(0, 40)}` };
  });
}

/** A level inside the book lists broken: a number for px or qty, a zero or negative price, a short tuple. */
function brokenLevel(book: SymbolBook, kind: "snapshot" | "delta"): fc.Arbitrary<Generated> {
  return fc.tuple(validMarketData(book, kind), pick([[50000.5, "1"], ["50000.0", 1], ["-1", "1"], ["0", "1"], ["50000.0"], ["50000.0", "1", "x"], ["1e3", "1"], ["50000.0", "-0.5"], [null, null]]), fc.boolean()).map(([body, level, onBids]) => {
    const side = onBids ? "bids" : "asks";
    return { body: { json: { ...body, [side]: [...(body[side] as unknown[]), level] }, stampTs: true }, intent: "invalid" as const, how: `${kind} ${side} level ${JSON.stringify(level)}` };
  });
}

/** Valid JSON text spoiled on the wire: cut short, a byte that is not UTF-8, or the symbol key twice (the last one wrong). */
function spoiled(book: SymbolBook, kind: MarketDataKind, otherSymbol: string): fc.Arbitrary<Generated> {
  return fc.tuple(validMarketData(book, kind), fc.nat(), fc.constantFrom("cut", "utf8", "duplicate-key")).map(([body, position, how]) => {
    const text = JSON.stringify({ ...body, ts: Date.now() });
    if (how === "cut") return { body: { raw: encoder.encode(text.slice(0, position % Math.max(1, text.length - 1))) }, intent: "invalid" as const, how: "cut short" };
    if (how === "utf8") {
      const bytes = encoder.encode(text);
      const at = text.indexOf(book.symbol) + 1;
      const spoiledBytes = new Uint8Array([...bytes.slice(0, at), [0xff, 0xc3, 0xed, 0xa0][position % 4]!, 0x28, ...bytes.slice(at)]);
      return { body: { raw: spoiledBytes }, intent: "invalid" as const, how: "invalid UTF-8" };
    }
    return { body: { raw: encoder.encode(`${text.slice(0, -1)},"symbol":${JSON.stringify(otherSymbol)}}`) }, intent: "invalid" as const, how: "symbol key twice, the last wrong" };
  });
}

/** A valid body of another symbol: the subject and the body disagree. */
function wrongSymbol(book: SymbolBook, kind: MarketDataKind, other: SymbolBook): fc.Arbitrary<Generated> {
  return validMarketData(other, kind).map((body) => ({ body: { json: body, stampTs: true }, intent: "invalid" as const, how: `body of ${other.symbol}` }));
}

/** Market data for one symbol and kind: mostly invalid in every way, some valid but out of order or repeated. */
export function marketData(book: SymbolBook, kind: MarketDataKind, other: SymbolBook): fc.Arbitrary<Generated> {
  const valid = validMarketData(book, kind).map((body) => ({ body: { json: body, stampTs: true }, intent: "valid" as const, how: "valid (sane prices, any seq)" }));
  return fc.oneof(
    { weight: 10, arbitrary: broken(validMarketData(book, kind), FIELD_BREAKERS) },
    ...(kind === "snapshot" || kind === "delta" ? [{ weight: 4, arbitrary: brokenLevel(book, kind) }] : []),
    { weight: 6, arbitrary: junk },
    { weight: 4, arbitrary: spoiled(book, kind, other.symbol) },
    { weight: 2, arbitrary: wrongSymbol(book, kind, other) },
    { weight: 3, arbitrary: valid },
  );
}

// Execution reports --------------------------------------------------------------

export interface ReportContext {
  readonly account: string;
  readonly book: SymbolBook;
  readonly other: SymbolBook;
}

function validReport(context: ReportContext): fc.Arbitrary<Record<string, unknown>> {
  const common = { execId: fc.uuid().map((id) => `FZ-${id}`), account: fc.constant(context.account), symbol: fc.constant(context.book.symbol), ts: fc.constant(0), clientOrderId: fc.uuid().map((id) => `FZ-O-${id}`) };
  const px = fc.integer({ min: -20, max: 20 }).map((ticks) => new Big(context.book.bid).plus(new Big(context.book.tick).times(ticks)).toFixed(decimals(context.book.tick)));
  return fc.oneof(
    fc.record({ kind: fc.constant("FILL"), ...common, orderId: fc.constant("X-1"), side: fc.constantFrom("BUY", "SELL"), fillId: fc.constant("F-1"), px, qty: fc.constantFrom("0.001", "0.002"), leavesQty: fc.constant("0"), fee: fc.constantFrom("0", "0.01", "-0.01"), liquidity: fc.constantFrom("MAKER", "TAKER") }),
    fc.record({ kind: fc.constant("ACCEPTED"), ...common, orderId: fc.constant("X-1"), side: fc.constantFrom("BUY", "SELL"), px, qty: fc.constant("0.001") }),
    fc.record({ kind: fc.constant("CANCELED"), ...common, orderId: fc.constant("X-1"), reason: fc.constant("USER") }),
    fc.record({ kind: fc.constant("REJECTED"), ...common, reason: fc.constant("RATE_LIMIT") }),
  );
}

const REPORT_BREAKERS: Record<string, readonly unknown[]> = {
  kind: ["TRADE", "fill", "FILL ", "PARTIAL_FILL", 1, null, "", ["FILL"]],
  execId: BAD_IDS,
  account: ["", "acc ount", "-X", 5, null, "A".repeat(65)],
  symbol: BAD_SYMBOLS,
  ts: BAD_TS,
  clientOrderId: BAD_IDS,
  orderId: BAD_IDS,
  side: BAD_SIDES,
  fillId: BAD_IDS,
  px: [...BAD_DECIMALS, ...NOT_POSITIVE],
  qty: [...BAD_DECIMALS, ...NOT_POSITIVE],
  leavesQty: BAD_DECIMALS.filter((value) => value !== 0 && value !== 1),
  fee: [50000.5, 0.01, "1e-3", "", "--1", "0.01 USDT", null, true, "x"],
  liquidity: ["maker", "M", "", null, 0],
  reason: [5, null, "r".repeat(513), {}],
};

/**
 * Invalid execution reports: every kind broken in one field, unknown kinds, junk, and valid
 * reports whose body names another account or symbol than the subject they arrived on.
 */
export function invalidReport(context: ReportContext): fc.Arbitrary<Generated> {
  return fc.oneof(
    { weight: 10, arbitrary: broken(validReport(context), REPORT_BREAKERS) },
    { weight: 5, arbitrary: junk },
    {
      weight: 1,
      arbitrary: validReport(context).map((body) => ({ body: { json: { ...body, symbol: context.other.symbol }, stampTs: true }, intent: "invalid" as const, how: `report body for ${context.other.symbol}` })),
    },
    {
      weight: 1,
      arbitrary: validReport(context).map((body) => ({ body: { json: { ...body, account: `${context.account}X` }, stampTs: true }, intent: "invalid" as const, how: "report body for another account" })),
    },
  );
}

export interface ValidFill {
  readonly execId: string;
  readonly side: "BUY" | "SELL";
  readonly qty: string;
  readonly fee: string;
  readonly body: Record<string, unknown>;
}

/** The known, valid FILLs of one symbol: what the position and fees must add up to. */
export function validFills(context: ReportContext, seed: number, count: number): ValidFill[] {
  const fill = fc.record({
    side: fc.constantFrom<"BUY" | "SELL">("BUY", "SELL"),
    lots: fc.integer({ min: 1, max: 5 }),
    ticks: fc.integer({ min: -20, max: 20 }),
    feeCents: fc.integer({ min: -3, max: 9 }),
    liquidity: fc.constantFrom("MAKER", "TAKER"),
  });
  return fc.sample(fill, { seed, numRuns: count }).map((values, index) => {
    const execId = `FZ-VALID-${seed}-${context.book.symbol}-${index}`;
    const qty = new Big("0.001").times(values.lots).toFixed(3);
    const fee = new Big(values.feeCents).div(100).toFixed(2);
    const px = new Big(context.book.bid).plus(new Big(context.book.tick).times(values.ticks)).toFixed(decimals(context.book.tick));
    const body = {
      kind: "FILL",
      execId,
      account: context.account,
      symbol: context.book.symbol,
      ts: 0,
      clientOrderId: `MM-FZ-VALID-O-${seed}-${index}`,
      orderId: `X-FZ-${index}`,
      side: values.side,
      fillId: `F-FZ-${seed}-${index}`,
      px,
      qty,
      leavesQty: "0",
      fee,
      liquidity: values.liquidity,
    };
    return { execId, side: values.side, qty, fee, body };
  });
}

// Control and status --------------------------------------------------------------

const TOKEN = fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/);

/** Control: garbage bodies for the operator commands, unknown commands, a few pauses; never kill. */
export function controlMessage(symbols: readonly string[], unknownSymbol: string): fc.Arbitrary<{ subject: string; body: Body; how: string }> {
  const target = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...symbols) }, { weight: 3, arbitrary: fc.constant("all") }, { weight: 1, arbitrary: fc.constant(unknownSymbol) }, { weight: 1, arbitrary: TOKEN });
  const command = fc.oneof({ weight: 12, arbitrary: fc.constantFrom("resume", "reset", "shadow") }, { weight: 1, arbitrary: fc.constant("pause") }, { weight: 6, arbitrary: TOKEN.filter((token) => token !== "kill") });
  const nearlyValid = pick<unknown>([
    { operator: 5, reason: "x" },
    { operator: "", reason: "x" },
    { operator: "a".repeat(65), reason: "x" },
    { operator: "alice" },
    { reason: "feed back" },
    { operator: "alice", reason: "   " },
    { operator: "alice", reason: "x".repeat(513) },
    { operator: "alice", reason: 7 },
    { enabled: "yes" },
    { operator: null, reason: null, enabled: null },
    ["operator", "alice"],
    "operator=alice reason=x",
  ]);
  const body: fc.Arbitrary<Body> = fc.oneof(
    { weight: 2, arbitrary: fc.constant({ raw: new Uint8Array(0) }) },
    { weight: 4, arbitrary: junk.map((generated) => generated.body) },
    { weight: 4, arbitrary: nearlyValid.map((json) => ({ json })) },
  );
  const shape = fc.constantFrom("normal", "normal", "normal", "normal", "normal", "normal", "normal", "normal", "short", "long");
  return fc.tuple(target, command, body, shape).map(([to, cmd, payload, form]) => {
    const subject = form === "short" ? `mms.control.${to}` : form === "long" ? `mms.control.${to}.${cmd}.extra` : `mms.control.${to}.${cmd}`;
    // An operator command with a body that would pass: not garbage, so not sent.
    if ("json" in payload && ["resume", "reset", "shadow"].includes(cmd)) {
      const parsed = validators.controlBody(payload.json);
      if (parsed.ok && parsed.value.operator && parsed.value.reason?.trim()) return { subject: `mms.control.${to}.nonsense`, body: payload, how: "operator body made garbage" };
    }
    return { subject, body: payload, how: `${subject}` };
  });
}

export const statusBody: fc.Arbitrary<Body> = fc.oneof(fc.constant<Body>({ raw: new Uint8Array(0) }), junk.map((generated) => generated.body));

// Wire ---------------------------------------------------------------------------

/** The bytes to publish: JSON values get the send time as ts (when marked). */
export function toBytes(body: Body, now: number): Uint8Array {
  if ("raw" in body) return body.raw;
  if (body.stampTs && typeof body.json === "object" && body.json !== null && !Array.isArray(body.json) && "ts" in body.json) return encoder.encode(JSON.stringify({ ...body.json, ts: now }));
  return encoder.encode(JSON.stringify(body.json));
}

const MARKET_DATA_VALIDATORS: Record<MarketDataKind, Validator<{ symbol: string }>> = {
  snapshot: validators.bookSnapshot,
  delta: validators.bookDelta,
  trade: validators.publicTrade,
  status: validators.marketStatus,
};

/** What the contract says of these bytes on `md.<symbol>.<kind>`: may the MMS apply them? */
export function marketDataIsValid(bytes: Uint8Array, kind: MarketDataKind, symbol: string): boolean {
  const result = decodeAndValidate(bytes, MARKET_DATA_VALIDATORS[kind]);
  return result.ok && result.value.symbol === symbol;
}

/** The same for an execution report on `exec.<account>.<symbol>`. */
export function reportIsValid(bytes: Uint8Array, account: string, symbol: string): boolean {
  const result = decodeAndValidate(bytes, validators.executionReport);
  return result.ok && result.value.symbol === symbol && result.value.account === account;
}

/** A seeded shuffle (mulberry32), so the interleaving is part of the seed too. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other]!, items[index]!];
  }
  return items;
}
