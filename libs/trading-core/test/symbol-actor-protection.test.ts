// The protection stops wired into the actor: fill burst, price jump, dead-man fired, foreign order.
import type { StopReason, SymbolConfig } from "@mms/contracts";
import type { SymbolCommand } from "../src";
import { Driver, controlResult, eventsOf, newActor, newsOf, timeline } from "./harness";

const BURST = { windowMs: 1000, maxFills: 2, maxFillQty: "1", maxNetQty: "1", frozenMs: 5000 };

function activeDriver(config: Partial<SymbolConfig> = {}): Driver {
  const driver = new Driver(newActor(config));
  driver.active();
  return driver;
}

/** Cancel first, then the state event and the alert; nothing new is quoted. */
function expectStop(commands: SymbolCommand[], from: string, to: "PAUSED" | "HALTED", reason: StopReason): void {
  const order = timeline(commands);
  const first = order.indexOf("CANCEL_ALL");
  expect(first).toBeGreaterThanOrEqual(0);
  expect(order.slice(first, first + 3)).toEqual(["CANCEL_ALL", "event:state", "event:alert"]);
  const events = eventsOf(commands);
  expect(events.find((event) => event.type === "state")).toEqual({ type: "state", from, to, reason });
  expect(events.find((event) => event.type === "alert")).toMatchObject({ type: "alert", from, to, reason });
  expect(newsOf(commands)).toEqual([]);
}

/** Keeps the book fresh, then asks for a resume; returns the control result. */
function resumeAt(driver: Driver, at: number) {
  driver.now = at;
  driver.trade();
  return controlResult(driver.control("resume"));
}

describe("fill burst (MMP_TRIGGERED)", () => {
  test("more than mmp.maxFills live fills within the window pause; resume is refused with MMP_FROZEN until frozenMs, then accepted", () => {
    const driver = activeDriver({ mmp: BURST });
    const bid = driver.actor.orders.all().find((order) => order.side === "BUY")!;
    driver.report(driver.fill(bid.clientOrderId, "BUY", bid.price.toFixed(), "0.001", "0.009"));
    driver.advance(100).report(driver.fill(bid.clientOrderId, "BUY", bid.price.toFixed(), "0.001", "0.008"));
    expect(driver.actor.state.name).toBe("ACTIVE");
    const triggeredAt = driver.advance(100).now;
    const third = driver.report(driver.fill(bid.clientOrderId, "BUY", bid.price.toFixed(), "0.001", "0.007"));
    expectStop(third, "ACTIVE", "PAUSED", "MMP_TRIGGERED");
    expect(eventsOf(third).find((event) => event.type === "alert")).toMatchObject({ message: "MAX_FILLS 3 > 2 within 1000 ms" });

    expect(resumeAt(driver, triggeredAt + 4999)).toMatchObject({ accepted: false, reason: "MMP_FROZEN", to: "PAUSED" });
    expect(resumeAt(driver, triggeredAt + 5000)).toMatchObject({ accepted: true, to: "ACTIVE" });
  });

  test("fills spread wider than the window never add up to a burst", () => {
    const driver = activeDriver({ mmp: BURST });
    const bid = driver.actor.orders.all().find((order) => order.side === "BUY")!;
    for (const leaves of ["0.009", "0.008", "0.007", "0.006", "0.005"]) {
      driver.advance(600).trade();
      driver.report(driver.fill(bid.clientOrderId, "BUY", bid.price.toFixed(), "0.001", leaves));
    }
    expect(driver.actor.state.name).toBe("ACTIVE");
  });

  test("fills replayed at start-up are history: they never trip the guard nor freeze the resume", () => {
    const driver = new Driver(newActor({ mmp: BURST }));
    for (let fill = 0; fill < 10; fill += 1) driver.report(driver.fill(`MM-old-O${fill}`, "BUY", "50000.0", "0.001", "0"), true);
    expect(driver.actor.ledger.position.toFixed()).toBe("0.01");
    expect(driver.actor.fillBurst.frozenUntil).toBeUndefined();
    driver.ready();
    expect(controlResult(driver.control("resume"))).toMatchObject({ accepted: true, to: "ACTIVE" });
  });
});

