// Every automatic stop of the contract's fault table, driven through stepSymbol.
import type { OrderIntent, StopReason, SymbolConfig } from "@mms/contracts";
import { isAwaitingSnapshot, type SymbolCommand } from "../src";
import { Driver, baseConfig, controlResult, eventsOf, intentsOf, kindsOf, newActor, newsOf, timeline } from "./harness";

/** The stop's outputs in order: CANCEL_ALL (with the reason), then the state event, then the alert. */
function expectStop(commands: SymbolCommand[], from: string, to: "PAUSED" | "HALTED", reason: StopReason): void {
  const order = timeline(commands);
  const first = order.indexOf("CANCEL_ALL");
  expect(first).toBeGreaterThanOrEqual(0);
  expect(order.slice(first, first + 3)).toEqual(["CANCEL_ALL", "event:state", "event:alert"]);
  const cancelAll = intentsOf(commands).find((intent): intent is Extract<OrderIntent, { kind: "CANCEL_ALL" }> => intent.kind === "CANCEL_ALL");
  expect(cancelAll!.reason).toBe(reason);
  const events = eventsOf(commands);
  expect(events.find((event) => event.type === "state")).toEqual({ type: "state", from, to, reason });
  expect(events.find((event) => event.type === "alert")).toMatchObject({ type: "alert", from, to, reason });
  expect(newsOf(commands)).toEqual([]);
}

function activeDriver(config: Partial<SymbolConfig> = {}): Driver {
  const driver = new Driver(newActor(config));
  driver.active();
  return driver;
}

