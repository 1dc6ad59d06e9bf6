// Control commands: what each does, and every refusal.
import type { SymbolCommand } from "../src";
import { Driver, OPERATOR, controlResult, eventsOf, intentsOf, kindsOf, newActor, timeline } from "./harness";

function expectRefused(commands: SymbolCommand[], reason: string): void {
  expect(controlResult(commands)).toMatchObject({ accepted: false, reason });
  expect(intentsOf(commands)).toEqual([]);
  expect(eventsOf(commands).map((event) => event.type)).toEqual(["control"]);
}

describe("operator commands need an operator and a reason", () => {
  test.each([
    ["no body", undefined],
    ["an empty object", {}],
    ["no reason", { operator: "alice" }],
    ["a blank reason", { operator: "alice", reason: "   " }],
    ["no operator", { reason: "feed back" }],
  ])("resume with %s is refused with OPERATOR_REQUIRED", (_name, body) => {
    const driver = new Driver().ready();
    expectRefused(driver.control("resume", body), "OPERATOR_REQUIRED");
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "STARTUP" });
  });

  test("reset without an operator is refused with OPERATOR_REQUIRED and the symbol stays HALTED", () => {
    const driver = new Driver().ready();
    driver.control("kill", undefined);
    expectRefused(driver.control("reset", {}), "OPERATOR_REQUIRED");
    expect(driver.actor.state.name).toBe("HALTED");
  });

  test("shadow without an operator is refused with OPERATOR_REQUIRED", () => {
    const driver = new Driver().ready();
    expectRefused(driver.control("shadow", { enabled: true }), "OPERATOR_REQUIRED");
    expect(driver.actor.mode).toBe("live");
  });

  test("a body that is not an object is refused with INVALID_BODY for resume", () => {
    const driver = new Driver().ready();
    expectRefused(driver.control("resume", "please"), "INVALID_BODY");
  });

  test("the control event records operator, reason and outcome", () => {
    const driver = new Driver().ready();
    const commands = driver.control("resume", { operator: "bob", reason: "feed back" });
    expect(eventsOf(commands).find((event) => event.type === "control")).toEqual({ type: "control", command: "resume", operator: "bob", operatorReason: "feed back", accepted: true, refusal: null, from: "PAUSED", to: "ACTIVE" });
  });

  test("an unknown command is refused with UNKNOWN_COMMAND", () => {
    const driver = new Driver().ready();
    expectRefused(driver.control("explode"), "UNKNOWN_COMMAND");
  });
});

describe("kill and pause are never refused for a missing or malformed body", () => {
  test.each([
    ["no body", undefined],
    ["null", null],
    ["a string", "kill it"],
    ["a number", 42],
    ["a wrongly typed operator", { operator: 5 }],
    ["an empty operator", { operator: "" }],
  ])("kill with %s halts with MANUAL_KILL, cancelling first", (_name, body) => {
    const driver = new Driver();
    driver.active();
    const commands = driver.control("kill", body);
    expect(controlResult(commands)).toMatchObject({ accepted: true, from: "ACTIVE", to: "HALTED" });
    expect(timeline(commands).slice(0, 2)).toEqual(["CANCEL_ALL", "event:state"]);
    expect(intentsOf(commands)[0]).toMatchObject({ kind: "CANCEL_ALL", reason: "MANUAL_KILL" });
    expect(driver.actor.state).toEqual({ name: "HALTED", reason: "MANUAL_KILL" });
  });

  test.each([
    ["no body", undefined],
    ["a string", "stop"],
    ["an array", [1, 2]],
  ])("pause with %s pauses with MANUAL_PAUSE, cancelling first", (_name, body) => {
    const driver = new Driver();
    driver.active();
    const commands = driver.control("pause", body);
    expect(controlResult(commands)).toMatchObject({ accepted: true, from: "ACTIVE", to: "PAUSED" });
    expect(timeline(commands).slice(0, 2)).toEqual(["CANCEL_ALL", "event:state"]);
    expect(intentsOf(commands)[0]).toMatchObject({ kind: "CANCEL_ALL", reason: "MANUAL_PAUSE" });
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "MANUAL_PAUSE" });
  });

  test("kill while HALTED still sends a CANCEL_ALL and is accepted", () => {
    const driver = new Driver().ready();
    driver.control("kill");
    const again = driver.control("kill");
    expect(controlResult(again)).toMatchObject({ accepted: true });
    expect(kindsOf(again)).toEqual(["CANCEL_ALL"]);
  });

  test("pause while PAUSED still sends a CANCEL_ALL", () => {
    const driver = new Driver().ready();
    const commands = driver.control("pause", undefined);
    expect(controlResult(commands)).toMatchObject({ accepted: true, to: "PAUSED" });
    expect(kindsOf(commands)).toEqual(["CANCEL_ALL"]);
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "MANUAL_PAUSE" });
  });

  test("pause while HALTED cancels but is refused with HALTED_NEEDS_RESET (a pause never lifts a halt)", () => {
    // The code's reading: the refusal is about the state, not the body; the cancel still goes out.
    const driver = new Driver().ready();
    driver.control("kill");
    const commands = driver.control("pause", undefined);
    expect(controlResult(commands)).toMatchObject({ accepted: false, reason: "HALTED_NEEDS_RESET", to: "HALTED" });
    expect(kindsOf(commands)).toEqual(["CANCEL_ALL"]);
  });

  test("kill while disconnected sends its CANCEL_ALL on reconnect", () => {
    const driver = new Driver();
    driver.active();
    driver.step({ kind: "CONNECTION_LOST" });
    driver.control("kill");
    expect(driver.actor.state).toEqual({ name: "HALTED", reason: "MANUAL_KILL" });
    expect(kindsOf(driver.step({ kind: "CONNECTION_RESTORED" }))).toContain("CANCEL_ALL");
  });
});

