export { FillBurstGuard, fillBurstLimits, type FillBurstBreach, type FillBurstLimit, type FillBurstLimits } from "./fill-burst";
export { PriceJumpDetector, priceJumpSettings, type PriceJumpBreach, type PriceJumpSettings } from "./price-jump";
export { checkPretrade, type PretradeCheckName, type PretradeDenial, type PretradeInput, type PretradeResult } from "./pretrade-check";