describe("market-data faults pause an ACTIVE symbol, cancelling first", () => {
  test("MD_STALE: a TIMER more than staleMs after the last market-data message", () => {
    const driver = activeDriver();
    const start = driver.now;
    expect(kindsOf(driver.step({ kind: "TIMER" }, start + 3000))).not.toContain("CANCEL_ALL");
    expect(driver.actor.state.name).toBe("ACTIVE");
    const commands = driver.step({ kind: "TIMER" }, start + 3001);
    expectStop(commands, "ACTIVE", "PAUSED", "MD_STALE");
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "MD_STALE" });
  });

  test("any market-data message (a trade, a status) keeps the symbol fresh", () => {
    const driver = activeDriver();
    const start = driver.now;
    driver.step({ kind: "PUBLIC_TRADE", trade: { symbol: "BTCUSDT-PERP", tradeId: 1, ts: start + 2000, px: "50005.0", qty: "0.1", takerSide: "BUY" } }, start + 2000);
    driver.now = start + 4000;
    driver.status("TRADING");
    driver.step({ kind: "TIMER" }, start + 6500);
    expect(driver.actor.state.name).toBe("ACTIVE");
  });

  test("MD_GAP: a delta that skips a seq pauses, then asks for a snapshot", () => {
    const driver = activeDriver();
    const commands = driver.delta([["50001.0", "1"]], [], { seq: driver.seq + 2 });
    expectStop(commands, "ACTIVE", "PAUSED", "MD_GAP");
    expect(timeline(commands).at(-1)).toBe("REQUEST_SNAPSHOT");
    expect(isAwaitingSnapshot(driver.actor)).toBe(true);
  });

  test("MD_GAP: a status whose seq is ahead of the book is a gap", () => {
    const driver = activeDriver();
    const commands = driver.status("TRADING", { seq: driver.seq + 1 });
    expectStop(commands, "ACTIVE", "PAUSED", "MD_GAP");
    expect(timeline(commands)).toContain("REQUEST_SNAPSHOT");
  });

  test("a repaired book after a gap does not resume quoting by itself", () => {
    const driver = activeDriver();
    driver.delta([], [], { seq: driver.seq + 5 });
    driver.advance(100);
    const afterSnapshot = driver.snapshot([["50000.0", "1"]], [["50010.0", "1"]], { seq: driver.seq + 10 });
    expect(isAwaitingSnapshot(driver.actor)).toBe(false);
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "MD_GAP" });
    expect(newsOf(afterSnapshot)).toEqual([]);
    // deltas after the fresh snapshot apply again
    driver.delta([["50001.0", "1"]], []);
    expect(driver.actor.book!.bestBid()!.toFixed()).toBe("50001");
    expect(newsOf(driver.timer())).toEqual([]);
    // a human resume is needed, and is accepted now
    expect(controlResult(driver.control("resume"))).toMatchObject({ accepted: true, to: "ACTIVE" });
  });

  test("the snapshot request is repeated while no snapshot arrives", () => {
    const driver = activeDriver();
    driver.delta([], [], { seq: driver.seq + 2 });
    const start = driver.now;
    expect(timeline(driver.step({ kind: "TIMER" }, start + 1999))).not.toContain("REQUEST_SNAPSHOT");
    expect(timeline(driver.step({ kind: "TIMER" }, start + 2000))).toContain("REQUEST_SNAPSHOT");
  });

  test("deltas received while waiting for a snapshot are not applied", () => {
    const driver = activeDriver();
    driver.delta([], [], { seq: driver.seq + 2 });
    driver.delta([["50005.0", "1"]], [], { seq: driver.seq + 3 });
    expect(driver.actor.book!.bestBid()!.toFixed()).toBe("50000");
  });

  test("MD_INVALID: a market-data message that failed validation", () => {
    const driver = activeDriver();
    const commands = driver.step({ kind: "MARKET_DATA_INVALID", subject: "md.BTCUSDT-PERP.delta", issues: "/seq must be integer" });
    expectStop(commands, "ACTIVE", "PAUSED", "MD_INVALID");
    expect(driver.actor.counters.invalidMarketData).toBe(1);
  });

  test("MD_CROSSED: a delta that makes best bid >= best ask", () => {
    const driver = activeDriver();
    const commands = driver.delta([["50010.0", "1"]], []);
    expectStop(commands, "ACTIVE", "PAUSED", "MD_CROSSED");
  });

  test("MD_CROSSED: a crossed snapshot", () => {
    const driver = activeDriver();
    const commands = driver.snapshot([["50020.0", "1"]], [["50010.0", "1"]]);
    expectStop(commands, "ACTIVE", "PAUSED", "MD_CROSSED");
  });

  test("BUS_LAG: market data stamped more than maxLagMs before now", () => {
    const driver = activeDriver();
    expect(driver.delta([["50001.0", "1"]], [], { ts: driver.now - 2000 })).not.toContainEqual(expect.objectContaining({ kind: "SEND_INTENT", intent: expect.objectContaining({ kind: "CANCEL_ALL" }) }));
    expect(driver.actor.state.name).toBe("ACTIVE");
    const commands = driver.delta([["50002.0", "1"]], [], { ts: driver.now - 2001 });
    expectStop(commands, "ACTIVE", "PAUSED", "BUS_LAG");
  });

  test("BUS_LAG: a live execution report stamped more than maxLagMs before now", () => {
    const driver = activeDriver();
    const bid = driver.actor.orders.all().find((order) => order.side === "BUY")!;
    const commands = driver.report(driver.canceled(bid.clientOrderId, { ts: driver.now - 2001 }));
    expectStop(commands, "ACTIVE", "PAUSED", "BUS_LAG");
  });

  test("an old execution report during the start-up replay is not lag", () => {
    const driver = new Driver();
    const commands = driver.report(driver.fill("old-1", "BUY", "50000.0", "0.01", "0", { ts: driver.now - 3_600_000 }), true);
    expect(commands.filter((command) => command.kind === "EMIT_EVENT")).toEqual([]);
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "STARTUP" });
    expect(driver.actor.ledger.position.toFixed()).toBe("0.01");
  });

  test("BUS_LAG: a NATS slow-consumer event", () => {
    const driver = activeDriver();
    expectStop(driver.step({ kind: "SLOW_CONSUMER" }), "ACTIVE", "PAUSED", "BUS_LAG");
  });

  test.each(["HALTED", "CLOSED"] as const)("MARKET_HALTED: market status %s", (status) => {
    const driver = activeDriver();
    expectStop(driver.status(status), "ACTIVE", "PAUSED", "MARKET_HALTED");
    // TRADING again does not resume by itself
    driver.status("TRADING");
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "MARKET_HALTED" });
  });
});