describe("reset", () => {
  test("reset while PAUSED is refused with NOT_HALTED", () => {
    const driver = new Driver().ready();
    expectRefused(driver.control("reset"), "NOT_HALTED");
  });

  test("reset while ACTIVE is refused with NOT_HALTED", () => {
    const driver = new Driver();
    driver.active();
    const commands = driver.control("reset");
    expect(controlResult(commands)).toMatchObject({ accepted: false, reason: "NOT_HALTED" });
    expect(driver.actor.state.name).toBe("ACTIVE");
  });

  test("reset moves HALTED to PAUSED with MANUAL_RESET, cancelling first, and resume is then accepted", () => {
    const driver = new Driver().ready();
    driver.control("kill");
    expectRefused(driver.control("resume"), "HALTED_NEEDS_RESET");
    const reset = driver.control("reset");
    expect(controlResult(reset)).toMatchObject({ accepted: true, from: "HALTED", to: "PAUSED" });
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "MANUAL_RESET" });
    // every move into PAUSED cancels first, this one included
    expect(timeline(reset).slice(0, 2)).toEqual(["CANCEL_ALL", "event:state"]);
    expect(intentsOf(reset)).toEqual([expect.objectContaining({ kind: "CANCEL_ALL", reason: "MANUAL_RESET" })]);
    expect(controlResult(driver.control("resume"))).toMatchObject({ accepted: true, to: "ACTIVE" });
  });
});

