// Quoting behaviour of the actor: requotes, skew, shadow mode, replay, duplicates, ids,
// the dead-man's switch, the rate limit and determinism.
import type { AuditEventBody, OrderIntent } from "@mms/contracts";
import { describeSymbol, initialSymbolState, stepSymbol, type SymbolCommand, type SymbolEvent } from "../src";
import { ACCOUNT, Driver, baseConfig, controlResult, eventsOf, intentsOf, kindsOf, newActor, newsOf, type CountdownIntent } from "./harness";

type IntentEvent = Extract<AuditEventBody, { type: "intent" }>;
type QuoteEvent = Extract<AuditEventBody, { type: "quote" }>;
const intentEvents = (commands: readonly SymbolCommand[]) => eventsOf(commands).filter((event): event is IntentEvent => event.type === "intent");
const quoteEvents = (commands: readonly SymbolCommand[]) => eventsOf(commands).filter((event): event is QuoteEvent => event.type === "quote");
const countdowns = (commands: readonly SymbolCommand[]) => intentsOf(commands).filter((intent): intent is CountdownIntent => intent.kind === "COUNTDOWN");

describe("requoting", () => {
  test("resume quotes mid -/+ half the spread, bid rounded down and ask rounded up", () => {
    const driver = new Driver();
    const { bid, ask, commands } = driver.active();
    // mid 50005; half spread 5 bps = 25.0025: bid 49979.9975 -> 49979.9, ask 50030.0025 -> 50030.1
    // quantities keep the config's spelling ("0.010")
    expect([bid.px, bid.qty, bid.tif, bid.tag, bid.account]).toEqual(["49979.9", "0.010", "POST_ONLY", "MM", ACCOUNT]);
    expect([ask.px, ask.qty]).toEqual(["50030.1", "0.010"]);
    expect(quoteEvents(commands)).toEqual([{ type: "quote", mid: "50005", bestBid: "50000", bestAsk: "50010", position: "0", bid: { px: "49979.9", qty: "0.010" }, ask: { px: "50030.1", qty: "0.010" } }]);
  });

  test("no churn while the mid moves within requoteToleranceTicks", () => {
    const driver = new Driver();
    driver.active();
    // +0.1: mid 50005.1 -> bid 49980.09745 -> 49980.0, ask 50030.10255 -> 50030.2: one tick each
    driver.advance(10);
    expect(intentsOf(driver.delta([["50000.0", "0"], ["50000.1", "1"]], [["50010.0", "0"], ["50010.1", "1"]]))).toEqual([]);
    // +0.2 from the start: two ticks, still inside the tolerance
    driver.advance(10);
    expect(intentsOf(driver.delta([["50000.1", "0"], ["50000.2", "1"]], [["50010.1", "0"], ["50010.2", "1"]]))).toEqual([]);
    // and back down
    driver.advance(10);
    expect(intentsOf(driver.delta([["50000.2", "0"], ["50000.0", "1"]], [["50010.2", "0"], ["50010.0", "1"]]))).toEqual([]);
  });

  test("a move beyond the tolerance cancels first and sends the replacement only once the cancel is confirmed", () => {
    const driver = new Driver();
    const { bid, ask } = driver.active();
    driver.advance(10);
    // +0.3: mid 50005.3 -> bid 49980.2 / ask 50030.4, three ticks away
    const moved = driver.delta([["50000.0", "0"], ["50000.3", "1"]], [["50010.0", "0"], ["50010.3", "1"]]);
    expect(intentsOf(moved).map((intent) => [intent.kind, intent.kind === "CANCEL" ? intent.clientOrderId : ""])).toEqual([["CANCEL", bid.clientOrderId], ["CANCEL", ask.clientOrderId]]);
    driver.advance(10);
    expect(newsOf(driver.timer())).toEqual([]);
    const replaced = driver.report(driver.canceled(bid.clientOrderId));
    expect(newsOf(replaced).map((intent) => [intent.side, intent.px])).toEqual([["BUY", "49980.2"]]);
  });

  test("a fill shifts both quotes by the skew", () => {
    const driver = new Driver();
    const { bid } = driver.active();
    driver.advance(10);
    const commands = driver.report(driver.fill(bid.clientOrderId, "BUY", bid.px, "0.010", "0", { fee: "-0.05" }));
    // p = 0.01: shift = -5/10000 x 50005 x 0.01 = -0.250025
    // bid 49979.9975 - 0.250025 = 49979.747475 -> 49979.7; ask 50030.0025 - 0.250025 = 50029.752475 -> 50029.8
    expect(quoteEvents(commands)).toEqual([expect.objectContaining({ position: "0.01", bid: { px: "49979.7", qty: "0.010" }, ask: { px: "50029.8", qty: "0.010" } })]);
    expect(eventsOf(commands)[0]).toMatchObject({ type: "fill", position: "0.01", avgEntryPx: "49979.9", fees: "-0.05" });
    // the filled bid is replaced lower; the ask, three ticks off, is cancelled for replacement
    expect(newsOf(commands).map((intent) => [intent.side, intent.px])).toEqual([["BUY", "49979.7"]]);
    expect(kindsOf(commands)).toContain("CANCEL");
  });

  test("a partial fill replaces the order (its quantity changed)", () => {
    const driver = new Driver();
    const { ask } = driver.active();
    driver.advance(10);
    const commands = driver.report(driver.fill(ask.clientOrderId, "SELL", ask.px, "0.004", "0.006"));
    expect(intentsOf(commands).filter((intent) => intent.kind === "CANCEL").map((intent) => (intent.kind === "CANCEL" ? intent.clientOrderId : ""))).toContain(ask.clientOrderId);
    expect(driver.actor.ledger.position.toFixed()).toBe("-0.004");
  });

  test("NEW and CANCEL intents are held to maxOrdersPerSecond; the rest go out in the next second", () => {
    const driver = new Driver(newActor({ maxOrdersPerSecond: 3 }));
    const { bid, ask } = driver.active(); // 2 NEWs used
    driver.advance(10);
    const moved = driver.delta([["50000.0", "0"], ["50001.0", "1"]], [["50010.0", "0"], ["50011.0", "1"]]);
    expect(intentsOf(moved).map((intent) => intent.kind)).toEqual(["CANCEL"]); // one token left
    driver.advance(500);
    expect(intentsOf(driver.timer()).filter((intent) => intent.kind !== "COUNTDOWN")).toEqual([]);
    driver.now = driver.log.length > 0 ? 1_000_000 + 1000 : driver.now; // one second after resume
    const next = driver.timer();
    expect(intentsOf(next).filter((intent) => intent.kind === "CANCEL").map((intent) => (intent.kind === "CANCEL" ? intent.clientOrderId : ""))).toEqual([ask.clientOrderId]);
    expect(bid.clientOrderId).not.toBe(ask.clientOrderId);
  });

  test("a stop's CANCEL_ALL is never held back by the rate limit", () => {
    const driver = new Driver(newActor({ maxOrdersPerSecond: 2 }));
    driver.active(); // both tokens used
    const moved = driver.delta([["50000.0", "0"], ["50001.0", "1"]], [["50010.0", "0"], ["50011.0", "1"]]);
    expect(intentsOf(moved)).toEqual([]); // budget exhausted
    expect(kindsOf(driver.control("kill"))).toEqual(["CANCEL_ALL"]);
    const again = new Driver(newActor({ maxOrdersPerSecond: 2 }));
    again.active();
    expect(kindsOf(again.step({ kind: "SLOW_CONSUMER" }))).toEqual(["CANCEL_ALL"]);
  });

  test("no side is quoted that would take |position| beyond maxPosition", () => {
    const driver = new Driver(newActor({ maxPosition: "0.015" }));
    const { bid } = driver.active();
    driver.advance(10);
    const commands = driver.report(driver.fill(bid.clientOrderId, "BUY", bid.px, "0.010", "0"));
    // position 0.01: another bid of 0.01 would make 0.02 > 0.015
    expect(newsOf(commands).filter((intent) => intent.side === "BUY")).toEqual([]);
    expect(quoteEvents(commands)[0]!.bid).toBeNull();
  });
});

