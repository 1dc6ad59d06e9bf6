import { Big, GlobalRiskBook, RejectionWindow, initialRiskState, positionBreached, stepRisk, type RiskActorCommand, type RiskActorState } from "../src";

const limits = { maxTotalExposure: "250000", maxDrawdown: "5000", rejectStorm: { count: 5, windowMs: 10000 }, maxLagMs: 2000, maxOrderNotional: "1000000" };
const report = (symbol: string, exposure: string, equity = "0") => ({ kind: "SYMBOL_RISK" as const, report: { symbol, position: "0", exposure, equity } });
const broadcasts = (commands: RiskActorCommand[]) => commands.flatMap((command) => (command.kind === "BROADCAST" ? [command.event] : []));

function feed(state: RiskActorState, ...events: Parameters<typeof stepRisk>[1][]): RiskActorCommand[] {
  return events.flatMap((event) => stepRisk(state, event).commands);
}

describe("stepRisk", () => {
  test("an exposure breach summed over symbols is broadcast once, and its clearing once", () => {
    const state = initialRiskState(limits);
    expect(broadcasts(feed(state, report("A", "150000")))).toEqual([]);
    // 150000 + 150000 = 300000 > 250000
    const breach = broadcasts(feed(state, report("B", "150000")));
    expect(breach).toEqual([{ kind: "GLOBAL_RISK", breach: { reason: "EXPOSURE_LIMIT", detail: expect.stringContaining("300000") } }]);
    // still breached: nothing new
    expect(broadcasts(feed(state, report("A", "160000"), report("B", "140000")))).toEqual([]);
    // back within: one clearing broadcast
    expect(broadcasts(feed(state, report("A", "100000")))).toEqual([{ kind: "GLOBAL_RISK", breach: undefined }]);
    expect(broadcasts(feed(state, report("A", "90000")))).toEqual([]);
  });

  test("exposure exactly at the limit is not a breach", () => {
    const state = initialRiskState(limits);
    expect(broadcasts(feed(state, report("A", "250000")))).toEqual([]);
  });

  test("a drawdown from the equity peak beyond maxDrawdown is broadcast once", () => {
    const state = initialRiskState(limits);
    feed(state, report("A", "0", "1000"), report("B", "0", "2000")); // peak 3000
    expect(broadcasts(feed(state, report("A", "0", "-1000")))).toEqual([]); // equity 1000, drawdown 2000
    // equity -2001 + ... : A -4001 + B 2000 = -2001, drawdown 5001 > 5000
    expect(broadcasts(feed(state, report("A", "0", "-4001")))).toEqual([{ kind: "GLOBAL_RISK", breach: { reason: "DRAWDOWN_LIMIT", detail: expect.stringContaining("5001") } }]);
    expect(broadcasts(feed(state, report("A", "0", "-4500")))).toEqual([]);
  });

  test("a change of breach reason is broadcast again", () => {
    const state = initialRiskState(limits);
    feed(state, report("A", "0", "10000"));
    expect(broadcasts(feed(state, report("A", "300000", "0")))).toMatchObject([{ breach: { reason: "EXPOSURE_LIMIT" } }]);
    expect(broadcasts(feed(state, report("A", "1000", "0")))).toMatchObject([{ breach: { reason: "DRAWDOWN_LIMIT" } }]);
  });

  test("CONTROL_ALL fans out to every symbol as a CONTROL event", () => {
    const state = initialRiskState(limits);
    expect(broadcasts(feed(state, { kind: "CONTROL_ALL", requestId: "r", command: "kill", body: undefined }))).toEqual([{ kind: "CONTROL", requestId: "r", command: "kill", body: undefined }]);
  });
});

describe("GlobalRiskBook", () => {
  test("the peak only rises; drawdown is peak minus equity", () => {
    const book = new GlobalRiskBook({ maxTotalExposure: new Big("1e9"), maxDrawdown: new Big("100") });
    book.update({ symbol: "A", position: "0", exposure: "0", equity: "50" });
    expect(book.figures().drawdown.toFixed()).toBe("0");
    book.update({ symbol: "A", position: "0", exposure: "0", equity: "-20" });
    const figures = book.figures();
    expect([figures.peakEquity.toFixed(), figures.drawdown.toFixed()]).toEqual(["50", "70"]);
    expect(book.breach(figures)).toBeUndefined();
  });
});

describe("RejectionWindow and position limit", () => {
  test("count rejections within windowMs make a storm; older ones drop out", () => {
    const window = new RejectionWindow(3, 1000);
    expect(window.record(0)).toBe(false);
    expect(window.record(500)).toBe(false);
    expect(window.record(999)).toBe(true);
    expect(window.isStorm(1000)).toBe(false); // the one at 0 is out
    expect(window.record(1400)).toBe(true); // 500, 999, 1400
  });

  test("the position limit is breached only strictly beyond maxPosition, either side", () => {
    expect(positionBreached(new Big("1.0"), new Big("1"))).toBe(false);
    expect(positionBreached(new Big("-1.0"), new Big("1"))).toBe(false);
    expect(positionBreached(new Big("1.001"), new Big("1"))).toBe(true);
    expect(positionBreached(new Big("-1.001"), new Big("1"))).toBe(true);
  });
});
