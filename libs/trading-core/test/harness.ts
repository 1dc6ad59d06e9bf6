// Shared helpers for driving the symbol actor with explicit events and times.
import type { AuditEventBody, ExecutionReport, OrderIntent, Side, SymbolConfig } from "@mms/contracts";
import Big from "big.js";
import { symbolConfig } from "@mms/test-support";
import { initialSymbolState, stepSymbol, type SymbolActorSettings, type SymbolActorState, type SymbolCommand, type SymbolEvent } from "../src";

export const SYMBOL = "BTCUSDT-PERP";
export const ACCOUNT = "SYSTEM_MARKET_MAKER";

export const baseConfig: SymbolConfig = symbolConfig(SYMBOL, { maxOrdersPerSecond: 5 });

export const OPERATOR = { operator: "alice", reason: "test" } as const;

export function newActor(config: Partial<SymbolConfig> = {}, settings: Partial<SymbolActorSettings> = {}): SymbolActorState {
  return initialSymbolState({
    config: { ...baseConfig, ...config },
    account: ACCOUNT,
    maxLagMs: 2000,
    rejectStorm: { count: 5, windowMs: 10000 },
    idPrefix: "MM-run1",
    leaseRequired: false,
    ...settings,
  });
}

export type NewIntent = Extract<OrderIntent, { kind: "NEW" }>;
export type CountdownIntent = Extract<OrderIntent, { kind: "COUNTDOWN" }>;

export const intentsOf = (commands: readonly SymbolCommand[]): OrderIntent[] => commands.flatMap((command) => (command.kind === "SEND_INTENT" ? [command.intent] : []));
export const newsOf = (commands: readonly SymbolCommand[]): NewIntent[] => intentsOf(commands).filter((intent): intent is NewIntent => intent.kind === "NEW");
export const eventsOf = (commands: readonly SymbolCommand[]): AuditEventBody[] => commands.flatMap((command) => (command.kind === "EMIT_EVENT" ? [command.event] : []));
export const kindsOf = (commands: readonly SymbolCommand[]): string[] => intentsOf(commands).map((intent) => intent.kind);

/** Intents and audit events in the order they were produced: "CANCEL_ALL", "event:state", "event:alert", ... */
export function timeline(commands: readonly SymbolCommand[]): string[] {
  return commands.flatMap((command) => {
    if (command.kind === "SEND_INTENT") return [command.intent.kind];
    if (command.kind === "EMIT_EVENT" && command.event.type !== "intent") return [`event:${command.event.type}`];
    if (command.kind === "REQUEST_SNAPSHOT") return ["REQUEST_SNAPSHOT"];
    return [];
  });
}

export function controlResult(commands: readonly SymbolCommand[]) {
  const result = commands.find((command): command is Extract<SymbolCommand, { kind: "CONTROL_RESULT" }> => command.kind === "CONTROL_RESULT");
  if (!result) throw new Error("no CONTROL_RESULT");
  return result.result;
}

type Level = [string, string];

/** A symbol actor plus a clock, a market-data seq counter and an exec-id counter. */
export class Driver {
  now = 1_000_000;
  seq = 10;
  private execCounter = 0;
  /** Every command of every step, in order. */
  readonly log: SymbolCommand[] = [];

  constructor(readonly actor: SymbolActorState = newActor()) {}

  step(event: SymbolEvent, at: number = this.now): SymbolCommand[] {
    this.now = at;
    const commands = [...stepSymbol(this.actor, event, at).commands];
    this.log.push(...commands);
    return commands;
  }

  /** Every command logged while `run` ran (one step or several). */
  commandsDuring(run: () => unknown): SymbolCommand[] {
    const before = this.log.length;
    run();
    return this.log.slice(before);
  }

  advance(ms: number): this {
    this.now += ms;
    return this;
  }

  timer(): SymbolCommand[] {
    return this.step({ kind: "TIMER" });
  }

  recoveryComplete(): SymbolCommand[] {
    return this.step({ kind: "RECOVERY_COMPLETE" });
  }

  snapshot(bids: Level[], asks: Level[], options: { seq?: number; ts?: number } = {}): SymbolCommand[] {
    this.seq = options.seq ?? this.seq + 1;
    return this.step({ kind: "BOOK_SNAPSHOT", snapshot: { symbol: SYMBOL, seq: this.seq, ts: options.ts ?? this.now, bids, asks } });
  }

  delta(bids: Level[], asks: Level[], options: { seq?: number; ts?: number } = {}): SymbolCommand[] {
    const seq = options.seq ?? this.seq + 1;
    if (options.seq === undefined) this.seq = seq;
    return this.step({ kind: "BOOK_DELTA", delta: { symbol: SYMBOL, seq, ts: options.ts ?? this.now, bids, asks } });
  }

  status(status: "TRADING" | "HALTED" | "CLOSED", options: { seq?: number; ts?: number } = {}): SymbolCommand[] {
    return this.step({ kind: "MARKET_STATUS", status: { symbol: SYMBOL, seq: options.seq ?? this.seq, ts: options.ts ?? this.now, status } });
  }

  trade(options: { ts?: number } = {}): SymbolCommand[] {
    return this.step({ kind: "PUBLIC_TRADE", trade: { symbol: SYMBOL, tradeId: `t${this.now}`, ts: options.ts ?? this.now, px: "50005.0", qty: "0.1", takerSide: "BUY" } });
  }