describe("shadow mode", () => {
  test("shadow mode sends no intents but writes each as an intent event with shadow: true", () => {
    const driver = new Driver(newActor({ mode: "shadow" })).ready();
    const commands = driver.control("resume");
    expect(controlResult(commands)).toMatchObject({ accepted: true });
    expect(commands.filter((command) => command.kind === "SEND_INTENT")).toEqual([]);
    const events = intentEvents(commands);
    expect(events.map((event) => [event.shadow, event.intent.kind])).toEqual([[true, "NEW"], [true, "NEW"]]);
    // no dead-man's switch in shadow mode: nothing rests at the exchange
    expect(events.some((event) => event.intent.kind === "COUNTDOWN")).toBe(false);
    const all: SymbolCommand[] = [];
    for (let tick = 0; tick < 30; tick += 1) {
      driver.advance(100);
      if (tick % 5 === 0) all.push(...driver.delta([["50000.0", String(tick + 1)]], []));
      all.push(...driver.timer());
    }
    all.push(...driver.control("pause"));
    expect(all.filter((command) => command.kind === "SEND_INTENT")).toEqual([]);
    expect(intentEvents(all).every((event) => event.shadow)).toBe(true);
    expect(intentEvents(all).map((event) => event.intent.kind)).toContain("CANCEL_ALL");
  });

  test("shadow requotes follow the market as if the orders were live", () => {
    const driver = new Driver(newActor({ mode: "shadow" })).ready();
    driver.control("resume");
    driver.advance(1000);
    const moved = driver.delta([["50000.0", "0"], ["50100.0", "1"]], [["50010.0", "0"], ["50110.0", "1"]]);
    // no reports come in shadow mode: the cancels count as done, the replacements follow on the next step
    expect(intentEvents(moved).map((event) => event.intent.kind)).toEqual(["CANCEL", "CANCEL"]);
    driver.advance(100);
    const next = driver.timer();
    expect(intentEvents(next).map((event) => [event.intent.kind, event.intent.kind === "NEW" ? event.intent.px : ""])).toEqual([["NEW", "50079.9"], ["NEW", "50130.1"]]);
  });

  test("live intent events carry shadow: false", () => {
    const driver = new Driver();
    const { commands } = driver.active();
    expect(intentEvents(commands).map((event) => event.shadow)).toEqual([false, false, false]);
    expect(intentEvents(commands).map((event) => event.intent)).toEqual(intentsOf(commands));
  });
});