describe("price jump (PRICE_JUMP)", () => {
  test("a 150 bps jump of the mid pauses (jumpBps 100); resume then needs nothing special", () => {
    const driver = activeDriver({ jumpBps: "100" });
    const commands = driver.advance(100).snapshot([["50750.0", "1"]], [["50760.0", "1"]]);
    expectStop(commands, "ACTIVE", "PAUSED", "PRICE_JUMP");
    expect(eventsOf(commands).find((event) => event.type === "alert")).toMatchObject({ message: expect.stringContaining("moved 149.99 bps from 50005") });
    // The jump is over once the window has passed: a fresh book and the usual checks suffice.
    expect(resumeAt(driver, driver.now + 1000)).toMatchObject({ accepted: true, to: "ACTIVE" });
  });

  test("a 50 bps move does not pause (jumpBps 100)", () => {
    const driver = activeDriver({ jumpBps: "100" });
    driver.advance(100).snapshot([["50255.0", "1"]], [["50265.0", "1"]]);
    expect(driver.actor.state.name).toBe("ACTIVE");
  });

  test("a mid that held still for longer than the window still counts: a jump from it pauses", () => {
    const driver = activeDriver({ jumpBps: "100" });
    for (let step = 0; step < 20; step += 1) driver.advance(100).delta([["50000.0", String(2 + step)]], []);
    expect(driver.actor.state.name).toBe("ACTIVE");
    expectStop(driver.advance(100).snapshot([["50750.0", "1"]], [["50760.0", "1"]]), "ACTIVE", "PAUSED", "PRICE_JUMP");
  });

  test('jumpBps "0" turns the stop off', () => {
    const driver = activeDriver({ jumpBps: "0" });
    driver.advance(100).snapshot([["50750.0", "1"]], [["50760.0", "1"]]);
    expect(driver.actor.state.name).toBe("ACTIVE");
  });
});

describe("dead-man fired (DEADMAN_FIRED)", () => {
  test("a COUNTDOWN cancel while ACTIVE pauses, with no automatic requote", () => {
    const driver = activeDriver();
    const [bid, ask] = driver.actor.orders.all();
    const commands = driver.report(driver.canceled(bid!.clientOrderId, { reason: "COUNTDOWN" }));
    expectStop(commands, "ACTIVE", "PAUSED", "DEADMAN_FIRED");
    expect(newsOf(driver.report(driver.canceled(ask!.clientOrderId, { reason: "COUNTDOWN" })))).toEqual([]);
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "DEADMAN_FIRED" });
  });

  test("a COUNTDOWN cancel while PAUSED changes nothing: the symbol was not quoting", () => {
    const driver = activeDriver();
    const [bid] = driver.actor.orders.all();
    driver.control("pause");
    const commands = driver.report(driver.canceled(bid!.clientOrderId, { reason: "COUNTDOWN" }));
    expect(eventsOf(commands).filter((event) => event.type === "alert" || event.type === "state")).toEqual([]);
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "MANUAL_PAUSE" });
  });
});

describe("foreign order (FOREIGN_ORDER)", () => {
  test("a live fill on the account for a clientOrderId the MMS did not issue halts, and the fill counts in the position", () => {
    const driver = activeDriver();
    const commands = driver.report(driver.fill("HUMAN-42", "BUY", "50000.0", "0.005", "0"));
    expectStop(commands, "ACTIVE", "HALTED", "FOREIGN_ORDER");
    expect(driver.actor.ledger.position.toFixed()).toBe("0.005");
    expect(eventsOf(commands).find((event) => event.type === "fill")).toMatchObject({ clientOrderId: "HUMAN-42", position: "0.005" });
  });

  test("a replayed foreign report does not halt; its fill still counts", () => {
    const driver = new Driver(newActor());
    driver.report(driver.fill("HUMAN-42", "SELL", "50000.0", "0.004", "0"), true);
    driver.ready();
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "STARTUP" });
    expect(driver.actor.ledger.position.toFixed()).toBe("-0.004");
    expect(controlResult(driver.control("resume"))).toMatchObject({ accepted: true, to: "ACTIVE" });
  });

  test("a fill of the MMS's own order (an MM- id) is not foreign", () => {
    const driver = activeDriver();
    const bid = driver.actor.orders.all().find((order) => order.side === "BUY")!;
    driver.report(driver.fill(bid.clientOrderId, "BUY", bid.price.toFixed(), "0.010", "0"));
    expect(driver.actor.state.name).toBe("ACTIVE");
  });
});
