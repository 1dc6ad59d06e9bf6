import type { FillReport } from "@mms/contracts";
import { FillLedger } from "../../src/ledger";

let counter = 0;
function fill(side: "BUY" | "SELL", px: string, qty: string, fee: string, account = "SYSTEM_MARKET_MAKER", symbol = "BTCUSDT-PERP"): FillReport {
  counter++;
  return { kind: "FILL", execId: `e${counter}`, account, symbol, ts: counter, clientOrderId: `c${counter}`, orderId: `o${counter}`, side, fillId: `f${counter}`, px, qty, leavesQty: "0", fee, liquidity: "MAKER" };
}

describe("fill ledger", () => {
  it("tracks position, average cost, realized PnL and fees per account and symbol", () => {
    const ledger = new FillLedger();
    ledger.record(fill("BUY", "100", "1", "0.01"));
    ledger.record(fill("BUY", "110", "1", "0.01"));
    ledger.record(fill("SELL", "120", "0.5", "-0.005"));
    ledger.record(fill("SELL", "100", "1", "0.02", "OTHER"));
    expect(ledger.reply("SYSTEM_MARKET_MAKER")).toEqual({
      ok: true,
      account: "SYSTEM_MARKET_MAKER",
      symbols: [{ symbol: "BTCUSDT-PERP", position: "1.5", avgEntryPx: "105", realizedPnl: "7.5", fees: "0.015", boughtQty: "2", soldQty: "0.5", fillCount: 3 }],
    });
    expect(ledger.reply("OTHER").symbols[0]).toEqual(expect.objectContaining({ position: "-1", avgEntryPx: "100" }));
  });

  it("crossing through zero realizes the closed part and opens the rest at the fill price", () => {
    const ledger = new FillLedger();
    ledger.record(fill("SELL", "200", "1", "0"));
    ledger.record(fill("BUY", "190", "3", "0"));
    expect(ledger.reply("SYSTEM_MARKET_MAKER").symbols[0]).toEqual(expect.objectContaining({ position: "2", avgEntryPx: "190", realizedPnl: "10" }));
    ledger.record(fill("SELL", "195", "2", "0"));
    expect(ledger.reply("SYSTEM_MARKET_MAKER").symbols[0]).toEqual(expect.objectContaining({ position: "0", avgEntryPx: null, realizedPnl: "20" }));
  });

  it("counts a fill seen twice once", () => {
    const ledger = new FillLedger();
    const once = fill("BUY", "100", "1", "0.01");
    ledger.record(once);
    ledger.record(once);
    expect(ledger.reply("SYSTEM_MARKET_MAKER").symbols[0]).toEqual(expect.objectContaining({ position: "1", fillCount: 1 }));
  });

  it("answers an account without fills with no symbols", () => {
    expect(new FillLedger().reply("NOBODY")).toEqual({ ok: true, account: "NOBODY", symbols: [] });
  });
});