describe("execution reports", () => {
  test("replayed reports rebuild position and open orders, count no rejections and emit no fill events", () => {
    const driver = new Driver();
    const now = driver.now;
    const replay: SymbolEvent[] = [
      { kind: "EXECUTION_REPORT", replay: true, report: { kind: "ACCEPTED", execId: "r1", account: ACCOUNT, symbol: "BTCUSDT-PERP", ts: now - 60_000, clientOrderId: "old-B", orderId: "x1", side: "BUY", px: "49990.0", qty: "0.010" } },
      { kind: "EXECUTION_REPORT", replay: true, report: { kind: "FILL", execId: "r2", account: ACCOUNT, symbol: "BTCUSDT-PERP", ts: now - 59_000, clientOrderId: "old-B", orderId: "x1", side: "BUY", fillId: "f1", px: "49990.0", qty: "0.004", leavesQty: "0.006", fee: "0.01", liquidity: "MAKER" } },
      { kind: "EXECUTION_REPORT", replay: true, report: { kind: "ACCEPTED", execId: "r3", account: ACCOUNT, symbol: "BTCUSDT-PERP", ts: now - 58_000, clientOrderId: "old-S", orderId: "x2", side: "SELL", px: "50020.0", qty: "0.010" } },
      { kind: "EXECUTION_REPORT", replay: true, report: { kind: "ACCEPTED", execId: "r4", account: ACCOUNT, symbol: "BTCUSDT-PERP", ts: now - 57_000, clientOrderId: "old-C", orderId: "x3", side: "SELL", px: "50030.0", qty: "0.010" } },
      { kind: "EXECUTION_REPORT", replay: true, report: { kind: "CANCELED", execId: "r5", account: ACCOUNT, symbol: "BTCUSDT-PERP", ts: now - 56_000, clientOrderId: "old-C", orderId: "x3", reason: "COUNTDOWN" } },
      ...Array.from({ length: 6 }, (_, index): SymbolEvent => ({ kind: "EXECUTION_REPORT", replay: true, report: { kind: "REJECTED", execId: `rj${index}`, account: ACCOUNT, symbol: "BTCUSDT-PERP", ts: now - 50_000, clientOrderId: `rej-${index}`, reason: "POST_ONLY_WOULD_CROSS" } })),
    ];
    const commands = replay.flatMap((event) => driver.step(event));
    expect(commands.filter((command) => command.kind === "EMIT_EVENT" || command.kind === "SEND_INTENT")).toEqual([]);
    expect(driver.actor.ledger.position.toFixed()).toBe("0.004");
    expect(driver.actor.ledger.fees.toFixed()).toBe("0.01");
    expect(describeSymbol(driver.actor, now).openOrders).toEqual([
      { clientOrderId: "old-B", side: "BUY", px: "49990", qty: "0.006", state: "LIVE", ageMs: 60000 },
      { clientOrderId: "old-S", side: "SELL", px: "50020", qty: "0.01", state: "LIVE", ageMs: 58000 },
    ]);
    expect(driver.actor.rejections.recent).toBe(0);
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "STARTUP" });
    // recovery done: the leftovers are cancelled in one CANCEL_ALL and tracked as possibly live
    const recovered = driver.recoveryComplete();
    expect(intentsOf(recovered)).toEqual([expect.objectContaining({ kind: "CANCEL_ALL", reason: "STARTUP" })]);
    expect(driver.actor.orders.all().map((order) => order.status)).toEqual(["PENDING_CANCEL", "PENDING_CANCEL"]);
  });

  test("a live report already seen in the replay changes nothing", () => {
    const driver = new Driver();
    const fill = driver.fill("old-B", "BUY", "49990.0", "0.004", "0.006");
    driver.report(fill, true);
    driver.ready();
    expect(driver.report(fill, false)).toEqual([]);
    expect(driver.actor.ledger.position.toFixed()).toBe("0.004");
    expect(driver.actor.counters.duplicateReports).toBe(1);
  });

  test("a duplicate execId changes nothing: no second fill, no second rejection, no commands", () => {
    const driver = new Driver();
    const { bid, ask } = driver.active();
    const fill = driver.fill(bid.clientOrderId, "BUY", bid.px, "0.004", "0.006");
    driver.report(fill);
    const position = driver.actor.ledger.position.toFixed();
    const orders = JSON.stringify(describeSymbol(driver.actor, driver.now));
    expect(driver.report(fill)).toEqual([]);
    expect(driver.actor.ledger.position.toFixed()).toBe(position);
    expect(JSON.stringify(describeSymbol(driver.actor, driver.now))).toBe(orders);
    const rejection = driver.rejected(ask.clientOrderId, "RATE_LIMIT");
    driver.report(rejection);
    for (let index = 0; index < 10; index += 1) expect(driver.report(rejection)).toEqual([]);
    expect(driver.actor.rejections.recent).toBe(1);
    expect(driver.actor.state.name).toBe("ACTIVE");
  });
});