describe("risk faults halt the symbol, cancelling first", () => {
  test("POSITION_LIMIT: a fill that takes |position| beyond maxPosition halts", () => {
    const driver = activeDriver();
    const bid = driver.actor.orders.all().find((order) => order.side === "BUY")!;
    const commands = driver.report(driver.fill(bid.clientOrderId, "BUY", "49979.9", "1.5", "0"));
    expectStop(commands, "ACTIVE", "HALTED", "POSITION_LIMIT");
    // the fill is still booked and reported
    expect(driver.actor.ledger.position.toFixed()).toBe("1.5");
    expect(eventsOf(commands)[0]).toMatchObject({ type: "fill", position: "1.5" });
  });

  test("a fill to exactly maxPosition does not halt", () => {
    // A fill of 100 x quoteSize is also a fill burst (MMP_TRIGGERED); that stop is not what this test is about.
    const driver = activeDriver({ mmp: { ...baseConfig.mmp, maxFillQty: "10", maxNetQty: "10" } });
    const bid = driver.actor.orders.all().find((order) => order.side === "BUY")!;
    driver.report(driver.fill(bid.clientOrderId, "BUY", "49979.9", "1.0", "0"));
    expect(driver.actor.state.name).toBe("ACTIVE");
  });

  test("REJECT_STORM: rejectStorm.count rejections within windowMs halt", () => {
    const driver = activeDriver();
    let last: SymbolCommand[] = [];
    for (let index = 0; index < 5; index += 1) {
      driver.advance(1100);
      driver.delta([["50000.0", "1"]], []); // keep the book fresh
      const bid = driver.actor.orders.all().find((order) => order.side === "BUY" && order.status !== "PENDING_CANCEL")!;
      last = driver.report(driver.rejected(bid.clientOrderId, "POST_ONLY_WOULD_CROSS"));
      if (index < 4) expect(driver.actor.state.name).toBe("ACTIVE");
    }
    expectStop(last, "ACTIVE", "HALTED", "REJECT_STORM");
  });

  test("REJECT_STORM: failed submissions count toward the storm", () => {
    const driver = new Driver();
    const { bid, ask, commands } = driver.active();
    const countdown = intentsOf(commands).find((intent) => intent.kind === "COUNTDOWN")!;
    driver.step({ kind: "SUBMISSION_FAILED", intent: bid, reason: "TIMEOUT" });
    driver.step({ kind: "SUBMISSION_FAILED", intent: ask, reason: "TIMEOUT" });
    driver.step({ kind: "SUBMISSION_FAILED", intent: countdown, reason: "TIMEOUT" });
    driver.report(driver.rejected("MM-unknown-1", "RATE_LIMIT"));
    expect(driver.actor.state.name).toBe("ACTIVE");
    const last = driver.report(driver.rejected("MM-unknown-2", "RATE_LIMIT"));
    expectStop(last, "ACTIVE", "HALTED", "REJECT_STORM");
  });

  test("a failed NEW submission is treated as possibly live: a cancel for it is still sent", () => {
    const driver = new Driver();
    const { bid } = driver.active();
    const commands = driver.step({ kind: "SUBMISSION_FAILED", intent: bid, reason: "TIMEOUT" });
    expect(intentsOf(commands)).toEqual([expect.objectContaining({ kind: "CANCEL", clientOrderId: bid.clientOrderId })]);
    expect(driver.actor.orders.get(bid.clientOrderId)!.status).toBe("PENDING_CANCEL");
  });

  test("rejections spread wider than windowMs do not add up to a storm", () => {
    const driver = activeDriver();
    for (let index = 0; index < 8; index += 1) {
      driver.advance(2600);
      driver.delta([["50000.0", "1"]], []);
      driver.report(driver.rejected(`MM-gone-${index}`, "RATE_LIMIT"));
    }
    expect(driver.actor.state.name).toBe("ACTIVE");
  });

  test.each([
    ["EXPOSURE_LIMIT", "total exposure 300000 above 250000"],
    ["DRAWDOWN_LIMIT", "drawdown 6000 above 5000"],
  ] as const)("GLOBAL_RISK %s halts; resume stays refused until the breach clears", (reason, detail) => {
    const driver = activeDriver();
    const commands = driver.step({ kind: "GLOBAL_RISK", breach: { reason, detail } });
    expectStop(commands, "ACTIVE", "HALTED", reason);
    driver.control("reset");
    expect(controlResult(driver.control("resume"))).toMatchObject({ accepted: false, reason });
    driver.step({ kind: "GLOBAL_RISK", breach: undefined });
    expect(controlResult(driver.control("resume"))).toMatchObject({ accepted: true, to: "ACTIVE" });
  });

  test("a halt keeps its first reason: a later pause-level fault does not replace it", () => {
    const driver = activeDriver();
    driver.step({ kind: "GLOBAL_RISK", breach: { reason: "DRAWDOWN_LIMIT", detail: "x" } });
    const commands = driver.step({ kind: "SLOW_CONSUMER" });
    expect(driver.actor.state).toEqual({ name: "HALTED", reason: "DRAWDOWN_LIMIT" });
    expect(eventsOf(commands).filter((event) => event.type === "state" || event.type === "alert")).toEqual([]);
  });
});

