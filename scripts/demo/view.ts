// What the demo knows about each symbol, gathered once a second from the MMS (mms.status,
// audit events) and the exchange (snapshots, sim.orders, sim.ledger, the simulator itself).
import Big from "big.js";
import type { NatsConnection } from "@nats-io/transport-node";
import type { AuditEvent, BookSnapshot, ServiceConfigInput, StatusReply, SymbolConfigInput, SymbolStatus } from "@mms/contracts";
import type { ExchangeSimulatorHandle, LedgerReply } from "@mms/exchange-sim";
import type { SimOrder } from "@mms/test-support";
import { request } from "./nats";
import { write } from "./output";
import { describeEvent } from "./render";

const EVENT_LINES = 8;


export interface SymbolView {
  readonly config: SymbolConfigInput;
  readonly exchange: Record<string, unknown> | undefined;
  readonly withMms: { bid?: Big; ask?: Big } | undefined;
  readonly withoutMms: { bid?: Big; ask?: Big } | undefined;
  readonly bookNote: string | undefined;
  readonly mmsOrders: readonly SimOrder[];
  readonly status: SymbolStatus | undefined;
  readonly fills: number | undefined;
  /** NEW and CANCEL intents per second over the last 5 s, from the audit events. */
  readonly orderRate: number;
}

function bestOf(levels: ReadonlyArray<readonly [string, string]>, own: Map<string, Big>, side: "BUY" | "SELL"): Big | undefined {
  let best: Big | undefined;
  for (const [px, qty] of levels) {
    const left = new Big(qty).minus(own.get(new Big(px).toFixed()) ?? 0);
    if (left.lte(0)) continue;
    const price = new Big(px);
    if (!best || (side === "BUY" ? price.gt(best) : price.lt(best))) best = price;
  }
  return best;
}

export async function restingOrders(nc: NatsConnection, account: string, timeoutMs: number): Promise<SimOrder[]> {
  return (await request<{ orders: SimOrder[] }>(nc, `sim.orders.${account}`, undefined, timeoutMs)).orders;
}

export class DemoView {
  readonly events: string[] = [];
  readonly eventCounts = new Map<string, number>();
  private readonly orderIntentTimes = new Map<string, number[]>();
  instance: string | undefined;
  lastStatus: StatusReply | undefined;
  mmsExit: string | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly simulator: ExchangeSimulatorHandle,
    readonly config: ServiceConfigInput,
    readonly account: string,
    readonly info: { url: string; origin: string; mmsPid: number | undefined; httpPort: number; work: string; noUi: boolean },
  ) {}

  onEvent(event: AuditEvent): void {
    if (this.instance && event.instance !== this.instance) return;
    this.eventCounts.set(event.type, (this.eventCounts.get(event.type) ?? 0) + 1);
    if (event.type === "intent" && (event.intent.kind === "NEW" || event.intent.kind === "CANCEL")) {
      const times = this.orderIntentTimes.get(event.symbol) ?? [];
      times.push(Date.now());
      while (times.length > 0 && times[0]! < Date.now() - 5000) times.shift();
      this.orderIntentTimes.set(event.symbol, times);
    }
    const line = describeEvent(event);
    if (!line) return;
    const stamped = `${new Date(event.ts).toISOString().slice(11, 19)} ${event.symbol.padEnd(13)} ${line}`;
    this.events.push(stamped);
    if (this.events.length > EVENT_LINES) this.events.shift();
    if (this.info.noUi) write(`  event ${stamped}\n`);
  }

  async collect(): Promise<SymbolView[]> {
    // All asked at once: the simulator answers the orders and the books one after another, so
    // "with" and "without the MMS" describe the same moment. A stopped or delayed feed answers
    // its snapshot request late or never.
    const snapshots = this.config.symbols.map((config) => request<BookSnapshot>(this.nc, `md.${config.symbol}.snapshot.get`, undefined, 700).catch(() => undefined));
    const [status, orders, ledger] = await Promise.all([
      request<StatusReply>(this.nc, "mms.status", undefined, 1500).catch(() => undefined),
      restingOrders(this.nc, this.account, 1500).catch(() => undefined),
      request<LedgerReply>(this.nc, `sim.ledger.${this.account}`, undefined, 1500).catch(() => undefined),
    ]);
    if (status) {
      this.lastStatus = status;
      this.instance ??= status.instance;
    }
    return Promise.all(
      this.config.symbols.map(async (config, index): Promise<SymbolView> => {
        const reply = this.simulator.control(config.symbol, "info");
        const exchange = reply.ok ? (reply as Record<string, unknown>) : undefined;
        const mmsOrders = orders?.filter((order) => order.symbol === config.symbol) ?? [];
        const own = { BUY: new Map<string, Big>(), SELL: new Map<string, Big>() };
        for (const order of mmsOrders) {
          const key = new Big(order.px).toFixed();
          own[order.side].set(key, (own[order.side].get(key) ?? new Big(0)).plus(order.leavesQty));
        }
        let withMms: SymbolView["withMms"];
        let withoutMms: SymbolView["withoutMms"];
        let bookNote: string | undefined;
        const snapshot = await snapshots[index];
        if (snapshot) {
          const none = new Map<string, Big>();
          withMms = { bid: bestOf(snapshot.bids, none, "BUY"), ask: bestOf(snapshot.asks, none, "SELL") };
          withoutMms = { bid: bestOf(snapshot.bids, own.BUY, "BUY"), ask: bestOf(snapshot.asks, own.SELL, "SELL") };
        } else {
          bookNote = "no market data (feed stopped or delayed): best prices from the matching engine";
          const bid = typeof exchange?.bestBid === "string" ? new Big(exchange.bestBid) : undefined;
          const ask = typeof exchange?.bestAsk === "string" ? new Big(exchange.bestAsk) : undefined;
          withMms = { bid, ask };
        }
        return {
          config,
          exchange,
          withMms,
          withoutMms,
          bookNote,
          mmsOrders,
          status: status?.symbols.find((entry) => entry.symbol === config.symbol),
          fills: ledger?.symbols.find((entry) => entry.symbol === config.symbol)?.fillCount,
          orderRate: (this.orderIntentTimes.get(config.symbol) ?? []).filter((time) => time >= Date.now() - 5000).length / 5,
        };
      }),
    );
  }
}