describe("ids", () => {
  function longRun(idPrefix: string): OrderIntent[] {
    const driver = new Driver(newActor({}, { idPrefix }));
    driver.active();
    for (let step = 0; step < 200; step += 1) {
      driver.advance(150);
      const shift = (step % 7) - 3;
      const commands = driver.snapshot([[String(50000 + shift * 3), "1"]], [[String(50010 + shift * 3), "1"]]);
      for (const intent of newsOf(commands)) driver.report(driver.accepted(intent));
      for (const intent of intentsOf(commands)) if (intent.kind === "CANCEL") driver.report(driver.canceled(intent.clientOrderId));
      driver.timer();
    }
    return intentsOf(driver.log);
  }

  test("intentIds and clientOrderIds are unique within a run", () => {
    const intents = longRun("MM-runA");
    const news = intents.filter((intent) => intent.kind === "NEW");
    expect(news.length).toBeGreaterThan(50);
    expect(new Set(intents.map((intent) => intent.intentId)).size).toBe(intents.length);
    expect(new Set(news.map((intent) => intent.clientOrderId)).size).toBe(news.length);
  });

  test("runs with different id prefixes never share an id", () => {
    const first = new Set(longRun("MM-runA").map((intent) => intent.intentId));
    expect(longRun("MM-runB").some((intent) => first.has(intent.intentId))).toBe(false);
  });
});

