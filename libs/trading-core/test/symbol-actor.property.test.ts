// The symbol actor against a simulated exchange: random market moves, timers, reports
// (in order, possibly late), fills, refused cancels, disconnects and operator commands.
// After every step the safety rules of the contract must hold.
import fc from "fast-check";
import type { ExecutionReport, OrderIntent, Side } from "@mms/contracts";
import { Big, isConnected, type SymbolCommand } from "../src";
import { Driver, OPERATOR, intentsOf, newActor } from "./harness";

type Op =
  | { readonly kind: "timer"; readonly ticks: number }
  | { readonly kind: "move"; readonly ticks: number }
  | { readonly kind: "process"; readonly refuse: boolean }
  | { readonly kind: "deliver" }
  | { readonly kind: "fill"; readonly pick: number; readonly all: boolean }
  | { readonly kind: "control"; readonly command: "pause" | "resume" | "kill" | "reset" }
  | { readonly kind: "disconnect" }
  | { readonly kind: "reconnect" };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 24, arbitrary: fc.record({ kind: fc.constant("timer" as const), ticks: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 12, arbitrary: fc.record({ kind: fc.constant("move" as const), ticks: fc.integer({ min: -6, max: 6 }) }) },
  { weight: 32, arbitrary: fc.constant({ kind: "process" as const, refuse: false }) },
  { weight: 3, arbitrary: fc.constant({ kind: "process" as const, refuse: true }) },
  { weight: 32, arbitrary: fc.constant({ kind: "deliver" as const }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("fill" as const), pick: fc.nat(), all: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("control" as const), command: fc.constantFrom("pause" as const, "resume" as const, "resume" as const, "resume" as const, "kill" as const, "reset" as const, "reset" as const) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "disconnect" as const }) },
  { weight: 4, arbitrary: fc.constant({ kind: "reconnect" as const }) },
);

interface Resting {
  readonly side: Side;
  readonly px: string;
  leaves: Big;
}

const TICK = new Big("0.1");
const MAX_ORDERS_PER_SECOND = 4;
const DEAD_MAN_MS = 3000;

class Simulation {
  readonly driver = new Driver(newActor({ maxOrdersPerSecond: MAX_ORDERS_PER_SECOND, deadManMs: DEAD_MAN_MS, maxPosition: "0.05", staleMs: 3000 }, { rejectStorm: { count: 50, windowMs: 10000 } }));
  /** Intents published and not yet processed by the exchange, in order. */
  readonly queue: OrderIntent[] = [];
  /** Reports produced and not yet delivered, in order. */
  readonly inbox: ExecutionReport[] = [];
  readonly resting = new Map<string, Resting>();
  readonly intents: Array<{ readonly at: number; readonly intent: OrderIntent; readonly stepEndedActive: boolean }> = [];
  bid = new Big("50000.0");
  connected = true;
  filledPosition = new Big(0);
  lastCountdownAt: number | undefined;
  countdownOn = false;

  constructor() {
    this.step(() => this.driver.ready());
    this.step(() => this.driver.control("resume"));
  }

  get actor() {
    return this.driver.actor;
  }

