// Reduce-only through the actor: the way back from a position beyond the limit.
import Big from "big.js";
import fc from "fast-check";
import type { Side, SymbolConfig } from "@mms/contracts";
import { describeSymbol } from "../src";
import { Driver, controlResult, eventsOf, newActor, newsOf, timeline } from "./harness";

/** A driver whose replayed EXEC history left `position` (lots of 0.001), ready for a control command. */
function withPosition(position: string, config: { maxPosition?: string; quoteSize?: string; mmp?: SymbolConfig["mmp"] } = {}): Driver {
  const driver = new Driver(newActor({ maxPosition: config.maxPosition ?? "0.020", quoteSize: config.quoteSize ?? "0.010", ...(config.mmp ? { mmp: config.mmp } : {}) }));
  const side: Side = new Big(position).gt(0) ? "BUY" : "SELL";
  if (!new Big(position).eq(0)) driver.report(driver.fill("MM-earlier-O1", side, "50000.0", new Big(position).abs().toFixed(), "0"), true);
  return driver.ready();
}

const UNREACHABLE_MMP: SymbolConfig["mmp"] = { windowMs: 1000, maxFills: 1_000_000, maxFillQty: "1000000", maxNetQty: "1000000", frozenMs: 5000 };

describe("reduce", () => {
  test("beyond maxPosition resume is refused with POSITION_LIMIT and reduce quotes only the reducing side", () => {
    const driver = withPosition("0.035");
    expect(controlResult(driver.control("resume"))).toMatchObject({ accepted: false, reason: "POSITION_LIMIT" });
    const commands = driver.control("reduce");
    expect(controlResult(commands)).toMatchObject({ accepted: true, from: "PAUSED", to: "ACTIVE" });
    expect(newsOf(commands).map((intent) => [intent.side, intent.qty])).toEqual([["SELL", "0.010"]]);
    expect(describeSymbol(driver.actor, driver.now)).toMatchObject({ state: "ACTIVE", reason: null, reduceOnly: true });
  });

  test("a short position is reduced by a bid of at most |position|", () => {
    const driver = withPosition("-0.004");
    const commands = driver.control("reduce");
    expect(newsOf(commands).map((intent) => [intent.side, intent.qty])).toEqual([["BUY", "0.004"]]);
  });

  test("a flat position refuses reduce with NOTHING_TO_REDUCE", () => {
    const driver = withPosition("0");
    const commands = driver.control("reduce");
    expect(controlResult(commands)).toMatchObject({ accepted: false, reason: "NOTHING_TO_REDUCE", to: "PAUSED" });
    expect(newsOf(commands)).toEqual([]);
  });

  test("every other resume condition holds: a halted symbol needs its reset, a stale book refuses", () => {
    const halted = withPosition("0.035");
    halted.control("kill", undefined);
    expect(controlResult(halted.control("reduce"))).toMatchObject({ accepted: false, reason: "HALTED_NEEDS_RESET" });
    const stale = withPosition("0.035");
    stale.advance(60_000);
    expect(controlResult(stale.control("reduce"))).toMatchObject({ accepted: false, reason: "MD_STALE" });
  });

  test("reduce needs an operator and a reason", () => {
    const driver = withPosition("0.035");
    expect(controlResult(driver.control("reduce", {}))).toMatchObject({ accepted: false, reason: "OPERATOR_REQUIRED" });
  });

  test("a fill of the reducing quote beyond the limit does not halt; reaching zero pauses with REDUCED, cancelling first and alerting", () => {
    const driver = withPosition("0.015");
    const [ask] = newsOf(driver.control("reduce"));
    if (!ask) throw new Error("no reducing quote");
    driver.report(driver.accepted(ask));
    const partial = driver.report(driver.fill(ask.clientOrderId, "SELL", ask.px, "0.010", "0"));
    expect(driver.actor.state).toEqual({ name: "ACTIVE", reason: null });
    const [rest] = newsOf(partial);
    expect(rest).toMatchObject({ side: "SELL", qty: "0.005" });
    if (!rest) throw new Error("no second reducing quote");
    driver.report(driver.accepted(rest));
    const last = driver.report(driver.fill(rest.clientOrderId, "SELL", rest.px, "0.005", "0"));
    expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "REDUCED" });
    expect(timeline(last).filter((entry) => entry !== "event:fill").slice(0, 4)).toEqual(["CANCEL_ALL", "event:state", "event:alert", "event:risk"]);
    expect(eventsOf(last).find((event) => event.type === "alert")).toMatchObject({ reason: "REDUCED", from: "ACTIVE", to: "PAUSED" });
    expect(describeSymbol(driver.actor, driver.now).reduceOnly).toBeUndefined();
  });

  test("a plain resume leaves reduce-only once the position is within the limit", () => {
    const driver = withPosition("0.005", { maxPosition: "1.0" });
    const [ask] = newsOf(driver.control("reduce"));
    if (!ask) throw new Error("no reducing quote");
    driver.report(driver.accepted(ask));
    const commands = driver.control("resume");
    expect(controlResult(commands)).toMatchObject({ accepted: true, from: "ACTIVE", to: "ACTIVE" });
    expect(describeSymbol(driver.actor, driver.now).reduceOnly).toBeUndefined();
    // The reduce-only ask (0.005) is replaced by a full-size one once its cancel is settled.
    expect(newsOf(commands).map((intent) => [intent.side, intent.qty])).toEqual([["BUY", "0.010"]]);
    expect(newsOf(driver.report(driver.canceled(ask.clientOrderId))).map((intent) => [intent.side, intent.qty])).toEqual([["SELL", "0.010"]]);
  });

  test("beyond the limit a plain resume of a reduce-only symbol is refused and it stays reduce-only", () => {
    const driver = withPosition("0.035");
    driver.control("reduce");
    expect(controlResult(driver.control("resume"))).toMatchObject({ accepted: false, reason: "POSITION_LIMIT" });
    expect(describeSymbol(driver.actor, driver.now).reduceOnly).toBe(true);
  });

  test("reduce of a symbol quoting normally is refused with PAUSE_FIRST", () => {
    const driver = new Driver();
    driver.active();
    expect(controlResult(driver.control("reduce"))).toMatchObject({ accepted: false, reason: "PAUSE_FIRST" });
  });

  test("a stop ends reduce-only: resume after a pause quotes normally", () => {
    const driver = withPosition("0.005", { maxPosition: "1.0" });
    const [ask] = newsOf(driver.control("reduce"));
    if (!ask) throw new Error("no reducing quote");
    driver.control("pause", undefined);
    driver.report(driver.canceled(ask.clientOrderId));
    expect(describeSymbol(driver.actor, driver.now).reduceOnly).toBeUndefined();
    expect(newsOf(driver.control("resume")).map((intent) => intent.side).sort()).toEqual(["BUY", "SELL"]);
  });
});