describe("dead-man's switch", () => {
  test("the COUNTDOWN is sent before the first NEW", () => {
    const driver = new Driver();
    const { commands } = driver.active();
    expect(kindsOf(commands)).toEqual(["COUNTDOWN", "NEW", "NEW"]);
    expect(countdowns(commands)[0]).toMatchObject({ timeoutMs: 5000, account: ACCOUNT, symbol: "BTCUSDT-PERP" });
  });

  test("the COUNTDOWN is refreshed at least every deadManMs / 3 on the TIMER while orders rest", () => {
    const driver = new Driver();
    driver.active();
    const sentAt: number[] = [driver.now];
    for (let tick = 1; tick <= 200; tick += 1) {
      driver.advance(100);
      if (tick % 5 === 0) driver.status("TRADING");
      for (const countdown of countdowns(driver.timer())) {
        expect(countdown.timeoutMs).toBe(5000);
        sentAt.push(driver.now);
      }
    }
    expect(driver.actor.state.name).toBe("ACTIVE");
    const gaps = sentAt.slice(1).map((time, index) => time - sentAt[index]!);
    expect(gaps.length).toBeGreaterThan(5);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(5000 / 3);
  });

  test("the COUNTDOWN is switched off once no order rests, and re-armed before the next NEW", () => {
    const driver = new Driver();
    const { bid, ask } = driver.active();
    driver.advance(100);
    driver.control("pause");
    expect(countdowns(driver.report(driver.canceled(bid.clientOrderId)))).toEqual([]);
    const last = driver.report(driver.canceled(ask.clientOrderId));
    expect(countdowns(last)).toEqual([expect.objectContaining({ timeoutMs: 0 })]);
    // nothing more while nothing rests
    const quiet: SymbolCommand[] = [];
    for (let tick = 0; tick < 30; tick += 1) {
      driver.advance(100);
      if (tick % 5 === 0) driver.status("TRADING");
      quiet.push(...driver.timer());
    }
    expect(countdowns(quiet)).toEqual([]);
    expect(kindsOf(driver.control("resume"))).toEqual(["COUNTDOWN", "NEW", "NEW"]);
  });

  test("deadManMs 0 never sends a COUNTDOWN", () => {
    const driver = new Driver(newActor({ deadManMs: 0 }));
    const { commands } = driver.active();
    expect(kindsOf(commands)).toEqual(["NEW", "NEW"]);
    for (let tick = 0; tick < 50; tick += 1) {
      driver.advance(100);
      driver.timer();
    }
    expect(countdowns(driver.log)).toEqual([]);
  });
});

