import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { STREAMS, type OrderIntent } from "@mms/contracts";
import { waitFor } from "@mms/test-support";
import { useMmsSuite, sleep, type MmsFixture } from "../../support/mms-fixture";

// The emergency paths under stress: the kill (mms.control.all.kill) while market data
// floods in, and the automatic stops while the ORDERS stream does not acknowledge at all.

const BTC = "BTCUSDT-PERP";
const ETH = "ETHUSDT-PERP";
const ETH_BOOK = { bids: [["3000.0", "10"]] as const, asks: [["3001.0", "10"]] as const };

// Configured periods the bounds are stated from (contract and RUNTIME_TIMINGS).
const MAX_LAG_MS = 2000; // risk.maxLagMs of the test config
const INTENT_ACK_TIMEOUT_MS = 2000; // contract: no ack within 2 s is a failed submission
const ORDER_ACK_TIMEOUT_MS = 2000; // orderAckTimeoutMs default
/** What a loaded 2-core machine running the whole suite may add on top (scheduling, GC, the container). */
const LOADED_MACHINE_SLACK_MS = 3000;

const suite = useMmsSuite();

describe("kill under a market-data flood", () => {
  test("mms.control.all.kill while deltas flood both symbols: a CANCEL_ALL MANUAL_KILL for every symbol within maxLagMs + the intent ack timeout (+ slack), and no NEW after it", async () => {
    // A worker starved for workerSilenceMs is halted by the supervisor (WORKER_FAILED, its own
    // CANCEL_ALL): on a loaded 2-core machine under a flood that can come first, and this test
    // is about the kill's path, so the supervisor is given more patience than the default 3 s.
    const mms = await suite.start({ symbols: [{ symbol: BTC, config: { maxOrdersPerSecond: 20 } }, { symbol: ETH, config: { quoteSize: "0.100", maxOrdersPerSecond: 20 }, ...ETH_BOOK }], workerSilenceMs: 15_000 });
    await mms.quoting(BTC);
    await mms.quoting(ETH);

    // The flood: 5,000 deltas a second per symbol (a feed gives a few hundred), mostly on a
    // deep level, the touch moving now and then so the MMS keeps requoting within its rate
    // limit. Paced by a timer: this process also hosts the MMS's coordinator, which must get
    // the kill; a publish loop that never yields would only starve the test itself.
    let flooding = true;
    let sent = 0;
    const flood = (async () => {
      while (flooding) {
        for (let index = 0; index < 50; index += 1) {
          sent += 1;
          mms.exchange.publishDelta(BTC, [[`49990.${sent % 10}`, String(1 + (sent % 7))]], sent % 200 === 0 ? [["50010.0", String(1 + (sent % 3))]] : []);
          mms.exchange.publishDelta(ETH, [[`2999.${sent % 10}`, String(1 + (sent % 7))]], []);
        }
        await sleep(10);
      }
    })();
    try {
      await sleep(1500);
      const before = new Map([BTC, ETH].map((symbol) => [symbol, mms.intents(symbol).length]));
      const killedAt = Date.now();
      mms.exchange.publishRaw("mms.control.all.kill", "");
      const arrivals = new Map<string, number>();
      await waitFor(
        () => {
          for (const symbol of [BTC, ETH]) {
            if (!arrivals.has(symbol) && mms.intents(symbol).slice(before.get(symbol)).some((intent) => intent.kind === "CANCEL_ALL" && intent.reason === "MANUAL_KILL")) arrivals.set(symbol, Date.now() - killedAt);
          }
          return arrivals.size === 2;
        },
        { timeoutMs: 30_000, intervalMs: 10, description: "CANCEL_ALL MANUAL_KILL of both symbols on ORDERS" },
      ).catch(async (error: Error) => {
        const states = await Promise.all([BTC, ETH].map(async (symbol) => `${symbol} ${JSON.stringify(await mms.symbolStatus(symbol).then((status) => [status.state, status.reason]).catch((cause: Error) => cause.message))} intents since the kill ${mms.intents(symbol).slice(before.get(symbol)).map((intent) => (intent.kind === "CANCEL_ALL" ? `CANCEL_ALL ${intent.reason}` : intent.kind)).join(" ")}`));
        throw new Error(`${error.message} after ${sent} deltas per symbol; ${states.join("; ")}`);
      });
      const bound = MAX_LAG_MS + INTENT_ACK_TIMEOUT_MS + LOADED_MACHINE_SLACK_MS;
      console.log(`kill under a flood of ${sent} deltas per symbol: CANCEL_ALL MANUAL_KILL on ORDERS after ${[...arrivals].map(([symbol, ms]) => `${symbol} ${ms} ms`).join(", ")} (bound ${bound} ms)`);
      // Why this bound: a symbol whose market data arrives more than maxLagMs late stops on
      // its own (BUS_LAG), so a kill stuck behind the flood for longer would be worse than
      // the lag rule; the CANCEL_ALL's publish then waits at most the intent ack timeout.
      for (const [symbol, ms] of arrivals) expect({ symbol, ms, withinBound: ms <= bound }).toEqual({ symbol, ms, withinBound: true });
    } finally {
      flooding = false;
      await flood;
    }
    for (const symbol of [BTC, ETH]) {
      await mms.waitForState(symbol, "HALTED", "MANUAL_KILL");
      const intents = mms.intents(symbol);
      const kill = intents.findIndex((intent) => intent.kind === "CANCEL_ALL" && intent.reason === "MANUAL_KILL");
      expect(intents.slice(kill).filter((intent) => intent.kind === "NEW")).toEqual([]);
      await waitFor(() => mms.exchange.openOrders(symbol).length === 0, { timeoutMs: 10_000, description: `${symbol}: nothing resting after the kill` });
    }
  }, 90_000);
});