  /** `control("resume")` sends OPERATOR as the body; `control("resume", undefined)` sends no body at all. */
  control(command: string, ...body: [unknown?]): SymbolCommand[] {
    return this.step({ kind: "CONTROL", requestId: `req-${this.now}`, command, body: body.length > 0 ? body[0] : OPERATOR });
  }

  report(report: ExecutionReport, replay = false): SymbolCommand[] {
    return this.step({ kind: "EXECUTION_REPORT", report, replay });
  }

  nextExecId(): string {
    this.execCounter += 1;
    return `e${this.execCounter}`;
  }

  accepted(intent: NewIntent, options: { ts?: number; execId?: string } = {}): ExecutionReport {
    return { kind: "ACCEPTED", execId: options.execId ?? this.nextExecId(), account: ACCOUNT, symbol: SYMBOL, ts: options.ts ?? this.now, clientOrderId: intent.clientOrderId, orderId: `x-${intent.clientOrderId}`, side: intent.side, px: intent.px, qty: intent.qty };
  }

  fill(clientOrderId: string, side: Side, px: string, qty: string, leavesQty: string, options: { ts?: number; execId?: string; fee?: string } = {}): ExecutionReport {
    const execId = options.execId ?? this.nextExecId();
    return { kind: "FILL", execId, account: ACCOUNT, symbol: SYMBOL, ts: options.ts ?? this.now, clientOrderId, orderId: `x-${clientOrderId}`, side, fillId: `f-${execId}`, px, qty, leavesQty, fee: options.fee ?? "0", liquidity: "MAKER" };
  }

  canceled(clientOrderId: string, options: { ts?: number; reason?: string } = {}): ExecutionReport {
    return { kind: "CANCELED", execId: this.nextExecId(), account: ACCOUNT, symbol: SYMBOL, ts: options.ts ?? this.now, clientOrderId, orderId: `x-${clientOrderId}`, reason: options.reason ?? "CANCELED" };
  }

  rejected(clientOrderId: string, reason = "POST_ONLY_WOULD_CROSS", options: { ts?: number } = {}): ExecutionReport {
    return { kind: "REJECTED", execId: this.nextExecId(), account: ACCOUNT, symbol: SYMBOL, ts: options.ts ?? this.now, clientOrderId, reason };
  }

  /** Recovery done, a book 50000.0 / 50010.0 (mid 50005) and TRADING: ready for `resume`. */
  ready(): this {
    this.recoveryComplete();
    this.snapshot([["50000.0", "1"]], [["50010.0", "1"]]);
    this.status("TRADING");
    return this;
  }

  /** ready(), resume, and both NEWs accepted. Returns the two resting NEW intents. */
  active(): { bid: NewIntent; ask: NewIntent; commands: SymbolCommand[] } {
    this.ready();
    const commands = this.control("resume");
    const news = newsOf(commands);
    const bid = news.find((intent) => intent.side === "BUY");
    const ask = news.find((intent) => intent.side === "SELL");
    if (!bid || !ask) throw new Error(`resume did not quote both sides: ${JSON.stringify(controlResult(commands))}`);
    this.report(this.accepted(bid));
    this.report(this.accepted(ask));
    return { bid, ask, commands };
  }
}

/**
 * The exchange side of a scripted actor test, answering at once: a NEW rests (accepted), a
 * CANCEL takes its order off (or is refused RATE_LIMIT), a CANCEL_ALL takes every one off, and
 * a fill hits one resting order in full or in half.
 */
export class ImmediateVenue {
  readonly resting = new Map<string, { readonly side: Side; readonly px: string; leaves: Big }>();

  constructor(private readonly driver: Driver) {}

  /** The reports an intent gets, in order (none for a COUNTDOWN or an unknown cancel). */
  answer(intent: OrderIntent, refuse: boolean): ExecutionReport[] {
    const d = this.driver;
    if (intent.kind === "NEW") {
      this.resting.set(intent.clientOrderId, { side: intent.side, px: intent.px, leaves: new Big(intent.qty) });
      return [d.accepted(intent)];
    }
    if (intent.kind === "CANCEL") {
      if (refuse) return [d.rejected(intent.clientOrderId, "RATE_LIMIT")];
      return this.resting.delete(intent.clientOrderId) ? [d.canceled(intent.clientOrderId)] : [];
    }
    if (intent.kind === "CANCEL_ALL") {
      const ids = [...this.resting.keys()];
      this.resting.clear();
      return ids.map((id) => d.canceled(id));
    }
    return [];
  }

  /** A fill of the `pick`-th resting order (modulo), all of what is left or half of it; none if nothing rests. */
  fill(pick: number, all: boolean): ExecutionReport | undefined {
    const ids = [...this.resting.keys()];
    if (ids.length === 0) return undefined;
    const id = ids[pick % ids.length]!;
    const order = this.resting.get(id)!;
    const quantity = all ? order.leaves : order.leaves.div(2);
    order.leaves = order.leaves.minus(quantity);
    if (order.leaves.lte(0)) this.resting.delete(id);
    return this.driver.fill(id, order.side, order.px, quantity.toFixed(3), order.leaves.toFixed(3));
  }
}
