import { Big } from "../../src/decimal";
import { parseControl } from "../../src/sim-control";
import { resolveSymbol } from "../../src/symbols";

describe("sim control parsing", () => {
  it("accepts set-book levels and refuses a crossed book", () => {
    const parsed = parseControl("set-book", { bids: [["100.0", "1"]], asks: [["101.0", "2"]] });
    expect(parsed.ok && parsed.command.kind === "set-book" && parsed.command.asks[0]?.px.eq(new Big("101"))).toBe(true);
    expect(parseControl("set-book", { bids: [["101", "1"]], asks: [["101", "1"]] })).toEqual({ ok: false, error: "bids must all be below asks" });
    expect(parseControl("set-book", { bids: [[101, "1"]] }).ok).toBe(false);
  });

  it("refuses an unknown fault and bad bodies with a reason", () => {
    expect(parseControl("explode", undefined)).toEqual({ ok: false, error: expect.stringContaining("unknown fault") });
    expect(parseControl("delay-md", { ms: -1 }).ok).toBe(false);
    expect(parseControl("trade", { side: "BUY", qty: 1 }).ok).toBe(false);
    expect(parseControl("reject-all", { enabled: "yes" }).ok).toBe(false);
  });

  it("reject-all defaults to enabled with reason RATE_LIMIT", () => {
    expect(parseControl("reject-all", undefined)).toEqual({ ok: true, command: { kind: "reject-all", enabled: true, reason: "RATE_LIMIT" } });
  });

  it("silence and answer take no body", () => {
    expect(parseControl("silence", undefined)).toEqual({ ok: true, command: { kind: "silence" } });
    expect(parseControl("answer", {})).toEqual({ ok: true, command: { kind: "answer" } });
  });

  it("fills a known symbol from its preset and any other from the fallback", () => {
    expect(resolveSymbol("BTCUSDT-PERP").tickSize.toFixed()).toBe("0.1");
    expect(resolveSymbol({ symbol: "NEWCOIN-PERP", initialFairValue: "2.5" }).initialFairValue.toFixed()).toBe("2.5");
    expect(() => resolveSymbol("bad symbol")).toThrow(/must match/);
  });
});