describe("connection, ownership and shutdown", () => {
  test("CONNECTION_LOST pauses with NATS_DISCONNECTED; the CANCEL_ALL goes out on CONNECTION_RESTORED", () => {
    const driver = activeDriver();
    const lost = driver.step({ kind: "CONNECTION_LOST" });
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "NATS_DISCONNECTED" });
    expect(intentsOf(lost)).toEqual([]);
    expect(eventsOf(lost).map((event) => event.type)).toEqual(["state", "alert", "risk"]);
    driver.advance(500);
    const restored = driver.step({ kind: "CONNECTION_RESTORED" });
    expect(timeline(restored)).toEqual(["CANCEL_ALL", "REQUEST_SNAPSHOT"]);
    expect(intentsOf(restored)[0]).toMatchObject({ kind: "CANCEL_ALL", reason: "NATS_DISCONNECTED" });
    expect(driver.actor.orders.all().every((order) => order.status === "PENDING_CANCEL")).toBe(true);
  });

  test("nothing is sent while the connection is down, even with cancels waiting to be retried", () => {
    const driver = activeDriver();
    // move the market so both orders are being cancelled, then lose the connection
    driver.delta([["50000.0", "0"], ["50100.0", "1"]], [["50010.0", "0"], ["50110.0", "1"]]);
    expect(driver.actor.state.name).toBe("ACTIVE");
    expect(driver.actor.orders.all().every((order) => order.status === "PENDING_CANCEL")).toBe(true);
    driver.step({ kind: "CONNECTION_LOST" });
    const whileDown: SymbolCommand[] = [];
    for (let tick = 0; tick < 100; tick += 1) {
      driver.advance(100);
      whileDown.push(...driver.timer());
    }
    expect(intentsOf(whileDown)).toEqual([]);
    expect(driver.actor.state.name).toBe("PAUSED");
    const restored = driver.step({ kind: "CONNECTION_RESTORED" });
    expect(kindsOf(restored)).toEqual(["CANCEL_ALL"]);
  });

  test("an outage with cancels in flight does not turn into a reject storm", () => {
    // The shell reports every intent it could not publish as SUBMISSION_FAILED.
    const driver = activeDriver();
    driver.delta([["50000.0", "0"], ["50100.0", "1"]], [["50010.0", "0"], ["50110.0", "1"]]);
    driver.step({ kind: "CONNECTION_LOST" });
    for (let tick = 0; tick < 150; tick += 1) {
      driver.advance(100);
      for (const intent of intentsOf(driver.timer())) driver.step({ kind: "SUBMISSION_FAILED", intent, reason: "TIMEOUT" });
    }
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "NATS_DISCONNECTED" });
  });

  test("OWNED_ELSEWHERE keeps the symbol PAUSED, sends nothing, and resume is refused", () => {
    const driver = new Driver(newActor({}, { leaseRequired: true }));
    driver.step({ kind: "OWNERSHIP", status: "OWNED_ELSEWHERE", owner: "mms-1" });
    driver.ready();
    expect(intentsOf(driver.log)).toEqual([]);
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "OWNED_ELSEWHERE" });
    const resume = driver.control("resume");
    expect(controlResult(resume)).toMatchObject({ accepted: false, reason: "OWNED_ELSEWHERE", to: "PAUSED" });
    expect(intentsOf(resume)).toEqual([]);
    for (let tick = 0; tick < 10; tick += 1) {
      driver.advance(100);
      expect(intentsOf(driver.timer())).toEqual([]);
    }
  });

  test("once the lease is held the leftover CANCEL_ALL goes out and resume is accepted", () => {
    const driver = new Driver(newActor({}, { leaseRequired: true }));
    driver.ready();
    expect(intentsOf(driver.log)).toEqual([]);
    const held = driver.step({ kind: "OWNERSHIP", status: "HELD" });
    expect(intentsOf(held)).toEqual([expect.objectContaining({ kind: "CANCEL_ALL", reason: "STARTUP" })]);
    expect(controlResult(driver.control("resume"))).toMatchObject({ accepted: true });
  });

  test("a lost lease pauses with OWNERSHIP_LOST and cancels only our own orders, one by one", () => {
    const driver = new Driver(newActor({}, { leaseRequired: true }));
    driver.step({ kind: "OWNERSHIP", status: "HELD" });
    const { bid, ask } = driver.active();
    const commands = driver.step({ kind: "OWNERSHIP", status: "LOST", owner: "mms-1" });
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "OWNERSHIP_LOST" });
    expect(kindsOf(commands)).toEqual(["CANCEL", "CANCEL"]);
    expect(intentsOf(commands).map((intent) => (intent.kind === "CANCEL" ? intent.clientOrderId : ""))).toEqual([bid.clientOrderId, ask.clientOrderId]);
    expect(controlResult(driver.control("resume"))).toMatchObject({ accepted: false, reason: "OWNERSHIP_LOST" });
  });

  test("SHUTDOWN pauses with reason SHUTDOWN, cancelling first, and raises no alert: it was asked for", () => {
    const driver = activeDriver();
    const commands = driver.step({ kind: "SHUTDOWN" });
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "SHUTDOWN" });
    const intents = intentsOf(commands);
    expect(intents[0]).toMatchObject({ kind: "CANCEL_ALL", reason: "SHUTDOWN" });
    // SIGTERM also writes a checkpoint, after the stop, so the next start replays only what follows.
    expect(eventsOf(commands).map((event) => event.type)).toEqual(["intent", "state", "checkpoint"]);
  });
});

