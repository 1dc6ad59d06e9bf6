// The shell arms one timer for nextTimerDueAt instead of ticking every 100 ms. That is only
// safe if a TIMER before that moment would decide nothing: the property probes a TIMER at a
// random moment before each due one and checks it sends nothing new.
import fc from "fast-check";
import type { OrderIntent } from "@mms/contracts";
import { nextTimerDueAt, TIMINGS, type SymbolCommand } from "../src";
import { Driver, ImmediateVenue, intentsOf, kindsOf, newActor } from "./harness";

type Op =
  | { readonly kind: "move"; readonly ticks: number }
  | { readonly kind: "heartbeat" }
  | { readonly kind: "wait"; readonly ms: number; readonly probeAt: number }
  | { readonly kind: "answer"; readonly refuse: boolean }
  | { readonly kind: "fill"; readonly pick: number }
  | { readonly kind: "control"; readonly command: "pause" | "resume" | "kill" | "reset" };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("move" as const), ticks: fc.integer({ min: -40, max: 40 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("heartbeat" as const) }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 4000 }), probeAt: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("answer" as const), refuse: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("fill" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("control" as const), command: fc.constantFrom("pause" as const, "resume" as const, "resume" as const, "kill" as const, "reset" as const) }) },
);

const riskReportsOf = (commands: readonly SymbolCommand[]) => commands.flatMap((command) => (command.kind === "RISK_REPORT" ? [command.report] : []));

/** One actor, the exchange it talks to, and a shell that steps a TIMER only when one is due. */
class LazyShell {
  readonly driver = new Driver(newActor({ maxOrdersPerSecond: 3, orderAckTimeoutMs: 700 }));
  private readonly waiting: OrderIntent[] = [];
  private readonly venue = new ImmediateVenue(this.driver);
  private lastRiskReport: unknown;
  private bidTicks = 500000;

  constructor() {
    this.run(() => this.driver.ready());
    this.run(() => this.driver.control("resume"));
  }

  private run(step: () => SymbolCommand[] | Driver): SymbolCommand[] {
    const result = step();
    const commands = result instanceof Driver ? [] : result;
    this.waiting.push(...intentsOf(commands));
    const reports = riskReportsOf(commands);
    if (reports.length > 0) this.lastRiskReport = reports[reports.length - 1];
    return commands;
  }

  apply(op: Op): void {
    const d = this.driver;
    const px = (ticks: number) => (ticks / 10).toFixed(1);
    switch (op.kind) {
      case "move": {
        const before = this.bidTicks;
        this.bidTicks += op.ticks;
        if (op.ticks !== 0) this.run(() => d.delta([[px(before), "0"], [px(this.bidTicks), "1"]], [[px(before + 100), "0"], [px(this.bidTicks + 100), "1"]]));
        return;
      }
      case "heartbeat":
        this.run(() => d.status("TRADING"));
        return;
      case "wait":
        return this.wait(op.ms, op.probeAt);
      case "answer": {
        const intent = this.waiting.shift();
        if (intent) for (const report of this.venue.answer(intent, op.refuse)) this.run(() => d.report(report));
        return;
      }
      case "fill": {
        const report = this.venue.fill(op.pick, true);
        if (report) this.run(() => d.report(report));
        return;
      }
      case "control":
        this.run(() => d.control(op.command));
        return;
    }
  }

  /** `ms` of nothing but the TIMERs that come due, each after a probe TIMER somewhere before it. */
  private wait(ms: number, probeAt: number): void {
    const d = this.driver;
    const until = d.now + ms;
    for (;;) {
      const due = nextTimerDueAt(d.actor);
      const earliest = Math.max(d.now, (d.actor.lastTimerAt ?? Number.NEGATIVE_INFINITY) + TIMINGS.timerMinGapMs);
      const probeEnd = Math.min(due, until);
      if (probeEnd > earliest) {
        const probe = Math.floor(earliest + probeAt * (probeEnd - earliest));
        if (probe < due && probe >= earliest) this.probe(probe);
      }
      const next = nextTimerDueAt(d.actor);
      if (next > until) break;
      this.run(() => d.step({ kind: "TIMER" }, Math.max(d.now, next)));
    }
    d.now = until;
  }

  private probe(at: number): void {
    const lastReport = this.lastRiskReport;
    const commands = this.run(() => this.driver.step({ kind: "TIMER" }, at));
    // onTimer reports risk whenever riskReportMs has passed; before its due moment the figures are the ones last sent.
    for (const report of riskReportsOf(commands)) expect(report).toEqual(lastReport);
    expect(commands.filter((command) => command.kind !== "RISK_REPORT")).toEqual([]);
  }
}

describe("the actor's next TIMER moment", () => {
  test("a TIMER before nextTimerDueAt decides nothing, whatever happened before it", () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { minLength: 1, maxLength: 120 }), (ops) => {
        const shell = new LazyShell();
        for (const op of ops) shell.apply(op);
      }),
      { numRuns: 150 },
    );
  });

  test("with both quotes resting and nothing happening, the next TIMER is the countdown refresh, not the next 100 ms", () => {
    const driver = new Driver();
    driver.active();
    driver.advance(TIMINGS.riskReportMs).timer();
    const due = nextTimerDueAt(driver.actor);
    expect(due - driver.now).toBeGreaterThan(1000);
    expect(intentsOf(driver.step({ kind: "TIMER" }, due)).map((intent) => intent.kind)).toEqual(["COUNTDOWN"]);
  });

  test("a heartbeat does not bring the risk report forward; a fill does", () => {
    const driver = new Driver();
    const { bid } = driver.active();
    driver.advance(TIMINGS.riskReportMs).timer();
    driver.advance(10).status("TRADING");
    expect(nextTimerDueAt(driver.actor)).toBeGreaterThan(driver.now + TIMINGS.riskReportMs);
    driver.advance(10).report(driver.fill(bid.clientOrderId, "BUY", bid.px, bid.qty, "0"));
    expect(nextTimerDueAt(driver.actor)).toBeLessThanOrEqual(driver.now + TIMINGS.riskReportMs);
  });

  test("an ACTIVE symbol without market data is due at the end of staleMs, and that TIMER pauses it MD_STALE", () => {
    const driver = new Driver(newActor({ deadManMs: 0 }));
    driver.active();
    driver.advance(TIMINGS.riskReportMs).timer();
    const lastMessageAt = driver.now - TIMINGS.riskReportMs;
    const due = nextTimerDueAt(driver.actor);
    expect(due).toBe(lastMessageAt + driver.actor.settings.config.staleMs + 1);
    expect(kindsOf(driver.step({ kind: "TIMER" }, due))).toEqual(["CANCEL_ALL"]);
    expect(driver.actor.state.reason).toBe("MD_STALE");
  });
});
