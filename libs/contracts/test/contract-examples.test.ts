import { validators } from "../src/validators";
import { type Validated } from "../src/validation";
import {
  AUDIT_EVENT_EXAMPLES,
  CONTROL_BODY_EXAMPLES,
  CONTROL_REPLY_EXAMPLES,
  EXECUTION_REPORT_EXAMPLES,
  MARKET_DATA_EXAMPLES,
  ORDER_INTENTS_AS_WRITTEN,
  STATUS_REPLY_EXAMPLE,
  withPlaceholdersFilled,
} from "./contract-examples";

/** Fails with the issues in the message, so a broken example says what broke. */
function expectValid(result: Validated<unknown>): void {
  expect(result.ok ? [] : result.issues).toEqual([]);
}

describe("every example of CONTRACT.md validates", () => {
  it.each([
    ["a snapshot", validators.bookSnapshot, MARKET_DATA_EXAMPLES.snapshot],
    ["a delta that removes a level with qty \"0\"", validators.bookDelta, MARKET_DATA_EXAMPLES.delta],
    ["a trade", validators.publicTrade, MARKET_DATA_EXAMPLES.trade],
    ["a trade with a numeric tradeId", validators.publicTrade, MARKET_DATA_EXAMPLES.tradeWithNumericId],
    ["a TRADING status heartbeat", validators.marketStatus, MARKET_DATA_EXAMPLES.status],
    ["a HALTED status", validators.marketStatus, MARKET_DATA_EXAMPLES.statusHalted],
    ["a CLOSED status", validators.marketStatus, MARKET_DATA_EXAMPLES.statusClosed],
    ["the snapshot.get reply, which is a snapshot body", validators.bookSnapshot, MARKET_DATA_EXAMPLES.snapshot],
  ])("market data: %s", (_name, validate, body) => {
    expectValid(validate(body));
  });

  it("the NEW intent exactly as written", () => {
    expectValid(validators.orderIntent(JSON.parse(ORDER_INTENTS_AS_WRITTEN.NEW)));
  });

  it.each(Object.entries(ORDER_INTENTS_AS_WRITTEN))("the %s intent as written, with \"...\" for account and symbol filled in", (_kind, text) => {
    expectValid(validators.orderIntent(withPlaceholdersFilled(JSON.parse(text) as Record<string, unknown>)));
  });

  it.each(["CANCEL", "CANCEL_ALL", "COUNTDOWN"] as const)("the %s intent as written fails only on its \"...\" account and symbol placeholders", (kind) => {
    const result = validators.orderIntent(JSON.parse(ORDER_INTENTS_AS_WRITTEN[kind]));
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual(["/account", "/symbol"]);
  });

  it("COUNTDOWN with timeoutMs 0 (switched off)", () => {
    expectValid(validators.orderIntent(withPlaceholdersFilled({ ...JSON.parse(ORDER_INTENTS_AS_WRITTEN.COUNTDOWN), timeoutMs: 0 })));
  });

  it.each(Object.entries(EXECUTION_REPORT_EXAMPLES))("execution report %s", (_kind, report) => {
    expectValid(validators.executionReport(report));
  });

  it.each(Object.entries(CONTROL_BODY_EXAMPLES))("control body: %s", (_name, text) => {
    expectValid(validators.controlBody(JSON.parse(text)));
  });

  it.each(Object.entries(CONTROL_REPLY_EXAMPLES))("control reply: %s", (_name, reply) => {
    expectValid(validators.controlReply(typeof reply === "string" ? JSON.parse(reply) : reply));
  });

  it("the mms.status reply, with reason null while ACTIVE and avgEntryPx null when flat", () => {
    expectValid(validators.statusReply(STATUS_REPLY_EXAMPLE));
  });

  it.each(Object.entries(AUDIT_EVENT_EXAMPLES))("audit event of type %s", (_type, event) => {
    expectValid(validators.auditEvent(event));
  });

  it("covers one audit event of every type and one report of every kind", () => {
    expect(Object.keys(AUDIT_EVENT_EXAMPLES).sort()).toEqual(["alert", "control", "fill", "intent", "quote", "risk", "state"]);
    expect(Object.keys(EXECUTION_REPORT_EXAMPLES).sort()).toEqual(["ACCEPTED", "CANCELED", "FILL", "REJECTED"]);
  });
});
