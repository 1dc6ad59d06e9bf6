// The public API of @mms/trading-core: the pure domain the service, replay and bench use.

export { Big, ZERO, decimal, toDecimalString, roundDownToStep, roundUpToStep, fromBps, minDecimal, maxDecimal, decimalPlaces, formatToStep, type Decimal } from "./decimal";
export { OrderBook } from "./order-book";
export { MarketMonitor, spreadBps } from "./market-monitor";
export { computeQuote, quoteParameters, type Quote, type QuoteParameters, type SideSkipReason } from "./quote-engine";
export { OrderManager, type DesiredQuotes, type OrderAction, type ReconcileSettings } from "./order-manager";
export { Ledger } from "./ledger";
export { STARTUP_STATE, isStopped, resetTransition, resumeTransition, stopTransition, type RefusedTransition, type StopTarget, type SymbolState, type Transition } from "./state-machine";
export { GlobalRiskBook, RejectionWindow, positionBreached, type GlobalBreach, type GlobalRiskFigures, type GlobalRiskLimits, type SymbolRiskReport } from "./risk";
export type { RiskConfig } from "./risk-config";
export { TIMINGS, type LogLevel, type SymbolActorSettings, type SymbolCommand, type SymbolEvent } from "./symbol-protocol";
export { initialRiskState, stepRisk, type RiskActorCommand, type RiskActorEvent, type RiskActorState } from "./risk-actor";

// The symbol actor.
export { stepSymbol, type StepResult } from "./symbol-actor/step";
export { nextTimerDueAt } from "./symbol-actor/deadline";
export { canSend, initialSymbolState, isAwaitingSnapshot, isConnected, type BookState, type ConnectionState, type CountdownState, type OwnershipState, type RecoveryPhase, type SymbolActorState } from "./symbol-actor/state";
export { SequentialIds, type IdKind, type IdSource } from "./symbol-actor/ids";
export { describeSymbol, marketTouch, symbolFigures, type MarketTouch, type SymbolFigures } from "./symbol-actor/views";
export { planCountdown, type CountdownNeed, type CountdownPlan, type CountdownSchedule } from "./symbol-actor/countdown";
export { decideControl, validateControlBody, type ControlBodyRefusal, type ControlDecision, type ControlEffect, type ControlView, type ValidatedControl } from "./symbol-actor/control-rules";
export type { CancelAllReason } from "./symbol-actor/intents";
export { quotesPresentNow } from "./symbol-actor/liquidity-view";
export { LiquidityMetrics, type OrderToTrade } from "./protection/liquidity-metrics";