describe("determinism", () => {
  function script(): Array<[SymbolEvent, number]> {
    const t = 5_000_000;
    const acct = ACCOUNT;
    const events: Array<[SymbolEvent, number]> = [
      [{ kind: "RECOVERY_COMPLETE" }, t],
      [{ kind: "BOOK_SNAPSHOT", snapshot: { symbol: "BTCUSDT-PERP", seq: 1, ts: t, bids: [["50000.0", "1"]], asks: [["50010.0", "1"]] } }, t],
      [{ kind: "MARKET_STATUS", status: { symbol: "BTCUSDT-PERP", seq: 1, ts: t, status: "TRADING" } }, t],
      [{ kind: "CONTROL", requestId: "a", command: "resume", body: { operator: "alice", reason: "go" } }, t + 1],
      [{ kind: "EXECUTION_REPORT", replay: false, report: { kind: "ACCEPTED", execId: "e1", account: acct, symbol: "BTCUSDT-PERP", ts: t + 2, clientOrderId: "det-O2", orderId: "x", side: "BUY", px: "49979.9", qty: "0.01" } }, t + 2],
      [{ kind: "BOOK_DELTA", delta: { symbol: "BTCUSDT-PERP", seq: 2, ts: t + 50, bids: [["50003.0", "1"]], asks: [] } }, t + 50],
      [{ kind: "EXECUTION_REPORT", replay: false, report: { kind: "FILL", execId: "e2", account: acct, symbol: "BTCUSDT-PERP", ts: t + 60, clientOrderId: "det-O2", orderId: "x", side: "BUY", fillId: "f", px: "49979.9", qty: "0.01", leavesQty: "0", fee: "0.1", liquidity: "MAKER" } }, t + 60],
    ];
    for (let tick = 1; tick <= 40; tick += 1) events.push([{ kind: "TIMER" }, t + 60 + tick * 100]);
    events.push([{ kind: "BOOK_DELTA", delta: { symbol: "BTCUSDT-PERP", seq: 4, ts: t + 4200, bids: [], asks: [] } }, t + 4200]);
    events.push([{ kind: "BOOK_SNAPSHOT", snapshot: { symbol: "BTCUSDT-PERP", seq: 9, ts: t + 4300, bids: [["50100.0", "1"]], asks: [["50110.0", "1"]] } }, t + 4300]);
    events.push([{ kind: "CONTROL", requestId: "b", command: "resume", body: { operator: "alice", reason: "again" } }, t + 4400]);
    events.push([{ kind: "CONTROL", requestId: "c", command: "kill", body: undefined }, t + 4500]);
    return events;
  }

  test("the same events at the same times give identical commands on two fresh actors", () => {
    const settings = { config: baseConfig, account: ACCOUNT, maxLagMs: 2000, rejectStorm: { count: 5, windowMs: 10000 }, idPrefix: "MM-det", leaseRequired: false };
    const runOnce = () => {
      const actor = initialSymbolState(settings);
      return script().map(([event, now]) => stepSymbol(actor, event, now).commands);
    };
    const first = runOnce();
    const second = runOnce();
    expect(first.flat().length).toBeGreaterThan(20);
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });
});

describe("the quote event says why a side was not quoted", () => {
  test("a quote size beyond maxPosition skips both sides with POSITION_LIMIT", () => {
    const driver = new Driver(newActor({ maxPosition: "0.005" })).ready();
    const commands = driver.control("resume");
    expect(newsOf(commands)).toEqual([]);
    expect(quoteEvents(commands)).toEqual([expect.objectContaining({ bid: null, ask: null, skipped: { bid: "POSITION_LIMIT", ask: "POSITION_LIMIT" } })]);
  });

  test("a quote with both sides carries no skipped field", () => {
    const driver = new Driver();
    const { commands } = driver.active();
    expect(quoteEvents(commands)[0]).not.toHaveProperty("skipped");
  });
});
