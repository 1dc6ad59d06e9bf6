import type { ExecutionReport } from "@mms/contracts";
import { reportStop } from "../../src/protection";

const common = { execId: "E1", account: "SYSTEM_MARKET_MAKER", symbol: "BTCUSDT-PERP", ts: 0 };
const canceled = (clientOrderId: string, reason: string): ExecutionReport => ({ kind: "CANCELED", ...common, clientOrderId, orderId: "X1", reason });
const fill = (clientOrderId: string): ExecutionReport => ({
  kind: "FILL", ...common, clientOrderId, orderId: "X1", side: "BUY", fillId: "F1", px: "50000", qty: "0.001", leavesQty: "0", fee: "0", liquidity: "MAKER",
});
const live = { replay: false, active: true };

describe("reportStop", () => {
  test("a live COUNTDOWN cancel while ACTIVE is DEADMAN_FIRED", () => {
    expect(reportStop(canceled("MM-r1-BTCUSDT-PERP-O7", "COUNTDOWN"), live)).toMatchObject({ code: "DEADMAN_FIRED", clientOrderId: "MM-r1-BTCUSDT-PERP-O7" });
  });

  test("a COUNTDOWN cancel while already stopped, or any other cancel, stops nothing", () => {
    expect(reportStop(canceled("MM-O7", "COUNTDOWN"), { replay: false, active: false })).toBeUndefined();
    expect(reportStop(canceled("MM-O7", "USER"), live)).toBeUndefined();
  });

  test("a live report for a clientOrderId without the MM- prefix is FOREIGN_ORDER, whatever the state", () => {
    expect(reportStop(fill("manual-42"), live)).toMatchObject({ code: "FOREIGN_ORDER", clientOrderId: "manual-42" });
    expect(reportStop(fill("mm-42"), { replay: false, active: false })).toMatchObject({ code: "FOREIGN_ORDER" });
  });

  test("replayed reports are history and stop nothing", () => {
    expect(reportStop(fill("manual-42"), { replay: true, active: true })).toBeUndefined();
    expect(reportStop(canceled("MM-O7", "COUNTDOWN"), { replay: true, active: true })).toBeUndefined();
  });
});
