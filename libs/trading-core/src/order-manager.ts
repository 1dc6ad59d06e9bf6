import type { ExecutionReport, OpenOrderView, Side } from "@mms/contracts/runtime";
import { Big, ZERO, toDecimalString, type Decimal } from "./decimal";
import type { QuoteLevel } from "./quote-engine";
import { RecentIds } from "./recent-ids";

export type OrderStatus = "PENDING_NEW" | "LIVE" | "PENDING_CANCEL";

export interface TrackedOrder {
  readonly clientOrderId: string;
  readonly side: Side;
  price: Decimal;
  quantity: Decimal;
  filled: Decimal;
  status: OrderStatus;
  /** The exchange has acknowledged the order at least once. */
  accepted: boolean;
  cancelSentAt: number | undefined;
  /** When its NEW was decided (or, rebuilt from reports, when the exchange first reported it). */
  placedAt?: number;
}

/** What the manager wants sent; the actor turns these into contract intents. */
export type OrderAction =
  | { readonly kind: "NEW"; readonly clientOrderId: string; readonly side: Side; readonly price: Decimal; readonly quantity: Decimal }
  | { readonly kind: "CANCEL"; readonly clientOrderId: string };

export type ReportEffect =
  | { readonly kind: "ACCEPTED"; readonly clientOrderId: string }
  | {
      readonly kind: "REJECTED";
      readonly clientOrderId: string;
      readonly reason: string;
      readonly orderWasLive: boolean;
      /** False for a cancel that lost a race with a fill: nothing was refused, the order was simply gone. */
      readonly countsAsRejection: boolean;
    }
  | { readonly kind: "FILLED"; readonly clientOrderId: string; readonly complete: boolean }
  | { readonly kind: "CANCELED"; readonly clientOrderId: string }
  | { readonly kind: "IGNORED"; readonly clientOrderId: string };

export interface ReconcileSettings {
  readonly tickSize: Decimal;
  readonly requoteToleranceTicks: number;
  readonly maxOrdersPerSecond: number;
  /** A cancel not settled by a report within this long is sent again. */
  readonly cancelRetryMs: number;
}

export interface DesiredQuotes {
  readonly bid: QuoteLevel | undefined;
  readonly ask: QuoteLevel | undefined;
}

/** An own order's price and what is left of it. */
export interface OwnQuantity {
  readonly price: Decimal;
  readonly quantity: Decimal;
}

const RATE_WINDOW_MS = 1000;
/** The one refusal a NEW and a CANCEL can both get (the exchange's throttle). */
const AMBIGUOUS_REJECTION = "RATE_LIMIT";
const CLOSED_ORDERS_REMEMBERED = 10_000;

/**
 * The orders of one symbol, resting and in flight, and the minimal NEW/CANCEL actions
 * that move them toward the desired quotes. At most one order per side may be live: a
 * replacement is sent only after the exchange has confirmed the old order is gone.
 */
export class OrderManager {
  private readonly orders = new Map<string, TrackedOrder>();
  // FIFO without deleting from the front of a Set: V8 then scans the deleted slots on every
  // eviction, which made a long EXEC replay spend a third of its actor time here.
  private readonly closed = new RecentIds(CLOSED_ORDERS_REMEMBERED);
  private readonly sentAt: number[] = [];
  private changes = 0;
  private ownBuys: OwnQuantity[] | undefined;
  private ownSells: OwnQuantity[] | undefined;
  private rateLimited = false;

  /** Bumps on every change to any order (new, cancel, report, shadow settlement): equal versions, equal orders. */
  get version(): number {
    return this.changes;
  }

  /** The last reconcile wanted actions the per-second budget did not allow. */
  get lastReconcileRateLimited(): boolean {
    return this.rateLimited;
  }

  /** Each order's price and leaves on a side, whatever its status: what the book holds of ours. Kept until the next change. */
  ownQuantities(side: Side): readonly OwnQuantity[] {
    if (side === "BUY") return (this.ownBuys ??= this.ownOn(side));
    return (this.ownSells ??= this.ownOn(side));
  }

  /** The earliest time a cancel in flight is due to be sent again; Infinity when none is. */
  cancelRetryDueAt(cancelRetryMs: number): number {
    let due = Infinity;
    for (const order of this.orders.values()) if (order.status === "PENDING_CANCEL" && order.cancelSentAt !== undefined) due = Math.min(due, order.cancelSentAt + cancelRetryMs);
    return due;
  }

