/**
 * The examples of CONTRACT.md. Text shown in the contract is copied verbatim; bodies the
 * contract gives only as a field table are written out from that table.
 */

/** The order intents exactly as CONTRACT.md writes them, placeholders and all. */
export const ORDER_INTENTS_AS_WRITTEN = {
  NEW: `{"kind":"NEW","intentId":"...","clientOrderId":"...","account":"SYSTEM_MARKET_MAKER",
 "symbol":"BTCUSDT-PERP","side":"BUY","type":"LIMIT","tif":"POST_ONLY",
 "px":"50000.0","qty":"0.010","tag":"MM","ts":1764000000000}`,
  CANCEL: `{"kind":"CANCEL","intentId":"...","clientOrderId":"...","account":"...","symbol":"...","ts":0}`,
  CANCEL_ALL: `{"kind":"CANCEL_ALL","intentId":"...","account":"...","symbol":"...","reason":"KILL","ts":0}`,
  COUNTDOWN: `{"kind":"COUNTDOWN","intentId":"...","account":"...","symbol":"...","timeoutMs":5000,"ts":0}`,
} as const;

/**
 * "..." stands for "some value". For ids any text is valid, but an account or symbol
 * has a pattern, so there the placeholder takes the value of the NEW example.
 */
export const PLACEHOLDER_VALUES: Readonly<Record<string, string>> = { account: "SYSTEM_MARKET_MAKER", symbol: "BTCUSDT-PERP" };

export function withPlaceholdersFilled(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, value === "..." && key in PLACEHOLDER_VALUES ? PLACEHOLDER_VALUES[key] : value]));
}

export const MARKET_DATA_EXAMPLES = {
  snapshot: {
    symbol: "BTCUSDT-PERP",
    seq: 1000,
    ts: 1764000000000,
    bids: [["50000.0", "1.250"], ["49999.9", "0.500"]],
    asks: [["50000.1", "0.800"], ["50000.2", "2.000"]],
  },
  delta: {
    symbol: "BTCUSDT-PERP",
    seq: 1001,
    ts: 1764000000005,
    bids: [["50000.0", "0"], ["49999.8", "0.300"]],
    asks: [],
  },
  trade: { symbol: "BTCUSDT-PERP", tradeId: "t-778812", ts: 1764000000006, px: "50000.1", qty: "0.050", takerSide: "BUY" },
  tradeWithNumericId: { symbol: "BTCUSDT-PERP", tradeId: 778813, ts: 1764000000007, px: "50000.1", qty: "0.010", takerSide: "SELL" },
  status: { symbol: "BTCUSDT-PERP", ts: 1764000000010, seq: 1001, status: "TRADING" },
  statusHalted: { symbol: "ETHUSDT-PERP", ts: 1764000000010, seq: 52, status: "HALTED" },
  statusClosed: { symbol: "ETHUSDT-PERP", ts: 1764000000010, seq: 52, status: "CLOSED" },
} as const;

const reportFields = { account: "SYSTEM_MARKET_MAKER", symbol: "BTCUSDT-PERP", ts: 1764000000100 } as const;

export const EXECUTION_REPORT_EXAMPLES = {
  ACCEPTED: { kind: "ACCEPTED", execId: "e-1", ...reportFields, clientOrderId: "mms-0-1", orderId: "o-1", side: "BUY", px: "50000.0", qty: "0.010" },
  REJECTED: { kind: "REJECTED", execId: "e-2", ...reportFields, clientOrderId: "mms-0-2", reason: "POST_ONLY_WOULD_CROSS" },
  FILL: {
    kind: "FILL",
    execId: "e-3",
    ...reportFields,
    clientOrderId: "mms-0-1",
    orderId: "o-1",
    side: "BUY",
    fillId: "f-1",
    px: "50000.0",
    qty: "0.004",
    leavesQty: "0.006",
    fee: "-0.02",
    liquidity: "MAKER",
  },
  CANCELED: { kind: "CANCELED", execId: "e-4", ...reportFields, clientOrderId: "mms-0-1", orderId: "o-1", reason: "COUNTDOWN" },
} as const;

export const CONTROL_BODY_EXAMPLES = {
  "resume, as in the nats req example": `{"operator":"alice","reason":"feed back"}`,
  "reset": `{"operator":"alice","reason":"halt reviewed"}`,
  "shadow on": `{"operator":"alice","reason":"dry run","enabled":true}`,
  "shadow off": `{"operator":"alice","reason":"back to live","enabled":false}`,
  "the shadow flag as the table writes it": `{"enabled": true}`,
  "kill with an empty object": `{}`,
} as const;

