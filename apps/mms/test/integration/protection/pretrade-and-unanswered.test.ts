import type { CancelOrderIntent, OrderIntent } from "@mms/contracts";
import { waitFor } from "@mms/test-support";
import { useMmsSuite } from "../../support/mms-fixture";

// The pre-trade checks and the ack watch end to end: the MMS against a scripted exchange over NATS.

const BTC = "BTCUSDT-PERP";
const suite = useMmsSuite();
const isCancel = (intent: OrderIntent): intent is CancelOrderIntent => intent.kind === "CANCEL";

describe("protection stops over NATS", () => {
  test("PRETRADE_DENIED: a NEW above risk.maxOrderNotional halts the symbol with nothing sent on orders.>, and the risk event names NOTIONAL", async () => {
    const mms = await suite.start({ symbols: [{ symbol: BTC }], risk: { maxOrderNotional: "100" } });
    await mms.resume(BTC);
    await mms.expectStopped(BTC, "HALTED", "PRETRADE_DENIED");
    const risk = await mms.audit.waitFor("risk", (event) => event.symbol === BTC && event.reason === "PRETRADE_DENIED", "risk event PRETRADE_DENIED");
    expect(risk).toMatchObject({ check: "NOTIONAL", values: { maxOrderNotional: "100" } });
    expect(mms.news(BTC)).toEqual([]);
    await mms.expectCleanRun([/PRETRADE_DENIED/, /symbol HALTED/]);
  });

  test("ORDER_STATE_UNKNOWN: an exchange that stops answering gets repeated cancels, then the symbol pauses, and never a second order on the side", async () => {
    const mms = await suite.start({ symbols: [{ symbol: BTC, config: { orderAckTimeoutMs: 300 } }] });
    const { bid } = await mms.quoting(BTC);
    mms.exchange.autoRespond = false;
    const buysBefore = mms.news(BTC).filter((intent) => intent.side === "BUY").length;
    // The book moves: the resting bid must be replaced, so a CANCEL goes out and is never answered.
    mms.exchange.publishDelta(BTC, [["50000.0", "0"], ["50100.0", "1"]], [["50010.0", "0"], ["50110.0", "1"]]);
    await mms.waitForCancelAll(BTC, "ORDER_STATE_UNKNOWN");
    await mms.waitForState(BTC, "PAUSED", "ORDER_STATE_UNKNOWN");
    await mms.audit.waitFor("alert", (event) => event.symbol === BTC && event.reason === "ORDER_STATE_UNKNOWN", "alert ORDER_STATE_UNKNOWN");
    const cancelsOfBid = () => mms.intents(BTC).filter(isCancel).filter((intent) => intent.clientOrderId === bid.clientOrderId);
    expect(cancelsOfBid().length).toBeGreaterThanOrEqual(4);
    // The cancels go on while it is unanswered, each with a new intentId.
    const count = cancelsOfBid().length;
    await waitFor(() => cancelsOfBid().length > count, { timeoutMs: 5_000, description: "another CANCEL for the unanswered bid" });
    expect(new Set(cancelsOfBid().map((intent) => intent.intentId)).size).toBe(cancelsOfBid().length);
    expect(mms.news(BTC).filter((intent) => intent.side === "BUY")).toHaveLength(buysBefore);
    const status = await mms.symbolStatus(BTC);
    expect(status.openOrders.find((order) => order.clientOrderId === bid.clientOrderId)).toMatchObject({ state: "UNANSWERED" });
    await mms.expectCleanRun();
  });
});