  all(): readonly TrackedOrder[] {
    return [...this.orders.values()];
  }

  get(clientOrderId: string): TrackedOrder | undefined {
    return this.orders.get(clientOrderId);
  }

  hasOrders(): boolean {
    return this.orders.size > 0;
  }

  leaves(order: TrackedOrder): Decimal {
    return order.quantity.minus(order.filled);
  }

  /** Quantity on a side that is live but being cancelled: it may still fill. */
  cancellingQuantity(side: Side): Decimal {
    let total = ZERO;
    for (const order of this.orders.values()) if (order.side === side && order.status === "PENDING_CANCEL") total = total.plus(this.leaves(order));
    return total;
  }

  openOrderViews(): OpenOrderView[] {
    return this.all().map((order) => ({ clientOrderId: order.clientOrderId, side: order.side, px: toDecimalString(order.price), qty: toDecimalString(this.leaves(order)) }));
  }

  /** Record an order the actor has decided to send. */
  recordNew(action: Extract<OrderAction, { kind: "NEW" }>, now?: number): void {
    this.changed();
    this.orders.set(action.clientOrderId, {
      clientOrderId: action.clientOrderId,
      side: action.side,
      price: action.price,
      quantity: action.quantity,
      filled: ZERO,
      status: "PENDING_NEW",
      accepted: false,
      cancelSentAt: undefined,
      ...(now === undefined ? {} : { placedAt: now }),
    });
  }

  /** A NEW that was recorded but never went out (the pre-trade checks denied it, or its side is blocked). */
  dropUnsent(clientOrderId: string): void {
    const order = this.orders.get(clientOrderId);
    if (order?.status === "PENDING_NEW" && !order.accepted) {
      this.changed();
      this.orders.delete(clientOrderId);
    }
  }

  recordCancel(clientOrderId: string, now: number): void {
    const order = this.orders.get(clientOrderId);
    if (order) {
      this.changed();
      order.status = "PENDING_CANCEL";
      order.cancelSentAt = now;
    }
  }

  /** After a CANCEL_ALL: every order is possibly live until a report settles it. */
  recordCancelAll(now: number): void {
    this.changed();
    for (const order of this.orders.values()) {
      order.status = "PENDING_CANCEL";
      order.cancelSentAt = now;
    }
  }

  /** Shadow mode has no exchange: what would have been sent is taken as done at once. */
  settleAsShadow(action: OrderAction): void {
    this.changed();
    if (action.kind === "NEW") {
      const order = this.orders.get(action.clientOrderId);
      if (order) {
        order.status = "LIVE";
        order.accepted = true;
      }
    } else {
      this.close(action.clientOrderId);
    }
  }

  forgetAllAsShadow(): void {
    for (const clientOrderId of [...this.orders.keys()]) this.close(clientOrderId);
  }

  applyReport(report: ExecutionReport): ReportEffect {
    const clientOrderId = report.clientOrderId;
    if (this.closed.has(clientOrderId)) return { kind: "IGNORED", clientOrderId };
    this.changed();
    let order = this.orders.get(clientOrderId);
    switch (report.kind) {
      case "ACCEPTED": {
        if (!order) {
          order = { clientOrderId, side: report.side, price: new Big(report.px), quantity: new Big(report.qty), filled: ZERO, status: "LIVE", accepted: true, cancelSentAt: undefined, placedAt: report.ts };
          this.orders.set(clientOrderId, order);
        } else {
          order.accepted = true;
          order.price = new Big(report.px);
          order.quantity = new Big(report.qty);
          if (order.status === "PENDING_NEW") order.status = "LIVE";
        }
        return { kind: "ACCEPTED", clientOrderId };
      }
      case "FILL": {
        const quantity = new Big(report.qty);
        const leaves = new Big(report.leavesQty);
        if (!order) {
          // A fill before its acceptance (reports out of order): the fill tells us enough.
          order = { clientOrderId, side: report.side, price: new Big(report.px), quantity: quantity.plus(leaves), filled: ZERO, status: "LIVE", accepted: true, cancelSentAt: undefined, placedAt: report.ts };
          this.orders.set(clientOrderId, order);
        }
        order.accepted = true;
        order.filled = order.filled.plus(quantity);
        const complete = leaves.eq(0) || order.filled.gte(order.quantity);
        if (complete) this.close(clientOrderId);
        return { kind: "FILLED", clientOrderId, complete };
      }
      case "CANCELED":
        this.close(clientOrderId);
        return { kind: "CANCELED", clientOrderId };
      case "REJECTED": {
        if (!order) return { kind: "REJECTED", clientOrderId, reason: report.reason, orderWasLive: false, countsAsRejection: true };
        if (!order.accepted && order.status === "PENDING_CANCEL" && report.reason === AMBIGUOUS_REJECTION) {
          // Its NEW and its CANCEL are both unanswered, and a throttle refuses either: the
          // refusal may be the cancel's, reported before the acceptance. The order may rest,
          // so it stays tracked (its side blocked); the retried cancel settles it either way.
          return { kind: "REJECTED", clientOrderId, reason: report.reason, orderWasLive: true, countsAsRejection: true };
        }
        if (!order.accepted || report.reason === "UNKNOWN_ORDER") {
          // Never accepted: the NEW was refused. UNKNOWN_ORDER: the cancel found nothing.
          const raceWithFill = order.accepted && report.reason === "UNKNOWN_ORDER";
          this.close(clientOrderId);
          return { kind: "REJECTED", clientOrderId, reason: report.reason, orderWasLive: false, countsAsRejection: !raceWithFill };
        }
        // A refused cancel: the order still rests; the next reconcile tries again.
        order.status = "LIVE";
        order.cancelSentAt = undefined;
        return { kind: "REJECTED", clientOrderId, reason: report.reason, orderWasLive: true, countsAsRejection: true };
      }
    }
  }

