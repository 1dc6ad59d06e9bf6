import type { SymbolConfig } from "@mms/contracts";
import { Big, OrderBook, initialSymbolState, stepSymbol, type SymbolCommand, type SymbolEvent, type SymbolActorState } from "../src";

const config: SymbolConfig = {
  symbol: "BTCUSDT-PERP", mode: "live", tickSize: "0.1", lotSize: "0.001", quoteSize: "0.010", spreadBps: "10", skewBps: "5",
  maxPosition: "1.0", bandBps: "100", requoteToleranceTicks: 2, maxOrdersPerSecond: 5, staleMs: 3000, deadManMs: 5000,
  mmp: { windowMs: 1000, maxFills: 6, maxFillQty: "0.03", maxNetQty: "0.02", frozenMs: 5000 }, jumpBps: "200", jumpWindowMs: 1000, orderAckTimeoutMs: 2000, checkpointEvery: 1000,
};

function newActor(): SymbolActorState {
  return initialSymbolState({ config, account: "SYSTEM_MARKET_MAKER", maxLagMs: 2000, rejectStorm: { count: 5, windowMs: 10000 }, idPrefix: "MM-run1-BTCUSDT-PERP", leaseRequired: false });
}

function run(actor: SymbolActorState, events: Array<[SymbolEvent, number]>): SymbolCommand[] {
  return events.flatMap(([event, now]) => [...stepSymbol(actor, event, now).commands]);
}

const intents = (commands: SymbolCommand[]) => commands.flatMap((command) => (command.kind === "SEND_INTENT" ? [command.intent] : []));

function readyActor(): SymbolActorState {
  const actor = newActor();
  run(actor, [
    [{ kind: "RECOVERY_COMPLETE" }, 1000],
    [{ kind: "BOOK_SNAPSHOT", snapshot: { symbol: "BTCUSDT-PERP", seq: 10, ts: 1000, bids: [["50000.0", "1"]], asks: [["50010.0", "1"]] } }, 1000],
    [{ kind: "MARKET_STATUS", status: { symbol: "BTCUSDT-PERP", seq: 10, ts: 1000, status: "TRADING" } }, 1000],
  ]);
  return actor;
}

describe("symbol actor", () => {
  test("starts PAUSED with reason STARTUP and sends nothing but the leftover cancel before resume", () => {
    const actor = newActor();
    const commands = run(actor, [
      [{ kind: "RECOVERY_COMPLETE" }, 1000],
      [{ kind: "BOOK_SNAPSHOT", snapshot: { symbol: "BTCUSDT-PERP", seq: 10, ts: 1000, bids: [["50000.0", "1"]], asks: [["50010.0", "1"]] } }, 1000],
    ]);
    expect(actor.state).toEqual({ name: "PAUSED", reason: "STARTUP" });
    expect(intents(commands).map((intent) => intent.kind)).toEqual(["CANCEL_ALL"]);
  });

  test("resume quotes the contract formula around the mid", () => {
    const actor = readyActor();
    const commands = run(actor, [[{ kind: "CONTROL", requestId: "r1", command: "resume", body: { operator: "alice", reason: "test" } }, 1100]]);
    expect(actor.state.name).toBe("ACTIVE");
    const sent = intents(commands);
    expect(sent.map((intent) => intent.kind)).toEqual(["COUNTDOWN", "NEW", "NEW"]);
    const news = sent.filter((intent) => intent.kind === "NEW");
    // mid 50005, half spread 5 bps = 25.0025: bid 49979.9975 -> 49979.9, ask 50030.0025 -> 50030.1
    expect(news.map((intent) => [intent.side, intent.px])).toEqual([["BUY", "49979.9"], ["SELL", "50030.1"]]);
  });

  test("resume is refused while the book is crossed", () => {
    const actor = readyActor();
    run(actor, [[{ kind: "BOOK_DELTA", delta: { symbol: "BTCUSDT-PERP", seq: 11, ts: 1050, bids: [["50020.0", "1"]], asks: [] } }, 1050]]);
    const commands = run(actor, [[{ kind: "CONTROL", requestId: "r1", command: "resume", body: { operator: "alice", reason: "test" } }, 1100]]);
    const result = commands.find((command) => command.kind === "CONTROL_RESULT");
    expect(result).toMatchObject({ result: { accepted: false, reason: "MD_CROSSED" } });
  });
});

