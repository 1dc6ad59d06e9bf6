export { Big, decimalString, feeFor, roundDownToStep, roundUpToStep, shiftByBps } from "./decimal";
export { DeadMansSwitch } from "./dead-mans-switch";
export type { LapsedCountdown } from "./dead-mans-switch";
export { consoleLogger, simulatorSubjects, startExchangeSimulator } from "./exchange";
export type { ExchangeSimulatorHandle, ExchangeSimulatorOptions, SimulatorLogger, SimulatorStats } from "./exchange";
export { FillLedger, applyFill } from "./ledger";
export type { LedgerReply, PositionRecord } from "./ledger";
export { MarketDataFeed } from "./market-data-feed";
export { DEFAULT_DRIVER_SETTINGS, MarketDriver } from "./market-driver";
export type { MarketDriverOptions, MarketDriverSettings, MarketView, TakerFlow } from "./market-driver";
export { CANCEL_REASONS, MatchingEngine, REJECT_REASONS, commandFromIntent } from "./matching-engine";
export type {
  CancelAllCommand,
  CancelOrderCommand,
  CountdownCommand,
  EngineCommand,
  EngineEvent,
  FeeSchedule,
  LevelChange,
  MatchingEngineOptions,
  NewOrderCommand,
  OpenOrder,
  SymbolSpecification,
} from "./matching-engine";
export { LimitOrderBook } from "./order-book";
export type { PriceLevel, RestingOrder, TimeInForce } from "./order-book";
export { SeededRandom, deriveSeed } from "./random";
export { SIM_CONTROL_FAULTS, parseControl } from "./sim-control";
export type { SimControlCommand, SimControlFault, SimControlReply } from "./sim-control";
export { FALLBACK_PRESET, SYMBOL_PRESETS, resolveSymbol } from "./symbols";
export type { SimulatedSymbol, SymbolSetup } from "./symbols";
