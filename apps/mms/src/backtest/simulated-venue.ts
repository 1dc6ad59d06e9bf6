import type { ExecutionReport, OrderIntent, PublicTrade, Side } from "@mms/contracts/runtime";
import { Big, toDecimalString, type Decimal } from "@mms/trading-core";

interface RestingOrder {
  readonly clientOrderId: string;
  readonly side: Side;
  readonly price: Decimal;
  readonly quantity: string;
}

/**
 * The backtest's exchange, deliberately simple: post-only orders rest until cancelled,
 * and a resting quote fills in full at its own price when a public trade prints through
 * it (strictly below a bid, strictly above an ask). Maker fee in bps, negative = rebate.
 */
export class SimulatedVenue {
  private readonly resting = new Map<string, RestingOrder>();
  private counter = 0;

  constructor(
    private readonly account: string,
    private readonly symbol: string,
    private readonly makerFeeBps: Decimal,
  ) {}

  get restingCount(): number {
    return this.resting.size;
  }

  submit(intent: OrderIntent, now: number, bestBid: Decimal | undefined, bestAsk: Decimal | undefined): ExecutionReport[] {
    switch (intent.kind) {
      case "NEW": {
        const price = new Big(intent.px);
        const crosses = intent.side === "BUY" ? bestAsk !== undefined && price.gte(bestAsk) : bestBid !== undefined && price.lte(bestBid);
        if (crosses) return [this.report(now, { kind: "REJECTED", clientOrderId: intent.clientOrderId, reason: "POST_ONLY_WOULD_CROSS" })];
        this.resting.set(intent.clientOrderId, { clientOrderId: intent.clientOrderId, side: intent.side, price, quantity: intent.qty });
        return [this.report(now, { kind: "ACCEPTED", clientOrderId: intent.clientOrderId, orderId: intent.clientOrderId, side: intent.side, px: intent.px, qty: intent.qty })];
      }
      case "CANCEL":
        if (!this.resting.delete(intent.clientOrderId)) return [this.report(now, { kind: "REJECTED", clientOrderId: intent.clientOrderId, reason: "UNKNOWN_ORDER" })];
        return [this.report(now, { kind: "CANCELED", clientOrderId: intent.clientOrderId, orderId: intent.clientOrderId, reason: "USER" })];
      case "CANCEL_ALL": {
        const reports = [...this.resting.keys()].map((clientOrderId) => this.report(now, { kind: "CANCELED", clientOrderId, orderId: clientOrderId, reason: intent.reason }));
        this.resting.clear();
        return reports;
      }
      case "COUNTDOWN":
        return [];
    }
  }

  onTrade(trade: PublicTrade, now: number): ExecutionReport[] {
    const price = new Big(trade.px);
    const reports: ExecutionReport[] = [];
    for (const order of [...this.resting.values()]) {
      const through = order.side === "BUY" ? price.lt(order.price) : price.gt(order.price);
      if (!through) continue;
      this.resting.delete(order.clientOrderId);
      const fee = order.price.times(order.quantity).times(this.makerFeeBps).div(10000);
      reports.push(
        this.report(now, {
          kind: "FILL",
          clientOrderId: order.clientOrderId,
          orderId: order.clientOrderId,
          side: order.side,
          fillId: `BT-F${++this.counter}`,
          px: toDecimalString(order.price),
          qty: order.quantity,
          leavesQty: "0",
          fee: toDecimalString(fee),
          liquidity: "MAKER",
        }),
      );
    }
    return reports;
  }

  private report(now: number, body: DistributiveOmit<ExecutionReport, "execId" | "account" | "symbol" | "ts">): ExecutionReport {
    return { ...body, execId: `BT-E${++this.counter}`, account: this.account, symbol: this.symbol, ts: now } as ExecutionReport;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