/**
 * ORDERS stops acknowledging: the stream no longer captures `orders.<SYMBOL>`, and a silent
 * subscriber there takes every publish and never answers, so each JetStream publish waits
 * for an ack that never comes (a stalled stream, not a refused one).
 */
class StalledOrders {
  readonly received: Array<{ readonly intent: OrderIntent; readonly at: number }> = [];
  private constructor(
    private readonly client: NatsConnection,
    private readonly subscription: Subscription,
  ) {}

  static async stall(client: NatsConnection, symbol: string): Promise<StalledOrders> {
    const manager = await jetstreamManager(client);
    const info = await manager.streams.info(STREAMS.orders.name);
    await manager.streams.update(STREAMS.orders.name, { ...info.config, subjects: ["orders.NOTHING-CAPTURED"] });
    const stalled: StalledOrders = new StalledOrders(
      client,
      client.subscribe(`orders.${symbol}`, {
        callback: (_error, message) => void stalled.received.push({ intent: JSON.parse(new TextDecoder().decode(message.data)) as OrderIntent, at: Date.now() }),
      }),
    );
    await client.flush();
    return stalled;
  }

  async restore(): Promise<void> {
    this.subscription.unsubscribe();
    const manager = await jetstreamManager(this.client);
    const info = await manager.streams.info(STREAMS.orders.name);
    await manager.streams.update(STREAMS.orders.name, { ...info.config, subjects: [...STREAMS.orders.subjects] });
  }

  kinds(from = 0): string[] {
    return this.received.slice(from).map((entry) => entry.intent.kind);
  }
}

