export { startExchangeSimulator, type ExchangeSimulatorHandle, type ExchangeSimulatorOptions, type SimulatorLogger } from "./exchange";
export type { LedgerReply } from "./ledger";
