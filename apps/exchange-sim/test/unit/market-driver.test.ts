import { Big, shiftByBps } from "../../src/decimal";
import { MarketDriver, type MarketDriverSettings } from "../../src/market-driver";
import { MatchingEngine, type EngineEvent } from "../../src/matching-engine";
import { SeededRandom } from "../../src/random";

const SYMBOL = "BTCUSDT-PERP";

/** Runs a driver against its own engine and returns every event, serialized. */
function run(seed: number, steps: number, settings: Partial<MarketDriverSettings> = {}): { events: string[]; engine: MatchingEngine; driver: MarketDriver } {
  const engine = new MatchingEngine({
    symbols: [{ symbol: SYMBOL, tickSize: new Big("0.1"), lotSize: new Big("0.001") }],
    fees: { makerBps: new Big("-1"), takerBps: new Big("5") },
    idPrefix: "run",
  });
  const driver = new MarketDriver({ symbol: SYMBOL, seed, tickSize: new Big("0.1"), lotSize: new Big("0.001"), initialFairValue: new Big("50000"), settings });
  const events: string[] = [];
  const view = { openOrders: (account: string, symbol: string) => engine.openOrders(account, symbol) };
  for (let step = 0; step < steps; step++) {
    for (const command of driver.step(view)) {
      events.push(...engine.submit(command, step).map((event: EngineEvent) => JSON.stringify(event)));
    }
  }
  return { events, engine, driver };
}

describe("market driver", () => {
  it("makes the same market from the same seed", () => {
    const first = run(42, 200);
    const second = run(42, 200);
    expect(first.events.length).toBeGreaterThan(100);
    expect(second.events).toEqual(first.events);
    expect(second.driver.fairValue().toFixed()).toBe(first.driver.fairValue().toFixed());
  });

  it("makes a different market from a different seed", () => {
    expect(run(43, 50).events).not.toEqual(run(42, 50).events);
  });

  it("keeps the makers' book thin and wide around fair value, never crossed", () => {
    const { engine, driver } = run(7, 100, { takerFlow: "NONE" });
    const { bids, asks } = engine.depth(SYMBOL);
    expect(bids.length).toBeGreaterThan(0);
    expect(asks.length).toBeGreaterThan(0);
    const fair = driver.fairValue();
    const bestBid = bids[0]?.px ?? new Big(0);
    const bestAsk = asks[0]?.px ?? new Big(0);
    expect(bestBid.lt(bestAsk)).toBe(true);
    // Every level lies between 30 and 60 bps from fair value (one tick of rounding allowed).
    for (const level of bids) {
      expect(level.px.lte(shiftByBps(fair, new Big(-30)))).toBe(true);
      expect(level.px.gte(shiftByBps(fair, new Big(-60)).minus("0.1"))).toBe(true);
    }
    for (const level of asks) {
      expect(level.px.gte(shiftByBps(fair, new Big(30)))).toBe(true);
      expect(level.px.lte(shiftByBps(fair, new Big(60)).plus("0.1"))).toBe(true);
    }
  });

  it("with one-sided flow the takers only buy", () => {
    const { events } = run(9, 100, { takerFlow: "BUY", takerProbability: 1 });
    const trades = events.map((event) => JSON.parse(event) as EngineEvent).flatMap((event) => (event.kind === "TRADE" ? [event.trade] : []));
    expect(trades.length).toBeGreaterThan(10);
    expect(new Set(trades.map((trade) => trade.takerSide))).toEqual(new Set(["BUY"]));
  });

  it("the seeded generator repeats its sequence and stays in range", () => {
    const first = new SeededRandom(42);
    const second = new SeededRandom(42);
    const draws = Array.from({ length: 1000 }, () => first.integer(-3, 3));
    expect(Array.from({ length: 1000 }, () => second.integer(-3, 3))).toEqual(draws);
    expect(new Set(draws)).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3]));
  });
});
