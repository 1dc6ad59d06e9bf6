// A requote that found nothing to do is not done again while nothing it reads has changed
// (touch, position, orders, reduce-only, mode, quote key, time before the next cancel
// retry), and the touch is computed once per book and order change. Neither may change a
// single command: the property runs two actors in lockstep, one of them with both
// memories wiped before every step.
import fc from "fast-check";
import type { OrderIntent } from "@mms/contracts";
import { TIMINGS, type SymbolCommand } from "../src";
import { Driver, eventsOf, ImmediateVenue, intentsOf, kindsOf, newActor, newsOf } from "./harness";

type Op =
  | { readonly kind: "depth"; readonly bid: boolean; readonly offset: number; readonly quantity: string }
  | { readonly kind: "move"; readonly ticks: number }
  | { readonly kind: "timer"; readonly ms: number }
  | { readonly kind: "answer"; readonly refuse: boolean }
  | { readonly kind: "fill"; readonly pick: number; readonly all: boolean }
  | { readonly kind: "control"; readonly command: "pause" | "resume" | "reduce" };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant("depth" as const), bid: fc.boolean(), offset: fc.integer({ min: 0, max: 4 }), quantity: fc.constantFrom("0", "0.010", "1", "2") }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("move" as const), ticks: fc.integer({ min: -3, max: 3 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("timer" as const), ms: fc.integer({ min: 0, max: 1500 }) }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("answer" as const), refuse: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("fill" as const), pick: fc.nat(), all: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("control" as const), command: fc.constantFrom("pause" as const, "resume" as const, "resume" as const, "reduce" as const) }) },
);

/** One actor and the exchange it talks to: intents waiting for an answer, orders resting. */
class Market {
  // A long ack timeout leaves the unanswered cancels to the cancel retry, which the skip must not hide.
  readonly driver = new Driver(newActor({ maxOrdersPerSecond: 3, maxPosition: "0.03", orderAckTimeoutMs: 7000 }));
  readonly waiting: OrderIntent[] = [];
  readonly venue = new ImmediateVenue(this.driver);
  bidTicks = 500000;

  constructor(private readonly forget: boolean) {
    this.run(() => this.driver.ready());
    this.run(() => this.driver.control("resume"));
  }

  run(step: () => SymbolCommand[] | Driver): SymbolCommand[] {
    if (this.forget) {
      this.driver.actor.settledQuote = undefined;
      this.driver.actor.touchCache = undefined;
    }
    const result = step();
    const commands = result instanceof Driver ? [] : result;
    this.waiting.push(...intentsOf(commands));
    return commands;
  }

  apply(op: Op): SymbolCommand[] {
    const d = this.driver;
    const px = (ticks: number) => (ticks / 10).toFixed(1);
    switch (op.kind) {
      case "depth": {
        const level: [string, string] = [px(op.bid ? this.bidTicks - op.offset : this.bidTicks + 100 + op.offset), op.offset === 0 && op.quantity === "0" ? "1" : op.quantity];
        return this.run(() => d.delta(op.bid ? [level] : [], op.bid ? [] : [level]));
      }
      case "move": {
        const before = this.bidTicks;
        this.bidTicks += op.ticks;
        return this.run(() => d.delta([[px(before), "0"], [px(this.bidTicks), "1"]], [[px(before + 100), "0"], [px(this.bidTicks + 100), "1"]]));
      }
      case "timer":
        d.advance(op.ms);
        return this.run(() => d.timer());
      case "answer": {
        const intent = this.waiting.shift();
        if (!intent) return [];
        return this.venue.answer(intent, op.refuse).flatMap((report) => this.run(() => d.report(report)));
      }
      case "fill": {
        const report = this.venue.fill(op.pick, op.all);
        return report ? this.run(() => d.report(report)) : [];
      }
      case "control":
        return this.run(() => d.control(op.command));
    }
  }
}

describe("requotes that change nothing are skipped", () => {
  test("an actor that remembers its last settled requote and touch sends exactly what one that forgets them before every step sends", () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { minLength: 1, maxLength: 150 }), (ops) => {
        const remembering = new Market(false);
        const forgetting = new Market(true);
        for (const op of ops) expect(remembering.apply(op)).toEqual(forgetting.apply(op));
        expect(remembering.driver.actor.orders.openOrderViews()).toEqual(forgetting.driver.actor.orders.openOrderViews());
      }),
      { numRuns: 120 },
    );
  });

  test("a depth change away from the touch sends nothing and emits no quote event", () => {
    const driver = new Driver();
    driver.active();
    expect(driver.delta([["49990.0", "3"]], [["50020.0", "3"]])).toEqual([]);
    expect(driver.actor.settledQuote).toBeDefined();
  });

  test("with the market unchanged, an unanswered cancel is sent again on the TIMER once cancelRetryMs has passed, not before", () => {
    // The ack watch's own CANCELs (orderAckTimeoutMs) come much later: only the cancel retry can send it.
    const driver = new Driver(newActor({ orderAckTimeoutMs: 10 * TIMINGS.cancelRetryMs }));
    const { bid } = driver.active();
    // Far enough to move both quotes beyond the tolerance: two CANCELs nobody answers.
    expect(kindsOf(driver.delta([["50100.0", "1"], ["50000.0", "0"]], [["50110.0", "1"], ["50010.0", "0"]]))).toEqual(["CANCEL", "CANCEL"]);
    expect(intentsOf(driver.advance(TIMINGS.cancelRetryMs - 100).timer()).filter((intent) => intent.kind === "CANCEL")).toEqual([]);
    const retried = intentsOf(driver.advance(100).timer()).filter((intent) => intent.kind === "CANCEL");
    expect(retried.map((intent) => intent.kind === "CANCEL" && intent.clientOrderId)).toContain(bid.clientOrderId);
  });

  test("a requote held back by the rate limit goes out once the budget frees, with nothing else changed", () => {
    const driver = new Driver(newActor({ maxOrdersPerSecond: 1 }));
    driver.ready();
    // One token: the BUY goes out, the SELL waits for the next second.
    const first = driver.control("resume");
    expect(newsOf(first)).toHaveLength(1);
    expect(intentsOf(driver.advance(100).timer()).filter((intent) => intent.kind === "NEW")).toEqual([]);
    const later = intentsOf(driver.advance(1000).timer()).filter((intent) => intent.kind === "NEW");
    expect(later).toHaveLength(1);
  });

  test("after a stop and a resume at the same market the quote event is written again", () => {
    const driver = new Driver();
    driver.active();
    driver.control("pause");
    const resumed = driver.control("resume");
    expect(eventsOf(resumed).filter((event) => event.type === "quote")).toHaveLength(1);
  });
});

describe("the order manager's version and own quantities", () => {
  test("own quantities follow a partial fill (what is left of the order, not its size)", () => {
    const driver = new Driver();
    const { bid } = driver.active();
    const orders = driver.actor.orders;
    expect(orders.ownQuantities("BUY").map((own) => own.quantity.toFixed())).toEqual(["0.01"]);
    const before = orders.version;
    driver.report(driver.fill(bid.clientOrderId, "BUY", bid.px, "0.004", "0.006"));
    expect(orders.version).toBeGreaterThan(before);
    expect(orders.ownQuantities("BUY").map((own) => own.quantity.toFixed())).toContain("0.006");
  });
});
