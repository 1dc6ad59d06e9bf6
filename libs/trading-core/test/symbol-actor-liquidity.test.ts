// Whether the actor's quotes count as present for mms_quote_presence_ratio.
import { quotesPresentNow } from "../src";
import { Driver, newsOf } from "./harness";

describe("quotesPresentNow", () => {
  test("both acknowledged orders resting at quoteSize around the market are present", () => {
    const driver = new Driver();
    driver.active();
    expect(quotesPresentNow(driver.actor)).toBe(true);
  });

  test("orders not yet acknowledged are not present", () => {
    const driver = new Driver().ready();
    expect(newsOf(driver.control("resume"))).toHaveLength(2);
    expect(quotesPresentNow(driver.actor)).toBe(false);
  });

  test("a partly filled side is not present", () => {
    const driver = new Driver();
    const { bid } = driver.active();
    driver.report(driver.fill(bid.clientOrderId, "BUY", bid.px, "0.004", "0.006"));
    expect(quotesPresentNow(driver.actor)).toBe(false);
  });

  test("a paused symbol is not present", () => {
    const driver = new Driver();
    driver.active();
    driver.control("pause", undefined);
    expect(quotesPresentNow(driver.actor)).toBe(false);
  });
});