describe("while stopped nothing rests", () => {
  test("an unsettled cancel is sent again after cancelRetryMs", () => {
    const driver = activeDriver();
    const { now } = driver;
    driver.control("pause");
    expect(intentsOf(driver.step({ kind: "TIMER" }, now + 1999)).filter((intent) => intent.kind === "CANCEL")).toEqual([]);
    expect(kindsOf(driver.step({ kind: "TIMER" }, now + 2000)).filter((kind) => kind === "CANCEL")).toEqual(["CANCEL", "CANCEL"]);
  });

  test("an order whose cancel was refused while PAUSED is cancelled again", () => {
    const driver = activeDriver();
    const bid = driver.actor.orders.all().find((order) => order.side === "BUY")!;
    driver.control("pause");
    driver.advance(2000);
    driver.status("TRADING");
    driver.timer(); // the unsettled cancels are retried
    // the exchange refuses the retried cancel of the bid: it still rests
    driver.advance(10);
    driver.report(driver.rejected(bid.clientOrderId, "RATE_LIMIT"));
    expect(driver.actor.orders.get(bid.clientOrderId)!.status).toBe("LIVE");
    const retried: SymbolCommand[] = [];
    for (let tick = 0; tick < 30; tick += 1) {
      driver.advance(100);
      retried.push(...driver.timer());
    }
    expect(intentsOf(retried)).toContainEqual(expect.objectContaining({ kind: "CANCEL", clientOrderId: bid.clientOrderId }));
    expect(driver.actor.orders.get(bid.clientOrderId)!.status).toBe("PENDING_CANCEL");
  });
});