describe("symbol actor races and ownership", () => {
  test("a cancel that loses the race with a fill does not count toward the reject storm", () => {
    const actor = readyActor();
    run(actor, [[{ kind: "CONTROL", requestId: "r1", command: "resume", body: { operator: "alice", reason: "test" } }, 1100]]);
    const bid = actor.orders.all().find((order) => order.side === "BUY")!;
    run(actor, [[{ kind: "EXECUTION_REPORT", report: { kind: "ACCEPTED", execId: "a1", account: "SYSTEM_MARKET_MAKER", symbol: "BTCUSDT-PERP", ts: 1100, clientOrderId: bid.clientOrderId, orderId: "x1", side: "BUY", px: "49979.9", qty: "0.010" }, replay: false }, 1100]]);
    for (let index = 0; index < 6; index += 1) {
      actor.orders.recordCancel(bid.clientOrderId, 1100);
      run(actor, [[{ kind: "EXECUTION_REPORT", report: { kind: "REJECTED", execId: `r${index}`, account: "SYSTEM_MARKET_MAKER", symbol: "BTCUSDT-PERP", ts: 1100, clientOrderId: bid.clientOrderId, reason: "UNKNOWN_ORDER" }, replay: false }, 1100]]);
    }
    expect(actor.rejections.recent).toBe(0);
    expect(actor.state.name).toBe("ACTIVE");
  });

  test("a lease taken by another instance while we held it is a loss: own orders are cancelled one by one", () => {
    const actor = initialSymbolState({ config, account: "SYSTEM_MARKET_MAKER", maxLagMs: 2000, rejectStorm: { count: 5, windowMs: 10000 }, idPrefix: "MM-run1-BTCUSDT-PERP", leaseRequired: true });
    run(actor, [
      [{ kind: "OWNERSHIP", status: "HELD" }, 1000],
      [{ kind: "RECOVERY_COMPLETE" }, 1000],
      [{ kind: "BOOK_SNAPSHOT", snapshot: { symbol: "BTCUSDT-PERP", seq: 10, ts: 1000, bids: [["50000.0", "1"]], asks: [["50010.0", "1"]] } }, 1000],
      [{ kind: "MARKET_STATUS", status: { symbol: "BTCUSDT-PERP", seq: 10, ts: 1000, status: "TRADING" } }, 1000],
      [{ kind: "CONTROL", requestId: "r1", command: "resume", body: { operator: "alice", reason: "test" } }, 1100],
    ]);
    const commands = run(actor, [[{ kind: "OWNERSHIP", status: "OWNED_ELSEWHERE", owner: "mms-b" }, 1200]]);
    expect(actor.state).toEqual({ name: "PAUSED", reason: "OWNERSHIP_LOST" });
    expect(intents(commands).map((intent) => intent.kind)).toEqual(["CANCEL", "CANCEL"]);
  });
});

describe("own orders in the public book", () => {
  test("the MMS prices off everyone else's market: its own orders showing in the book cause no requote", () => {
    const actor = readyActor();
    run(actor, [[{ kind: "CONTROL", requestId: "r1", command: "resume", body: { operator: "alice", reason: "test" } }, 1100]]);
    const [bid, ask] = [actor.orders.all().find((order) => order.side === "BUY")!, actor.orders.all().find((order) => order.side === "SELL")!];
    // Our quotes rest inside the 50000/50010 market; the public book now shows them as the touch.
    const commands = run(actor, [
      [{ kind: "BOOK_DELTA", delta: { symbol: "BTCUSDT-PERP", seq: 11, ts: 1200, bids: [[bid.price.toFixed(), "0.010"]], asks: [] } }, 1200],
      [{ kind: "BOOK_DELTA", delta: { symbol: "BTCUSDT-PERP", seq: 12, ts: 1200, bids: [], asks: [[ask.price.toFixed(), "0.010"]] } }, 1200],
    ]);
    expect(intents(commands).filter((intent) => intent.kind === "NEW" || intent.kind === "CANCEL")).toEqual([]);
  });

  test("a level shared with others still counts for their part, and ours alone does not", () => {
    const book = OrderBook.fromSnapshot({ symbol: "BTCUSDT-PERP", seq: 1, ts: 1, bids: [["100.5", "0.010"], ["100.4", "0.510"], ["100.0", "1"]], asks: [["101.0", "1"]] });
    const own = [{ price: new Big("100.5"), quantity: new Big("0.010") }, { price: new Big("100.4"), quantity: new Big("0.010") }];
    expect(book.bestExcluding("BUY", own)?.toFixed()).toBe("100.4");
    expect(book.bestExcluding("BUY", [])?.toFixed()).toBe("100.5");
    expect(book.bestExcluding("SELL", own)?.toFixed()).toBe("101");
});
});
