export { startExchangeSimulator } from "./exchange";
export type { ExchangeSimulatorHandle, ExchangeSimulatorOptions, SimulatorLogger } from "./simulator-api";
export type { LedgerReply } from "./ledger";
