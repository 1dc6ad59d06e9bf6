import type { Side } from "@mms/contracts";
import { Big, roundDownToStep, roundUpToStep, shiftByBps } from "./decimal";
import type { EngineCommand } from "./matching-engine";
import { SeededRandom, deriveSeed } from "./random";

/** Which way background takers trade: both sides, one side only (for tests), or not at all. */
export type TakerFlow = "BOTH" | "BUY" | "SELL" | "NONE";

export interface MarketDriverSettings {
  /** Accounts that keep resting orders around fair value. */
  readonly makerAccounts: readonly string[];
  /** The account of the IOC takers. */
  readonly takerAccount: string;
  /** Resting orders per maker per side. */
  readonly levelsPerSide: number;
  /** Makers quote each side between these distances from fair value, in whole bps. */
  readonly minDistanceBps: number;
  readonly maxDistanceBps: number;
  readonly makerMinLots: number;
  readonly makerMaxLots: number;
  /** Chance per step that one maker pulls one order, so the book keeps moving. */
  readonly makerChurnProbability: number;
  /** Fair value moves by a whole number of ticks in [-walkMaxTicks, walkMaxTicks] per step. */
  readonly walkMaxTicks: number;
  /** Chance per step of one taker order. */
  readonly takerProbability: number;
  readonly takerFlow: TakerFlow;
  readonly takerMinLots: number;
  readonly takerMaxLots: number;
  /** A taker's limit is this far through fair value, in whole bps: how deep it may sweep. */
  readonly takerReachBps: number;
}

export const DEFAULT_DRIVER_SETTINGS: MarketDriverSettings = {
  makerAccounts: ["SIM_MAKER_1", "SIM_MAKER_2", "SIM_MAKER_3"],
  takerAccount: "SIM_TAKER",
  levelsPerSide: 2,
  minDistanceBps: 30,
  maxDistanceBps: 60,
  makerMinLots: 5,
  makerMaxLots: 20,
  makerChurnProbability: 0.1,
  walkMaxTicks: 5,
  takerProbability: 0.3,
  takerFlow: "BOTH",
  takerMinLots: 1,
  takerMaxLots: 5,
  takerReachBps: 100,
};

export interface MarketDriverOptions {
  readonly symbol: string;
  readonly seed: number;
  readonly tickSize: Big;
  readonly lotSize: Big;
  readonly initialFairValue: Big;
  readonly settings?: Partial<MarketDriverSettings>;
}

/** What the driver may look at: its own resting orders. */
export interface MarketView {
  openOrders(account: string, symbol: string): ReadonlyArray<{ readonly clientOrderId: string; readonly side: Side; readonly px: Big }>;
}

/**
 * Background activity of one symbol. Pure and seeded: the same seed and the same views give
 * the same commands, so a market can be replayed.
 */
export class MarketDriver {
  readonly symbol: string;
  private readonly random: SeededRandom;
  private readonly tickSize: Big;
  private readonly lotSize: Big;
  private settings: MarketDriverSettings;
  private fair: Big;
  private counter = 0;

  constructor(options: MarketDriverOptions) {
    this.symbol = options.symbol;
    this.random = new SeededRandom(deriveSeed(options.seed, options.symbol));
    this.tickSize = options.tickSize;
    this.lotSize = options.lotSize;
    this.fair = roundDownToStep(options.initialFairValue, options.tickSize);
    this.settings = { ...DEFAULT_DRIVER_SETTINGS, ...options.settings };
  }

  fairValue(): Big {
    return this.fair;
  }

  accounts(): string[] {
    return [...this.settings.makerAccounts, this.settings.takerAccount];
  }

  /** Changes flow settings from now on, e.g. one-sided takers for a test. */
  configure(settings: Partial<MarketDriverSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  /** One step: move fair value, let makers requote, maybe send one taker. */
  step(view: MarketView): EngineCommand[] {
    this.walk();
    const commands: EngineCommand[] = [];
    for (const account of this.settings.makerAccounts) commands.push(...this.requote(account, view));
    const taker = this.takerOrder();
    if (taker) commands.push(taker);
    return commands;
  }

  private walk(): void {
    const ticks = this.random.integer(-this.settings.walkMaxTicks, this.settings.walkMaxTicks);
    const moved = this.fair.plus(this.tickSize.times(ticks));
    // Never walk to zero or below: keep at least a hundred ticks of price.
    if (moved.gte(this.tickSize.times(100))) this.fair = moved;
  }

  private requote(account: string, view: MarketView): EngineCommand[] {
    const commands: EngineCommand[] = [];
    const resting = view.openOrders(account, this.symbol);
    const churn = resting.length > 0 && this.random.chance(this.settings.makerChurnProbability) ? this.random.pick(resting) : undefined;
    const kept = resting.filter((order) => order !== churn && this.inBand(order.side, order.px));
    for (const order of resting) {
      if (!kept.includes(order)) commands.push({ kind: "CANCEL", intentId: this.nextId("cancel"), clientOrderId: order.clientOrderId, account, symbol: this.symbol });
    }
    for (const side of ["BUY", "SELL"] as const) {
      const sideOrders = kept.filter((order) => order.side === side);
      for (let missing = this.settings.levelsPerSide - sideOrders.length; missing > 0; missing--) {
        const px = this.makerPrice(side, this.random.integer(this.settings.minDistanceBps, this.settings.maxDistanceBps));
        if (sideOrders.some((order) => order.px.eq(px))) continue;
        const qty = this.lotSize.times(this.random.integer(this.settings.makerMinLots, this.settings.makerMaxLots));
        const clientOrderId = this.nextId(account);
        commands.push({ kind: "NEW", intentId: this.nextId("new"), clientOrderId, account, symbol: this.symbol, side, tif: "POST_ONLY", px, qty });
        sideOrders.push({ clientOrderId, side, px });
      }
    }
    return commands;
  }

  private takerOrder(): EngineCommand | undefined {
    const { takerFlow } = this.settings;
    if (takerFlow === "NONE" || !this.random.chance(this.settings.takerProbability)) return undefined;
    const side: Side = takerFlow === "BOTH" ? this.random.pick(["BUY", "SELL"] as const) : takerFlow;
    const reach = this.settings.takerReachBps;
    const px = side === "BUY" ? roundUpToStep(shiftByBps(this.fair, new Big(reach)), this.tickSize) : roundDownToStep(shiftByBps(this.fair, new Big(-reach)), this.tickSize);
    const qty = this.lotSize.times(this.random.integer(this.settings.takerMinLots, this.settings.takerMaxLots));
    return { kind: "NEW", intentId: this.nextId("new"), clientOrderId: this.nextId(this.settings.takerAccount), account: this.settings.takerAccount, symbol: this.symbol, side, tif: "IOC", px, qty };
  }

  /** A bid `bps` below fair value rounded down, or an ask `bps` above rounded up: never inside. */
  private makerPrice(side: Side, bps: number): Big {
    return side === "BUY" ? roundDownToStep(shiftByBps(this.fair, new Big(-bps)), this.tickSize) : roundUpToStep(shiftByBps(this.fair, new Big(bps)), this.tickSize);
  }

  private inBand(side: Side, px: Big): boolean {
    const near = this.makerPrice(side, this.settings.minDistanceBps);
    const far = this.makerPrice(side, this.settings.maxDistanceBps);
    return side === "BUY" ? px.gte(far) && px.lte(near) : px.gte(near) && px.lte(far);
  }

  private nextId(kind: string): string {
    return `${this.symbol}-${kind}-${++this.counter}`;
  }
}