export const CONTROL_REPLY_EXAMPLES = {
  "an accepted resume": { ok: true, instance: "mms-0-7f3a9c", results: [{ symbol: "BTCUSDT-PERP", from: "PAUSED", to: "ACTIVE", accepted: true }] },
  "a refused resume with its reason": { ok: true, instance: "mms-0-7f3a9c", results: [{ symbol: "BTCUSDT-PERP", from: "PAUSED", to: "PAUSED", accepted: false, reason: "MD_STALE" }] },
  "a kill of every symbol": {
    ok: true,
    instance: "mms-0-7f3a9c",
    results: [
      { symbol: "BTCUSDT-PERP", from: "ACTIVE", to: "HALTED", accepted: true },
      { symbol: "ETHUSDT-PERP", from: "PAUSED", to: "HALTED", accepted: true },
    ],
  },
  "a reduce refused for a flat position": { ok: false, instance: "mms-0-7f3a9c", results: [{ symbol: "BTCUSDT-PERP", from: "PAUSED", to: "PAUSED", accepted: false, reason: "NOTHING_TO_REDUCE" }] },
  "a reset refused without an operator": { ok: false, instance: "mms-0-7f3a9c", results: [{ symbol: "BTCUSDT-PERP", from: "HALTED", to: "HALTED", accepted: false, reason: "OPERATOR_REQUIRED" }] },
  "an unknown command, written as the contract does": `{"ok": false, "instance": "mms-0-7f3a9c", "error": "unknown command: restart"}`,
} as const;

export const STATUS_REPLY_EXAMPLE = {
  instance: "mms-0-7f3a9c",
  symbols: [
    {
      symbol: "BTCUSDT-PERP",
      state: "ACTIVE",
      reason: null,
      mode: "live",
      position: "0.020",
      avgEntryPx: "49990.5",
      realizedPnl: "12.5",
      unrealizedPnl: "-3.25",
      fees: "-0.40",
      openOrders: [
        { clientOrderId: "mms-0-11", side: "BUY", px: "49975.0", qty: "0.010" },
        { clientOrderId: "mms-0-12", side: "SELL", px: "50025.0", qty: "0.010" },
      ],
    },
    { symbol: "ETHUSDT-PERP", state: "PAUSED", reason: "STARTUP", mode: "shadow", position: "0", avgEntryPx: null, realizedPnl: "0", unrealizedPnl: "0", fees: "0", openOrders: [] },
  ],
} as const;

const eventFields = { symbol: "BTCUSDT-PERP", instance: "mms-0-7f3a9c", ts: 1764000000200, mode: "live" } as const;

export const AUDIT_EVENT_EXAMPLES = {
  state: { type: "state", ...eventFields, seq: 1, from: "PAUSED", to: "ACTIVE", reason: null },
  quote: {
    type: "quote",
    ...eventFields,
    seq: 2,
    mid: "50000.05",
    bestBid: "50000.0",
    bestAsk: "50000.1",
    position: "-0.010",
    bid: { px: "49975.0", qty: "0.010" },
    ask: null,
    skipped: { ask: "POSITION_LIMIT" },
  },
  intent: {
    type: "intent",
    ...eventFields,
    mode: "shadow",
    seq: 3,
    shadow: true,
    intent: JSON.parse(ORDER_INTENTS_AS_WRITTEN.NEW) as unknown,
  },
  fill: {
    type: "fill",
    ...eventFields,
    seq: 4,
    execId: "e-3",
    clientOrderId: "mms-0-1",
    side: "BUY",
    px: "50000.0",
    qty: "0.004",
    fee: "-0.02",
    liquidity: "MAKER",
    position: "0.004",
    avgEntryPx: "50000.0",
    realizedPnl: "0",
    fees: "-0.02",
  },
  risk: { type: "risk", ...eventFields, seq: 5, reason: "POSITION_LIMIT", detail: "|position| 1.001 above maxPosition 1.0" },
  control: {
    type: "control",
    ...eventFields,
    seq: 6,
    command: "resume",
    operator: "alice",
    operatorReason: "feed back",
    accepted: false,
    refusal: "MD_STALE",
    from: "PAUSED",
    to: "PAUSED",
  },
  alert: { type: "alert", ...eventFields, seq: 7, reason: "REJECT_STORM", from: "ACTIVE", to: "HALTED", message: "5 rejections within 10000 ms" },
} as const;

/** The configuration example of CONTRACT.md, verbatim. */
export const CONFIG_YAML_EXAMPLE = `account: SYSTEM_MARKET_MAKER
instanceName: mms-0                     # default: the host name; owner of the leases
leaseMs: 10000                          # symbol ownership lease
nats:
  servers: ["nats://127.0.0.1:4222"]   # NATS_URL overrides
http:
  port: 8080                            # /healthz /readyz /metrics /v1/status
risk:
  maxTotalExposure: "250000"            # sum over symbols of |position| x mid, quote currency
  maxDrawdown: "5000"                   # peak-to-trough of realized + unrealized - fees
  rejectStorm: {count: 5, windowMs: 10000}
  maxLagMs: 2000
symbols:
  - symbol: BTCUSDT-PERP
    mode: live                          # live | shadow
    tickSize: "0.1"
    lotSize: "0.001"
    quoteSize: "0.010"                  # per side
    spreadBps: "10"                     # full target spread around mid
    skewBps: "5"                        # both quotes shift by -skewBps x position/maxPosition
    maxPosition: "1.0"                  # |position| limit, base units
    bandBps: "100"                      # a quote is never further than this from mid
    requoteToleranceTicks: 2            # leave a resting order alone while within this
    maxOrdersPerSecond: 5
    staleMs: 3000
    deadManMs: 5000                     # COUNTDOWN timeout; 0 = off
`;