  /** Runs one actor step and checks every per-step rule. */
  step(run: () => SymbolCommand[] | Driver): void {
    const commands = this.driver.commandsDuring(run);
    const actor = this.actor;
    const stepEndedActive = actor.state.name === "ACTIVE";
    const sent = intentsOf(commands);
    for (const intent of sent) {
      this.intents.push({ at: this.driver.now, intent, stepEndedActive });
      if (intent.kind === "COUNTDOWN") {
        // Rule: a refresh gap is never longer than deadManMs / 3 while orders may rest.
        // (A refresh cannot go out while away: a gap that spans a disconnect is exempt, and only that one.)
        if (this.countdownOn && this.lastCountdownAt !== undefined && intent.timeoutMs > 0 && !this.disconnectedSinceCountdown) expect(this.driver.now - this.lastCountdownAt).toBeLessThanOrEqual(DEAD_MAN_MS / 3);
        this.disconnectedSinceCountdown = false;
        this.countdownOn = intent.timeoutMs > 0;
        this.lastCountdownAt = this.driver.now;
      }
      // Rule: a NEW goes out only after a COUNTDOWN armed the dead-man's switch.
      if (intent.kind === "NEW") expect(this.countdownOn).toBe(true);
      this.queue.push(intent);
    }
    const news = sent.filter((intent): intent is Extract<OrderIntent, { kind: "NEW" }> => intent.kind === "NEW");
    // Rule: nothing new is sent by a step that leaves the symbol stopped.
    if (!stepEndedActive) expect(news).toEqual([]);
    for (const side of ["BUY", "SELL"] as const) {
      const onSide = actor.orders.all().filter((order) => order.side === side);
      // Rule: at most one order per side that is not being cancelled.
      expect(onSide.filter((order) => order.status !== "PENDING_CANCEL").length).toBeLessThanOrEqual(1);
      // Rule: a NEW is sent only on a side with nothing else live or cancelling.
      const newOnSide = news.filter((intent) => intent.side === side);
      expect(newOnSide.length).toBeLessThanOrEqual(1);
      if (newOnSide.length === 1) expect(onSide.map((order) => order.clientOrderId)).toEqual([newOnSide[0]!.clientOrderId]);
    }
    // Rule: every automatic or manual move out of ACTIVE sends its CANCEL_ALL before the state event.
    const order = commands.flatMap((command) => (command.kind === "SEND_INTENT" ? [command.intent.kind] : command.kind === "EMIT_EVENT" && command.event.type === "state" ? [`state:${command.event.from}>${command.event.to}`] : []));
    order.forEach((entry, index) => {
      if (entry.startsWith("state:ACTIVE>") && this.connected) expect(order.slice(0, index)).toContain("CANCEL_ALL");
    });
    // Rule: no intent at all while disconnected.
    if (!this.connected) expect(sent).toEqual([]);
    // Rule: the ledger holds exactly the fills delivered.
    expect(actor.ledger.position.eq(this.deliveredPosition)).toBe(true);
    // Rule: |position| beyond maxPosition means HALTED.
    if (actor.ledger.position.abs().gt("0.05")) expect(actor.state.name).toBe("HALTED");
  }

  deliveredPosition = new Big(0);
  /** A disconnect came since the last COUNTDOWN went out. */
  disconnectedSinceCountdown = false;

  apply(op: Op): void {
    const driver = this.driver;
    switch (op.kind) {
      case "timer": {
        for (let tick = 0; tick < op.ticks; tick += 1) {
          driver.advance(100);
          // the status heartbeat keeps the book fresh
          if (tick % 3 === 0) this.step(() => driver.status("TRADING"));
          this.step(() => driver.timer());
          // Rule: after a TIMER, a stopped symbol that can send is cancelling every order it has.
          const actor = this.actor;
          if (actor.state.name !== "ACTIVE" && isConnected(actor)) expect(actor.orders.all().every((order) => order.status === "PENDING_CANCEL")).toBe(true);
          // Rule: while orders may rest and we can send, the last COUNTDOWN is recent. A refresh
          // that fell due while disconnected is owed to the first TIMER after the reconnect,
          // so this holds in every run, however many disconnects it had.
          if (actor.orders.hasOrders() && isConnected(actor) && this.lastCountdownAt !== undefined) expect(driver.now - this.lastCountdownAt).toBeLessThanOrEqual(DEAD_MAN_MS / 3);
        }
        return;
      }
      case "move": {
        const oldBid = this.bid;
        const oldAsk = oldBid.plus(10);
        this.bid = oldBid.plus(TICK.times(op.ticks));
        const newAsk = this.bid.plus(10);
        this.step(() => driver.delta([[oldBid.toFixed(1), "0"], [this.bid.toFixed(1), "1"]], [[oldAsk.toFixed(1), "0"], [newAsk.toFixed(1), "1"]]));
        return;
      }
      case "process": {
        if (!this.connected) return;
        const intent = this.queue.shift();
        if (!intent) return;
        if (intent.kind === "NEW") {
          if (op.refuse) this.inbox.push(driver.rejected(intent.clientOrderId, "POST_ONLY_WOULD_CROSS"));
          else {
            this.resting.set(intent.clientOrderId, { side: intent.side, px: intent.px, leaves: new Big(intent.qty) });
            this.inbox.push(driver.accepted(intent));
          }
        } else if (intent.kind === "CANCEL") {
          if (!this.resting.has(intent.clientOrderId)) this.inbox.push(driver.rejected(intent.clientOrderId, "UNKNOWN_ORDER"));
          else if (op.refuse) this.inbox.push(driver.rejected(intent.clientOrderId, "RATE_LIMIT"));
          else {
            this.resting.delete(intent.clientOrderId);
            this.inbox.push(driver.canceled(intent.clientOrderId));
          }
        } else if (intent.kind === "CANCEL_ALL") {
          for (const id of this.resting.keys()) this.inbox.push(driver.canceled(id, { reason: intent.reason }));
          this.resting.clear();
        }
        return;
      }
      case "deliver": {
        if (!this.connected) return;
        const report = this.inbox.shift();
        if (!report) return;
        if (report.kind === "FILL") this.deliveredPosition = this.deliveredPosition.plus(report.side === "BUY" ? new Big(report.qty) : new Big(report.qty).neg());
        this.step(() => driver.report(report));
        return;
      }
      case "fill": {
        const ids = [...this.resting.keys()];
        if (ids.length === 0) return;
        const id = ids[op.pick % ids.length]!;
        const order = this.resting.get(id)!;
        const qty = op.all ? order.leaves : order.leaves.div(2);
        order.leaves = order.leaves.minus(qty);
        if (order.leaves.eq(0)) this.resting.delete(id);
        this.inbox.push(driver.fill(id, order.side, order.px, qty.toFixed(), order.leaves.toFixed()));
        return;
      }
      case "control":
        this.step(() => driver.control(op.command, OPERATOR));
        return;
      case "disconnect":
        if (!this.connected) return;
        this.connected = false;
        this.disconnectedSinceCountdown = true;
        this.step(() => driver.step({ kind: "CONNECTION_LOST" }));
        return;
      case "reconnect":
        if (this.connected) return;
        this.connected = true;
        this.step(() => driver.step({ kind: "CONNECTION_RESTORED" }));
        this.step(() => driver.snapshot([[this.bid.toFixed(1), "1"]], [[this.bid.plus(10).toFixed(1), "1"]]));
        return;
    }
  }

