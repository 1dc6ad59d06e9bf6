import type { CancelOrderIntent, Side } from "@mms/contracts/runtime";

// An order with no report after its NEW or CANCEL may be live at the exchange: it blocks
// its side, gets a fresh CANCEL every timeout, and after three unanswered ones the symbol stops.

export interface OrderStateUnknown {
  readonly code: "ORDER_STATE_UNKNOWN";
  readonly clientOrderId: string;
  readonly side: Side;
  /** When the NEW or CANCEL that was never answered went out. */
  readonly sentAt: number;
  readonly unansweredCancels: number;
  readonly detail: string;
}

export interface AckWatchDue {
  /** CANCELs to publish now, each with a new intentId and the order's clientOrderId. */
  readonly cancels: readonly CancelOrderIntent[];
  /** Orders that just crossed the third unanswered CANCEL (reported once per order). */
  readonly unknown: readonly OrderStateUnknown[];
}

export interface OrderAckWatchSettings {
  readonly account: string;
  readonly symbol: string;
  readonly orderAckTimeoutMs: number;
  /** Injected id source: intent ids are unique forever. */
  readonly nextIntentId: () => string;
}

interface WatchedOrder {
  readonly clientOrderId: string;
  readonly side: Side;
  readonly sentAt: number;
  deadline: number;
  /** Set once its first timeout passed: from then on it blocks its side. */
  overdue: boolean;
  unansweredCancels: number;
  reportedUnknown: boolean;
}

const UNANSWERED_CANCELS_BEFORE_UNKNOWN = 3;

export class OrderAckWatch {
  private readonly orders = new Map<string, WatchedOrder>();

  constructor(private readonly settings: OrderAckWatchSettings) {}

  /**
   * A NEW or CANCEL for the order went out (not one of this watch's own CANCELs). An order
   * already overdue keeps its count: a further message does not make it answered.
   */
  sent(order: { readonly clientOrderId: string; readonly side: Side }, now: number): void {
    const watched = this.orders.get(order.clientOrderId);
    if (watched?.overdue) return;
    this.orders.set(order.clientOrderId, {
      clientOrderId: order.clientOrderId,
      side: order.side,
      sentAt: now,
      deadline: now + this.settings.orderAckTimeoutMs,
      overdue: false,
      unansweredCancels: 0,
      reportedUnknown: false,
    });
  }

  /** Any execution report for the order settles it, whatever its kind. */
  settled(clientOrderId: string): void {
    this.orders.delete(clientOrderId);
  }

  /**
   * The CANCELs due at `now` and the orders now unknown. Call it on every timer tick; the
   * next CANCEL of an order is due a full timeout after the previous one, so a late tick
   * never sends a burst.
   */
  due(now: number): AckWatchDue {
    const cancels: CancelOrderIntent[] = [];
    const unknown: OrderStateUnknown[] = [];
    for (const order of this.orders.values()) {
      if (now < order.deadline) continue;
      if (order.overdue) order.unansweredCancels += 1;
      order.overdue = true;
      order.deadline = now + this.settings.orderAckTimeoutMs;
      const { account, symbol } = this.settings;
      cancels.push({ kind: "CANCEL", intentId: this.settings.nextIntentId(), clientOrderId: order.clientOrderId, account, symbol, ts: now });
      if (order.unansweredCancels >= UNANSWERED_CANCELS_BEFORE_UNKNOWN && !order.reportedUnknown) {
        order.reportedUnknown = true;
        unknown.push(unknownOrder(order, this.settings.orderAckTimeoutMs));
      }
    }
    return { cancels, unknown };
  }

  /** When `due` next has something to do; Infinity while nothing is watched. */
  nextDueAt(): number {
    let earliest = Infinity;
    for (const order of this.orders.values()) earliest = Math.min(earliest, order.deadline);
    return earliest;
  }

  /** No NEW on a side while one of its orders went unanswered past its timeout. */
  blocksSide(side: Side): boolean {
    for (const order of this.orders.values()) if (order.side === side && order.overdue) return true;
    return false;
  }

  /** Past its first timeout: its CANCELs are this watch's to send, one every timeout. */
  isOverdue(clientOrderId: string): boolean {
    return this.orders.get(clientOrderId)?.overdue ?? false;
  }

  /** When the unanswered NEW or CANCEL went out, for the status's order ages. */
  sentAt(clientOrderId: string): number | undefined {
    return this.orders.get(clientOrderId)?.sentAt;
  }

  isWatching(clientOrderId: string): boolean {
    return this.orders.has(clientOrderId);
  }

  get size(): number {
    return this.orders.size;
  }
}

function unknownOrder(order: WatchedOrder, timeoutMs: number): OrderStateUnknown {
  return {
    code: "ORDER_STATE_UNKNOWN",
    clientOrderId: order.clientOrderId,
    side: order.side,
    sentAt: order.sentAt,
    unansweredCancels: order.unansweredCancels,
    detail: `${order.clientOrderId} got no report since ${order.sentAt}; ${order.unansweredCancels} CANCELs went ${timeoutMs} ms unanswered`,
  };
}
