export { FillBurstGuard, fillBurstLimits, type FillBurstBreach, type FillBurstLimit, type FillBurstLimits } from "./fill-burst";
export { PriceJumpDetector, priceJumpSettings, type PriceJumpBreach, type PriceJumpSettings } from "./price-jump";
export { checkPretrade, type PretradeCheckName, type PretradeDenial, type PretradeInput, type PretradeResult } from "./pretrade-check";
export { OrderAckWatch, type AckWatchDue, type OrderAckWatchSettings, type OrderStateUnknown } from "./order-ack-watch";
export { reduceOnlyQuote, reduceRefusal, reducingSide, type ReduceOnlyInput, type ReduceOnlyQuote } from "./reduce-only";
export { LiquidityMetrics, quotesPresent, type OrderToTrade, type PresenceInput, type RestingQuote } from "./liquidity-metrics";
export { MMS_CLIENT_ORDER_PREFIX, reportStop, type ProtectionReasonCode, type ReportContext, type ReportStop } from "./report-stops";