  /**
   * Pause, reconnect if need be, and let the exchange work through everything: nothing may
   * be left resting, the actor may track nothing, and the dead-man's switch ends off.
   */
  drainStopped(): void {
    const driver = this.driver;
    this.apply({ kind: "reconnect" });
    this.step(() => driver.control("pause", undefined));
    for (let round = 0; round < 3; round += 1) {
      while (this.queue.length > 0) this.apply({ kind: "process", refuse: false });
      while (this.inbox.length > 0) this.apply({ kind: "deliver" });
      for (let tick = 0; tick < 21; tick += 1) {
        driver.advance(100);
        this.step(() => driver.timer());
      }
    }
    while (this.queue.length > 0) this.apply({ kind: "process", refuse: false });
    while (this.inbox.length > 0) this.apply({ kind: "deliver" });
    expect(this.actor.state.name).not.toBe("ACTIVE");
    expect([...this.resting.keys()]).toEqual([]);
    expect(this.actor.orders.all()).toEqual([]);
    expect(this.countdownOn).toBe(false);
  }

  /** Whole-run rules. */
  finish(): void {
    const all = this.intents.map((entry) => entry.intent);
    expect(new Set(all.map((intent) => intent.intentId)).size).toBe(all.length);
    const news = all.filter((intent) => intent.kind === "NEW");
    expect(new Set(news.map((intent) => (intent.kind === "NEW" ? intent.clientOrderId : ""))).size).toBe(news.length);
    // NEW + CANCEL decided while quoting never exceed maxOrdersPerSecond in any [t, t + 1000).
    const paced = this.intents.filter((entry) => entry.stepEndedActive && (entry.intent.kind === "NEW" || entry.intent.kind === "CANCEL")).map((entry) => entry.at);
    for (const start of paced) expect(paced.filter((time) => time >= start && time < start + 1000).length).toBeLessThanOrEqual(MAX_ORDERS_PER_SECOND);
  }
}

describe("symbol actor against a simulated exchange", () => {
  test("keeps every safety rule under random markets, reports, fills, refusals, disconnects and commands, and leaves nothing resting once paused", () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { minLength: 20, maxLength: 250, size: "large" }), (ops) => {
        const simulation = new Simulation();
        for (const op of ops) simulation.apply(op);
        simulation.finish();
        simulation.drainStopped();
        simulation.finish();
      }),
      { numRuns: 100 },
    );
  });

  test("the same random run twice gives identical commands", () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { minLength: 20, maxLength: 150, size: "large" }), (ops) => {
        const first = new Simulation();
        const second = new Simulation();
        for (const op of ops) {
          first.apply(op);
          second.apply(op);
        }
        expect(second.driver.log).toEqual(first.driver.log);
      }),
      { numRuns: 15 },
    );
  });
});