describe("reduce-only: properties", () => {
  test("whatever fills of its quotes happen, |position| never grows, the other side is never quoted, and zero pauses with REDUCED", () => {
    let reducedRuns = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: -80, max: 80 }).filter((lots) => lots !== 0),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 40 }),
        (positionLots, quoteLots, fillLots) => {
          const lot = new Big("0.001");
          // Many fills in one instant are a fill burst by design; this property is about reduce-only, so MMP is out of reach.
          const driver = withPosition(lot.times(positionLots).toFixed(), { maxPosition: "0.020", quoteSize: lot.times(quoteLots).toFixed(3), mmp: UNREACHABLE_MMP });
          const reducing: Side = positionLots > 0 ? "SELL" : "BUY";
          const sent = [...newsOf(driver.control("reduce"))];
          let before = driver.actor.ledger.position.abs();
          for (const wanted of fillLots) {
            if (driver.actor.state.name !== "ACTIVE") break;
            const order = driver.actor.orders.all().find((candidate) => driver.actor.orders.leaves(candidate).gt(0));
            if (!order) break;
            // Time passes and the market stays fresh: the rate limit lets the next quote out.
            driver.advance(250);
            driver.trade();
            const qty = driver.actor.orders.leaves(order);
            const fillQty = lot.times(wanted).gt(qty) ? qty : lot.times(wanted);
            sent.push(...newsOf(driver.report(driver.fill(order.clientOrderId, order.side, order.price.toFixed(1), fillQty.toFixed(3), qty.minus(fillQty).toFixed(3)))));
            const after = driver.actor.ledger.position.abs();
            expect(after.lte(before)).toBe(true);
            before = after;
          }
          expect(sent.every((intent) => intent.side === reducing)).toBe(true);
          expect(driver.actor.state.name === "HALTED").toBe(false);
          if (driver.actor.ledger.position.eq(0)) {
            expect(driver.actor.state).toEqual({ name: "PAUSED", reason: "REDUCED" });
            reducedRuns += 1;
          } else expect(driver.actor.state.name).toBe("ACTIVE");
        },
      ),
      { numRuns: 150 },
    );
    // The property is not vacuous: many runs go all the way to zero.
    expect(reducedRuns).toBeGreaterThan(10);
  });
});