  /**
   * The fewest actions that move the book toward `desired`, cancels first, within the
   * per-second budget. Returned actions are already recorded as sent.
   */
  reconcile(desired: DesiredQuotes, now: number, settings: ReconcileSettings, nextClientOrderId: () => string): OrderAction[] {
    const cancels: OrderAction[] = [];
    const news: OrderAction[] = [];
    const tolerance = settings.tickSize.times(settings.requoteToleranceTicks);
    for (const side of ["BUY", "SELL"] as const) {
      const level = side === "BUY" ? desired.bid : desired.ask;
      const onSide = this.all().filter((order) => order.side === side);
      const working = onSide.filter((order) => order.status !== "PENDING_CANCEL");
      const cancelling = onSide.filter((order) => order.status === "PENDING_CANCEL");
      for (const order of cancelling) {
        if (order.cancelSentAt !== undefined && now - order.cancelSentAt >= settings.cancelRetryMs) cancels.push({ kind: "CANCEL", clientOrderId: order.clientOrderId });
      }
      const [keeper, ...extra] = working;
      for (const order of extra) cancels.push({ kind: "CANCEL", clientOrderId: order.clientOrderId });
      if (keeper) {
        const keep = level !== undefined && keeper.price.minus(level.price).abs().lte(tolerance) && this.leaves(keeper).eq(level.quantity);
        if (!keep) cancels.push({ kind: "CANCEL", clientOrderId: keeper.clientOrderId });
        continue;
      }
      if (cancelling.length > 0 || level === undefined) continue;
      news.push({ kind: "NEW", clientOrderId: "", side, price: level.price, quantity: level.quantity });
    }

    const sent: OrderAction[] = [];
    this.rateLimited = false;
    for (const action of [...cancels, ...news]) {
      if (!this.takeRateToken(now, settings.maxOrdersPerSecond)) {
        this.rateLimited = true;
        break;
      }
      if (action.kind === "CANCEL") {
        this.recordCancel(action.clientOrderId, now);
        sent.push(action);
      } else {
        const named = { ...action, clientOrderId: nextClientOrderId() };
        this.recordNew(named, now);
        sent.push(named);
      }
    }
    return sent;
  }

  /** One NEW or CANCEL of the per-second budget, for intents sent outside reconcile while quoting. */
  takeRateToken(now: number, maxPerSecond: number): boolean {
    while (this.sentAt.length > 0 && now - this.sentAt[0]! >= RATE_WINDOW_MS) this.sentAt.shift();
    if (this.sentAt.length >= maxPerSecond) return false;
    this.sentAt.push(now);
    return true;
  }

  private changed(): void {
    this.changes += 1;
    this.ownBuys = undefined;
    this.ownSells = undefined;
  }

  private ownOn(side: Side): OwnQuantity[] {
    const own: OwnQuantity[] = [];
    for (const order of this.orders.values()) if (order.side === side) own.push({ price: order.price, quantity: this.leaves(order) });
    return own;
  }

  private close(clientOrderId: string): void {
    this.changed();
    this.orders.delete(clientOrderId);
    this.closed.add(clientOrderId);
  }
}