describe("automatic stops while ORDERS does not acknowledge", () => {
  let stalled: StalledOrders | undefined;
  afterEach(async () => {
    await stalled?.restore();
    stalled = undefined;
  });

  async function stallWhileQuoting(): Promise<MmsFixture> {
    const mms = await suite.start({ symbols: [{ symbol: BTC, config: { maxOrdersPerSecond: 20 } }] });
    await mms.quoting(BTC);
    stalled = await StalledOrders.stall(suite.nats.client, BTC);
    return mms;
  }

  test("the market moves while no ack comes: the symbol stops (REJECT_STORM or ORDER_STATE_UNKNOWN) within 4 x orderAckTimeoutMs (+ slack), and no NEW goes out", async () => {
    const mms = await stallWhileQuoting();
    const stalledAt = Date.now();
    // Ten ticks away: both quotes must be replaced, so CANCELs go out and wait for acks.
    mms.exchange.publishDelta(BTC, [["50000.0", "0"], ["50001.0", "1"]], [["50010.0", "0"], ["50011.0", "1"]]);
    // Unanswered: a CANCEL every orderAckTimeoutMs, ORDER_STATE_UNKNOWN after the fourth
    // wait; failed submissions count toward the reject storm sooner.
    const bound = 4 * ORDER_ACK_TIMEOUT_MS + INTENT_ACK_TIMEOUT_MS + LOADED_MACHINE_SLACK_MS;
    const stopped = await waitFor(
      async () => {
        const status = await mms.symbolStatus(BTC);
        return status.state === "ACTIVE" ? undefined : status;
      },
      { timeoutMs: bound, intervalMs: 50, description: `a stop within ${bound} ms of the stall` },
    );
    const stoppedAfter = Date.now() - stalledAt;
    console.log(`ORDERS stalled: ${BTC} ${stopped.state} ${stopped.reason} after ${stoppedAfter} ms (bound ${bound} ms); intents taken by the stalled subject: ${stalled!.kinds().join(" ")}`);
    expect([["HALTED", "REJECT_STORM"], ["PAUSED", "ORDER_STATE_UNKNOWN"]]).toContainEqual([stopped.state, stopped.reason]);
    // Its CANCEL_ALL is still attempted, and no NEW went out at any time during the stall.
    await waitFor(() => stalled!.received.some((entry) => entry.intent.kind === "CANCEL_ALL" && entry.intent.reason === stopped.reason), { timeoutMs: 5000, description: `CANCEL_ALL ${stopped.reason} attempted` });
    await sleep(ORDER_ACK_TIMEOUT_MS);
    expect(stalled!.received.filter((entry) => entry.intent.kind === "NEW")).toEqual([]);
  }, 60_000);

  test("a kill while no ack comes: its CANCEL_ALL goes out at once (not behind the stalled publishes), the symbol is HALTED, and no NEW goes out", async () => {
    const mms = await stallWhileQuoting();
    mms.exchange.publishDelta(BTC, [["50000.0", "0"], ["50001.0", "1"]], [["50010.0", "0"], ["50011.0", "1"]]);
    // Publishes now waiting for acks that never come.
    await waitFor(() => stalled!.kinds().includes("CANCEL"), { timeoutMs: 5000, description: "a CANCEL taken by the stalled subject" });
    const from = stalled!.received.length;
    const killedAt = Date.now();
    mms.exchange.publishRaw("mms.control.all.kill", "");
    const cancelAll = await waitFor(() => stalled!.received.slice(from).find((entry) => entry.intent.kind === "CANCEL_ALL" && entry.intent.reason === "MANUAL_KILL"), {
      timeoutMs: 20_000,
      intervalMs: 10,
      description: "CANCEL_ALL MANUAL_KILL published",
    });
    // Publishes do not wait for each other's acks: the kill's goes out well inside one ack timeout.
    const bound = INTENT_ACK_TIMEOUT_MS + LOADED_MACHINE_SLACK_MS;
    console.log(`kill with ORDERS stalled: CANCEL_ALL MANUAL_KILL published ${cancelAll.at - killedAt} ms after the kill (bound ${bound} ms)`);
    expect(cancelAll.at - killedAt).toBeLessThanOrEqual(bound);
    await mms.waitForState(BTC, "HALTED", "MANUAL_KILL");
    await sleep(ORDER_ACK_TIMEOUT_MS);
    expect(stalled!.received.filter((entry) => entry.intent.kind === "NEW")).toEqual([]);
  }, 60_000);
});
