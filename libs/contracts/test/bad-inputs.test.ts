import { decodeAndValidate, MAX_MESSAGE_BYTES, type Validated, type ValidationIssue } from "../src/validation";
import { LIMITS } from "../src/primitives";
import { validators } from "../src/validators";
import { EXECUTION_REPORT_EXAMPLES, MARKET_DATA_EXAMPLES, ORDER_INTENTS_AS_WRITTEN } from "./contract-examples";

const newIntent = JSON.parse(ORDER_INTENTS_AS_WRITTEN.NEW) as Record<string, unknown>;
const { trade, snapshot, delta, status } = MARKET_DATA_EXAMPLES;
const bytes = (text: string) => new TextEncoder().encode(text);
const json = (value: unknown) => bytes(JSON.stringify(value));

function without<T extends object>(value: T, key: keyof T): Omit<T, typeof key> {
  const copy = { ...value };
  delete copy[key];
  return copy;
}

interface BadInput {
  readonly name: string;
  readonly result: () => Validated<unknown>;
  /** The issue that must be reported: its exact path and a part of its message. */
  readonly path: string;
  readonly message: string;
}

const corpus: BadInput[] = [
  // Decimal strings
  { name: "a JSON number as a price", result: () => validators.publicTrade({ ...trade, px: 50000.5 }), path: "/px", message: 'must be a positive decimal string in quotes, e.g. "0.1", never a JSON number' },
  { name: "a JSON number as a quantity in an intent", result: () => validators.orderIntent({ ...newIntent, qty: 0.01 }), path: "/qty", message: "never a JSON number" },
  { name: "a JSON number as a book level price", result: () => validators.bookSnapshot({ ...snapshot, bids: [[50000, "1"]] }), path: "/bids/0/0", message: "never a JSON number" },
  { name: "a JSON number as a fee", result: () => validators.executionReport({ ...EXECUTION_REPORT_EXAMPLES.FILL, fee: -0.02 }), path: "/fee", message: "must be a signed decimal string in quotes" },
  { name: "exponent notation \"1e5\"", result: () => validators.publicTrade({ ...trade, px: "1e5" }), path: "/px", message: "must be a positive decimal string" },
  { name: "a zero price", result: () => validators.orderIntent({ ...newIntent, px: "0" }), path: "/px", message: "must be a positive decimal string" },
  { name: "a zero price written with decimals", result: () => validators.publicTrade({ ...trade, px: "0.000" }), path: "/px", message: "must be a positive decimal string" },
  { name: "a negative quantity", result: () => validators.orderIntent({ ...newIntent, qty: "-0.010" }), path: "/qty", message: "must be a positive decimal string" },
  { name: "a negative level quantity in a delta", result: () => validators.bookDelta({ ...delta, asks: [["50000.1", "-1"]] }), path: "/asks/0/1", message: "must be a non-negative decimal string" },
  { name: "a zero quantity in a snapshot level", result: () => validators.bookSnapshot({ ...snapshot, asks: [["50000.1", "0"]] }), path: "/asks/0/1", message: "must be a positive decimal string" },
  { name: "a leading plus sign", result: () => validators.publicTrade({ ...trade, qty: "+1" }), path: "/qty", message: "must be a positive decimal string" },
  { name: "a leading zero", result: () => validators.publicTrade({ ...trade, px: "050000" }), path: "/px", message: "must be a positive decimal string" },
  { name: "a trailing dot", result: () => validators.publicTrade({ ...trade, px: "50000." }), path: "/px", message: "must be a positive decimal string" },
  { name: "a comma as decimal separator", result: () => validators.publicTrade({ ...trade, px: "50000,5" }), path: "/px", message: "must be a positive decimal string" },
  { name: "surrounding whitespace", result: () => validators.publicTrade({ ...trade, px: " 50000" }), path: "/px", message: "must be a positive decimal string" },
  { name: "\"NaN\"", result: () => validators.publicTrade({ ...trade, px: "NaN" }), path: "/px", message: "must be a positive decimal string" },
  { name: "more integer digits than the limit", result: () => validators.publicTrade({ ...trade, px: "1".repeat(LIMITS.maxDecimalIntegerDigits + 1) }), path: "/px", message: "must be a positive decimal string" },
  { name: "more fraction digits than the limit", result: () => validators.publicTrade({ ...trade, px: `1.${"0".repeat(LIMITS.maxDecimalFractionDigits)}1` }), path: "/px", message: "must be a positive decimal string" },
  // Kinds and enumerations
  { name: "an unknown intent kind", result: () => validators.orderIntent({ ...newIntent, kind: "MODIFY" }), path: "/kind", message: 'must be one of "NEW", "CANCEL", "CANCEL_ALL", "COUNTDOWN"' },
  { name: "an unknown report kind", result: () => validators.executionReport({ ...EXECUTION_REPORT_EXAMPLES.FILL, kind: "PARTIAL_FILL" }), path: "/kind", message: 'must be one of "ACCEPTED", "REJECTED", "FILL", "CANCELED"' },
  { name: "a missing kind", result: () => validators.executionReport(without(EXECUTION_REPORT_EXAMPLES.ACCEPTED, "kind")), path: "/kind", message: "must be one of" },
  { name: "an unknown audit event type", result: () => validators.auditEvent({ type: "debug" }), path: "/type", message: 'must be one of "state", "quote", "intent", "fill", "risk", "control", "checkpoint", "alert"' },
  { name: "a message that is an array, not an object", result: () => validators.orderIntent([newIntent]), path: "/", message: "must be a JSON object" },
  { name: "a wrong side", result: () => validators.orderIntent({ ...newIntent, side: "buy" }), path: "/side", message: 'must be one of "BUY", "SELL"' },
  { name: "a wrong taker side", result: () => validators.publicTrade({ ...trade, takerSide: "LONG" }), path: "/takerSide", message: 'must be one of "BUY", "SELL"' },
  { name: "an unknown market status", result: () => validators.marketStatus({ ...status, status: "OPEN" }), path: "/status", message: 'must be one of "TRADING", "HALTED", "CLOSED"' },
  { name: "an order type other than LIMIT", result: () => validators.orderIntent({ ...newIntent, type: "MARKET" }), path: "/type", message: 'must be "LIMIT"' },
  { name: "a tif other than POST_ONLY", result: () => validators.orderIntent({ ...newIntent, tif: "GTC" }), path: "/tif", message: 'must be "POST_ONLY"' },
  { name: "a tag other than MM", result: () => validators.orderIntent({ ...newIntent, tag: "HEDGE" }), path: "/tag", message: 'must be "MM"' },
  { name: "an unknown liquidity", result: () => validators.executionReport({ ...EXECUTION_REPORT_EXAMPLES.FILL, liquidity: "BOTH" }), path: "/liquidity", message: 'must be one of "MAKER", "TAKER"' },
  // Symbols
  { name: "a lowercase symbol", result: () => validators.publicTrade({ ...trade, symbol: "btcusdt-perp" }), path: "/symbol", message: "must be a symbol matching ^[A-Z0-9][A-Z0-9_-]{0,31}$" },
  { name: "a symbol of 33 characters", result: () => validators.bookSnapshot({ ...snapshot, symbol: "A".repeat(33) }), path: "/symbol", message: "must be a symbol matching" },
  { name: "a symbol with a dot (two subject tokens)", result: () => validators.orderIntent({ ...newIntent, symbol: "BTC.PERP" }), path: "/symbol", message: "must be a symbol matching" },
  { name: "a symbol with a wildcard", result: () => validators.marketStatus({ ...status, symbol: "*" }), path: "/symbol", message: "must be a symbol matching" },
  { name: "a symbol starting with a dash", result: () => validators.publicTrade({ ...trade, symbol: "-BTC" }), path: "/symbol", message: "must be a symbol matching" },
  { name: "an empty symbol", result: () => validators.publicTrade({ ...trade, symbol: "" }), path: "/symbol", message: "must be a symbol matching" },
  // Missing fields and other types
  { name: "a trade without px", result: () => validators.publicTrade(without(trade, "px")), path: "/px", message: "is required" },
  { name: "a snapshot without asks", result: () => validators.bookSnapshot(without(snapshot, "asks")), path: "/asks", message: "is required" },
  { name: "a FILL without fillId", result: () => validators.executionReport(without(EXECUTION_REPORT_EXAMPLES.FILL, "fillId")), path: "/fillId", message: "is required" },
  { name: "a report without execId", result: () => validators.executionReport(without(EXECUTION_REPORT_EXAMPLES.CANCELED, "execId")), path: "/execId", message: "is required" },
  { name: "an intent without intentId", result: () => validators.orderIntent(without(newIntent, "intentId")), path: "/intentId", message: "is required" },
  { name: "an empty clientOrderId", result: () => validators.orderIntent({ ...newIntent, clientOrderId: "" }), path: "/clientOrderId", message: "must NOT have fewer than 1 characters" },
  { name: "a ts with a fraction", result: () => validators.publicTrade({ ...trade, ts: 1764000000000.5 }), path: "/ts", message: "must be integer" },
  { name: "a ts as a string", result: () => validators.marketStatus({ ...status, ts: "1764000000000" }), path: "/ts", message: "must be integer" },
  { name: "a negative seq", result: () => validators.bookDelta({ ...delta, seq: -1 }), path: "/seq", message: "must be >= 0" },
  { name: "a book level with three entries", result: () => validators.bookDelta({ ...delta, bids: [["1", "1", "1"]] }), path: "/bids/0", message: "must NOT have more than 2 items" },
  { name: "a book level with one entry", result: () => validators.bookDelta({ ...delta, bids: [["1"]] }), path: "/bids/0", message: "must NOT have fewer than 2 items" },
  { name: "more book levels than the limit", result: () => validators.bookSnapshot({ ...snapshot, bids: Array.from({ length: LIMITS.maxBookLevels + 1 }, () => ["1", "1"]) }), path: "/bids", message: `must NOT have more than ${LIMITS.maxBookLevels} items` },
  { name: "a COUNTDOWN timeout above one hour", result: () => validators.orderIntent({ ...JSON.parse(ORDER_INTENTS_AS_WRITTEN.COUNTDOWN), account: "SYSTEM_MARKET_MAKER", symbol: "BTCUSDT-PERP", timeoutMs: 3_600_001 }), path: "/timeoutMs", message: "must be <= 3600000" },
  { name: "a control body whose operator is not a string", result: () => validators.controlBody({ operator: 7, reason: "x" }), path: "/operator", message: "must be string" },
  { name: "a shadow flag that is not a boolean", result: () => validators.controlBody({ operator: "alice", reason: "x", enabled: "yes" }), path: "/enabled", message: "must be boolean" },
  { name: "a status reply with an unknown state", result: () => validators.statusReply({ instance: "mms-0", symbols: [{ symbol: "BTCUSDT-PERP", state: "RUNNING" }] }), path: "/symbols/0/state", message: 'must be one of "ACTIVE", "PAUSED", "HALTED"' },
  // Bytes from the wire
  { name: "bytes that are not JSON", result: () => decodeAndValidate(bytes("kind=NEW&px=1"), validators.orderIntent), path: "/", message: "is not JSON" },
  { name: "an empty body", result: () => decodeAndValidate(new Uint8Array(0), validators.marketStatus), path: "/", message: "is not JSON" },
  { name: "truncated JSON", result: () => decodeAndValidate(bytes(ORDER_INTENTS_AS_WRITTEN.NEW.slice(0, 40)), validators.orderIntent), path: "/", message: "is not JSON" },
  { name: "invalid UTF-8 (a lone continuation byte)", result: () => decodeAndValidate(new Uint8Array([0x7b, 0x22, 0x80, 0x22, 0x7d]), validators.controlBody), path: "/", message: "is not valid UTF-8" },
  { name: "invalid UTF-8 (an overlong encoding of \"/\")", result: () => decodeAndValidate(new Uint8Array([0x22, 0xc0, 0xaf, 0x22]), validators.controlBody), path: "/", message: "is not valid UTF-8" },
  { name: "invalid UTF-8 (an encoded surrogate)", result: () => decodeAndValidate(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), validators.controlBody), path: "/", message: "is not valid UTF-8" },
  { name: "a 2 MB body", result: () => decodeAndValidate(json({ ...snapshot, padding: "x".repeat(2 * 1024 * 1024) }), validators.bookSnapshot), path: "/", message: `above the ${MAX_MESSAGE_BYTES} byte limit` },
  { name: "valid JSON of the wrong message", result: () => decodeAndValidate(json(trade), validators.executionReport), path: "/kind", message: "must be one of" },
  { name: "a JSON string instead of an object", result: () => decodeAndValidate(bytes('"NEW"'), validators.bookSnapshot), path: "/", message: "must be object" },
];

function matching(issues: readonly ValidationIssue[], expected: BadInput): ValidationIssue | undefined {
  return issues.find((issue) => issue.path === expected.path && issue.message.includes(expected.message));
}

describe("bad inputs are rejected with the path and the reason", () => {
  it.each(corpus.map((input) => [input.name, input] as const))("rejects %s", (_name, input) => {
    const result = input.result();
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    // On failure the received issues are printed, so the message can be read in the output.
    expect(matching(issues, input) ?? issues).toEqual({ path: input.path, message: expect.stringContaining(input.message) });
  });
});
