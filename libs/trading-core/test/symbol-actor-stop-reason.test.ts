import { describeSymbol } from "../src";
import { controlResult, Driver, newActor } from "./harness";

// The status's reason says why the symbol stopped; what keeps it from resuming now is in
// resumeBlockers, so on-call sees both without trying a resume.

describe("the reason of a pause stays the cause of the stop", () => {
  test("a lost lease and bus lag while PAUSED (NATS_DISCONNECTED) leave the reason NATS_DISCONNECTED; the blockers name them", () => {
    const driver = new Driver(newActor({}, { leaseRequired: true }));
    driver.step({ kind: "OWNERSHIP", status: "HELD" });
    driver.active();
    driver.step({ kind: "CONNECTION_LOST" });
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "NATS_DISCONNECTED" });
    driver.step({ kind: "OWNERSHIP", status: "LOST", owner: undefined });
    driver.step({ kind: "CONNECTION_RESTORED" });
    driver.snapshot([["50000.0", "1"]], [["50010.0", "1"]], { ts: driver.now - 5000 });
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "NATS_DISCONNECTED" });
    expect(describeSymbol(driver.actor, driver.now)).toMatchObject({ reason: "NATS_DISCONNECTED", resumeBlockers: expect.arrayContaining(["OWNERSHIP_LOST", "BUS_LAG"]) });
  });

  test("the lease held again clears OWNERSHIP_LOST from the blockers, and a resume is refused for the first blocker shown", () => {
    const driver = new Driver(newActor({}, { leaseRequired: true }));
    driver.step({ kind: "OWNERSHIP", status: "HELD" });
    driver.active();
    driver.step({ kind: "OWNERSHIP", status: "LOST", owner: undefined });
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "OWNERSHIP_LOST" });
    driver.step({ kind: "OWNERSHIP", status: "HELD" });
    driver.advance(10_000);
    const status = describeSymbol(driver.actor, driver.now);
    expect(status.reason).toBe("OWNERSHIP_LOST");
    expect(status.resumeBlockers).not.toContain("OWNERSHIP_LOST");
    expect(status.resumeBlockers).toEqual(["MD_STALE"]);
    expect(controlResult(driver.control("resume"))).toMatchObject({ accepted: false, reason: "MD_STALE" });
  });

  test("a manual pause still relabels a pause (MANUAL_PAUSE), and OWNED_ELSEWHERE still replaces STARTUP", () => {
    const driver = new Driver(newActor({}, { leaseRequired: true }));
    driver.step({ kind: "OWNERSHIP", status: "OWNED_ELSEWHERE", owner: "other" });
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "OWNED_ELSEWHERE" });
    driver.control("pause");
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "MANUAL_PAUSE" });
  });

  test("an automatic stop while PAUSED emits no state event", () => {
    const driver = new Driver();
    driver.active();
    driver.step({ kind: "CONNECTION_LOST" });
    const commands = driver.trade({ ts: driver.now - 5000 });
    expect(commands.filter((command) => command.kind === "EMIT_EVENT" && command.event.type === "state")).toEqual([]);
  });
});

describe("resumeBlockers in the status", () => {
  test("empty while ACTIVE", () => {
    const driver = new Driver();
    driver.active();
    expect(describeSymbol(driver.actor, driver.now).resumeBlockers).toEqual([]);
  });

  test("a halt needs its reset first, and says so before the rest", () => {
    const driver = new Driver();
    driver.active();
    driver.control("kill");
    driver.step({ kind: "CONNECTION_LOST" });
    expect(describeSymbol(driver.actor, driver.now).resumeBlockers).toEqual(["HALTED_NEEDS_RESET", "NATS_DISCONNECTED"]);
  });

  test("at start-up, before the replay, the book and the market status", () => {
    const driver = new Driver();
    expect(describeSymbol(driver.actor, driver.now).resumeBlockers).toEqual(["STARTUP", "NO_BOOK"]);
  });
});

describe("when, how and by whom the symbol stopped (stoppedAt, detail, operator)", () => {
  test("at start-up: dated by the actor's first event, no operator", () => {
    const driver = new Driver();
    const startedAt = driver.now;
    driver.recoveryComplete();
    driver.advance(5000).timer();
    expect(describeSymbol(driver.actor, driver.now)).toMatchObject({ reason: "STARTUP", stoppedAt: startedAt, detail: expect.stringContaining("starting"), operator: null });
  });

  test("an automatic stop carries the alert's message and its time; ACTIVE shows nulls", () => {
    const driver = new Driver();
    driver.active();
    expect(describeSymbol(driver.actor, driver.now)).toMatchObject({ state: "ACTIVE", stoppedAt: null, detail: null, operator: null });
    driver.advance(100);
    const stoppedAt = driver.now;
    const commands = driver.step({ kind: "SLOW_CONSUMER" });
    const alert = commands.find((command) => command.kind === "EMIT_EVENT" && command.event.type === "alert");
    expect(alert).toMatchObject({ event: { message: "the NATS client reported a slow consumer" } });
    driver.advance(7000).timer();
    expect(describeSymbol(driver.actor, driver.now)).toMatchObject({ reason: "BUS_LAG", stoppedAt, detail: "the NATS client reported a slow consumer", operator: null });
  });

  test("a kill names its operator and reason; a later automatic pause does not replace them; a reset is signed by whoever reset", () => {
    const driver = new Driver();
    driver.active();
    driver.advance(10);
    const killedAt = driver.now;
    driver.control("kill", { operator: "alice", reason: "odd fills" });
    driver.advance(10).step({ kind: "CONNECTION_LOST" });
    expect(describeSymbol(driver.actor, driver.now)).toMatchObject({ state: "HALTED", reason: "MANUAL_KILL", stoppedAt: killedAt, detail: "odd fills", operator: "alice" });
    driver.step({ kind: "CONNECTION_RESTORED" });
    driver.advance(10);
    const resetAt = driver.now;
    driver.control("reset", { operator: "bob", reason: "fills checked" });
    expect(describeSymbol(driver.actor, driver.now)).toMatchObject({ state: "PAUSED", reason: "MANUAL_RESET", stoppedAt: resetAt, detail: "fills checked", operator: "bob" });
  });

  test("a pause without a body is still a manual stop, with no operator named", () => {
    const driver = new Driver();
    driver.active();
    driver.control("pause", undefined);
    expect(describeSymbol(driver.actor, driver.now)).toMatchObject({ reason: "MANUAL_PAUSE", stoppedAt: driver.now, detail: "manual pause", operator: null });
  });
});
