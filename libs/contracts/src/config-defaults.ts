/** What a service config leaves out means these. */
export const CONFIG_DEFAULTS = {
  account: "SYSTEM_MARKET_MAKER",
  leaseMs: 10_000,
  httpPort: 8080,
  httpHost: "0.0.0.0",
  logLevel: "info",
  shutdownTimeoutMs: 10_000,
  mode: "live",
  deadManMs: 5000,
  /** mmp.maxFillQty and mmp.maxNetQty default to these multiples of the symbol's quoteSize. */
  mmp: { windowMs: 1000, maxFills: 6, maxFillQtyQuoteSizes: 3, maxNetQtyQuoteSizes: 2, frozenMs: 5000 },
  jumpBps: "200",
  jumpWindowMs: 1000,
  orderAckTimeoutMs: 2000,
  checkpointEvery: 1000,
  maxOrderNotional: "1000000",
} as const;
