import { MarketDataFeed } from "./market-data-feed";
import { MarketDataOutlet } from "./market-data-outlet";
import { MarketDriver, type MarketDriverSettings } from "./market-driver";
import type { SimulatedSymbol } from "./symbols";

/** One symbol's moving parts in the simulator: its feed, its background market, its outlet, its faults. */
export interface SimulatedMarket {
  readonly setup: SimulatedSymbol;
  readonly feed: MarketDataFeed;
  readonly driver: MarketDriver;
  driverPaused: boolean;
  readonly outlet: MarketDataOutlet;
  /** `silence`: order intents (bar COUNTDOWN) are taken and dropped, unanswered. */
  ordersSilent: boolean;
}

export function simulatedMarket(
  setup: SimulatedSymbol,
  settings: { readonly seed: number; readonly driverEnabled: boolean; readonly driver: Partial<MarketDriverSettings> | undefined },
  send: (subject: string, payload: string) => void,
): SimulatedMarket {
  const driver = new MarketDriver({
    symbol: setup.symbol,
    seed: settings.seed,
    tickSize: setup.tickSize,
    lotSize: setup.lotSize,
    initialFairValue: setup.initialFairValue,
    settings: { ...setup.driver, ...settings.driver },
  });
  return { setup, feed: new MarketDataFeed(setup.symbol), driver, driverPaused: !settings.driverEnabled, outlet: new MarketDataOutlet(send), ordersSilent: false };
}
