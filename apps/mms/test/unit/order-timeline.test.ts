import { parseClientOrderId } from "../../src/order-history/order-id";
import { finalState, inTimeOrder, type OrderRecord } from "../../src/order-history/order-timeline";

const ID = "MM-mx56l5p7981de5-BTCUSDT-PERP-O2";
const base = { account: "SYSTEM_MARKET_MAKER", symbol: "BTCUSDT-PERP", clientOrderId: ID, orderId: "X-1" };
const placed: OrderRecord = {
  source: "MMS_EVENTS",
  seq: 5,
  event: { type: "intent", symbol: "BTCUSDT-PERP", instance: "mms-0", seq: 1, ts: 1000, mode: "live", shadow: false, intent: { kind: "NEW", intentId: "MM-mx56l5p7981de5-BTCUSDT-PERP-I1", account: "SYSTEM_MARKET_MAKER", symbol: "BTCUSDT-PERP", ts: 1000, clientOrderId: ID, side: "BUY", type: "LIMIT", tif: "POST_ONLY", px: "50000.0", qty: "0.010", tag: "MM" } },
};
const fill = (seq: number, ts: number, qty: string, leavesQty: string): OrderRecord => ({ source: "EXEC", seq, report: { ...base, kind: "FILL", execId: `E${seq}`, ts, side: "BUY", fillId: `F${seq}`, px: "50000.0", qty, leavesQty, fee: "0", liquidity: "MAKER" } });

test("an MMS clientOrderId names its symbol (dashes and all) and when its run started", () => {
  expect(parseClientOrderId(ID)).toEqual({ symbol: "BTCUSDT-PERP", runStartedAt: Number.parseInt("mx56l5p7", 36) });
  expect(parseClientOrderId("MM-mx56l5p7981de5r2-ETHUSDT-PERP-O17")).toEqual({ symbol: "ETHUSDT-PERP", runStartedAt: Number.parseInt("mx56l5p7", 36) });
  expect(parseClientOrderId("MM-earlier-BTCUSDT-PERP-O1")).toEqual({ symbol: "BTCUSDT-PERP", runStartedAt: undefined });
  expect(parseClientOrderId("MANUAL-1")).toBeUndefined();
});

test("the final state follows the exchange's last report, with exact filled quantities", () => {
  expect(finalState([placed])).toMatch(/^no execution report/);
  expect(finalState([placed, fill(7, 1100, "0.004", "0.006")])).toBe("LIVE as far as the reports go (filled 0.004 of 0.010)");
  expect(finalState([placed, fill(7, 1100, "0.004", "0.006"), fill(8, 1200, "0.006", "0")])).toBe("FILLED (filled 0.01 of 0.010)");
  expect(finalState([placed, { source: "EXEC", seq: 9, report: { ...base, kind: "CANCELED", execId: "E9", ts: 1300, reason: "CANCEL_ALL" } }])).toBe("CANCELED (CANCEL_ALL; filled 0 of 0.010)");
  expect(finalState([])).toBe("no record");
});

test("records go in time order; at the same millisecond the MMS's intent comes before the exchange's report", () => {
  const ack: OrderRecord = { source: "EXEC", seq: 1, report: { ...base, kind: "ACCEPTED", execId: "E1", ts: 1000, side: "BUY", px: "50000.0", qty: "0.010" } };
  expect(inTimeOrder([fill(7, 1100, "0.010", "0"), ack, placed])).toEqual([placed, ack, fill(7, 1100, "0.010", "0")]);
});