describe("resume is refused while anything is wrong", () => {
  test("resume is refused while the book is stale", () => {
    const driver = new Driver().ready();
    driver.advance(3001);
    expectRefused(driver.control("resume"), "MD_STALE");
  });

  test("resume is refused while the book is crossed", () => {
    const driver = new Driver().ready();
    driver.delta([["50010.0", "1"]], []);
    expectRefused(driver.control("resume"), "MD_CROSSED");
  });

  test.each(["HALTED", "CLOSED"] as const)("resume is refused while the market is %s", (status) => {
    const driver = new Driver().ready();
    driver.status(status);
    expectRefused(driver.control("resume"), "MARKET_HALTED");
  });

  test("resume is refused before any market status is known", () => {
    const driver = new Driver();
    driver.recoveryComplete();
    driver.snapshot([["50000.0", "1"]], [["50010.0", "1"]]);
    expectRefused(driver.control("resume"), "NO_MARKET_STATUS");
  });

  test("resume is refused with no book", () => {
    const driver = new Driver();
    driver.recoveryComplete();
    driver.status("TRADING");
    expectRefused(driver.control("resume"), "NO_BOOK");
  });

  test("resume is refused with a one-sided book", () => {
    const driver = new Driver();
    driver.recoveryComplete();
    driver.snapshot([["50000.0", "1"]], []);
    driver.status("TRADING");
    expectRefused(driver.control("resume"), "NO_BOOK");
  });

  test("resume is refused while a gap waits for its snapshot", () => {
    const driver = new Driver().ready();
    driver.delta([], [], { seq: driver.seq + 3 });
    expectRefused(driver.control("resume"), "MD_GAP");
  });

  test("resume is refused while market data is lagging", () => {
    const driver = new Driver().ready();
    driver.delta([["50001.0", "1"]], [], { ts: driver.now - 2500 });
    expectRefused(driver.control("resume"), "BUS_LAG");
    driver.delta([["50002.0", "1"]], []);
    expect(controlResult(driver.control("resume"))).toMatchObject({ accepted: true });
  });

  test("resume is refused while the start-up replay is still running", () => {
    const driver = new Driver();
    driver.snapshot([["50000.0", "1"]], [["50010.0", "1"]]);
    driver.status("TRADING");
    expectRefused(driver.control("resume"), "STARTUP");
  });

  test("resume is refused while |position| is beyond maxPosition (rebuilt by the replay)", () => {
    const driver = new Driver();
    driver.report(driver.fill("old-1", "SELL", "50000.0", "1.2", "0"), true);
    driver.ready();
    expectRefused(driver.control("resume"), "POSITION_LIMIT");
  });

  test("resume is refused while the reject storm is still in its window", () => {
    const driver = new Driver();
    driver.active();
    for (let index = 0; index < 5; index += 1) driver.report(driver.rejected(`MM-gone-${index}`, "RATE_LIMIT"));
    driver.control("reset");
    expectRefused(driver.control("resume"), "REJECT_STORM");
    driver.advance(10_000);
    driver.delta([["50000.0", "2"]], []);
    expect(controlResult(driver.control("resume"))).toMatchObject({ accepted: true });
  });

  test("resume is refused while the lease is held by another instance", () => {
    const driver = new Driver(newActor({}, { leaseRequired: true }));
    driver.step({ kind: "OWNERSHIP", status: "OWNED_ELSEWHERE", owner: "mms-1" });
    driver.ready();
    expectRefused(driver.control("resume"), "OWNED_ELSEWHERE");
  });

  test("resume is refused before the lease is known", () => {
    const driver = new Driver(newActor({}, { leaseRequired: true }));
    driver.ready();
    expectRefused(driver.control("resume"), "OWNED_ELSEWHERE");
  });

  test("resume is refused while disconnected", () => {
    const driver = new Driver().ready();
    driver.step({ kind: "CONNECTION_LOST" });
    expectRefused(driver.control("resume"), "NATS_DISCONNECTED");
  });

  test("resume while ACTIVE is accepted and changes nothing", () => {
    const driver = new Driver();
    driver.active();
    const commands = driver.control("resume");
    expect(controlResult(commands)).toMatchObject({ accepted: true, from: "ACTIVE", to: "ACTIVE" });
    expect(intentsOf(commands)).toEqual([]);
  });
});

describe("shadow", () => {
  test("shadow needs a boolean enabled", () => {
    const driver = new Driver().ready();
    expectRefused(driver.control("shadow", OPERATOR), "INVALID_BODY");
  });

  test("shadow off is refused while ACTIVE (PAUSE_FIRST)", () => {
    const driver = new Driver(newActor({ mode: "shadow" })).ready();
    driver.control("resume");
    expect(driver.actor.state.name).toBe("ACTIVE");
    expectRefused(driver.control("shadow", { ...OPERATOR, enabled: false }), "PAUSE_FIRST");
    expect(driver.actor.mode).toBe("shadow");
  });

  test("shadow on while live and quoting cancels the live orders, then quotes in shadow only", () => {
    const driver = new Driver();
    driver.active();
    const commands = driver.control("shadow", { ...OPERATOR, enabled: true });
    expect(controlResult(commands)).toMatchObject({ accepted: true });
    expect(kindsOf(commands)).toEqual(["CANCEL_ALL"]);
    expect(driver.actor.mode).toBe("shadow");
    driver.advance(1100);
    const requote = driver.delta([["50000.0", "0"], ["50100.0", "1"]], [["50010.0", "0"], ["50110.0", "1"]]);
    expect(intentsOf(requote)).toEqual([]);
    expect(eventsOf(requote).filter((event) => event.type === "intent").length).toBeGreaterThan(0);
  });
});
