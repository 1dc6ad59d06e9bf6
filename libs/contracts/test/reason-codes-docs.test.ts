import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REASON_CODES } from "../src/reasons";
import { validators } from "../src/validators";

const runbook = readFileSync(join(__dirname, "../../../docs/runbook.md"), "utf8");

/** The codes of the runbook's "Reason codes" table, in order. */
function documentedCodes(): string[] {
  const start = runbook.indexOf("## 11. Reason codes");
  const end = runbook.indexOf("\n## ", start + 1);
  const section = runbook.slice(start, end === -1 ? undefined : end);
  return section.split("\n").flatMap((line) => {
    const match = /^\| `([A-Z][A-Z0-9_]*)` \|/.exec(line);
    return match ? [match[1]!] : [];
  });
}

test("the runbook's reason-code table lists every code of the vocabulary", () => {
  expect(documentedCodes().length).toBeGreaterThan(0);
  for (const code of REASON_CODES) expect(documentedCodes()).toContain(code);
});

test("every code in the runbook's reason-code table exists in the vocabulary, once", () => {
  const documented = documentedCodes();
  for (const code of documented) expect(REASON_CODES).toContain(code);
  expect(new Set(documented).size).toBe(documented.length);
});

describe("the schemas take only codes of the vocabulary", () => {
  const result = (reason: string) => ({ ok: false, instance: "mms-0-7f3a9c", results: [{ symbol: "BTCUSDT-PERP", from: "PAUSED", to: "PAUSED", accepted: false, reason }] });

  test.each([["NO_ANSWER"], ["MD_STALE"], ["HALTED_NEEDS_RESET"], ["WORKER_FAILED"]])("a control reply refusing with %s is valid", (reason) => {
    expect(validators.controlReply(result(reason)).ok).toBe(true);
  });

  test("a control reply without its instance is invalid", () => {
    const { instance: _instance, ...withoutInstance } = result("MD_STALE");
    expect(validators.controlReply(withoutInstance).ok).toBe(false);
  });

  test("a control reply with a reason outside the vocabulary is invalid", () => {
    expect(validators.controlReply(result("BECAUSE")).ok).toBe(false);
  });

  const quote = { type: "quote", symbol: "BTCUSDT-PERP", instance: "mms-0", seq: 1, ts: 1, mode: "live", mid: "100", bestBid: "99", bestAsk: "101", position: "0", bid: null, ask: { px: "101", qty: "1" } };

  test("a quote event says why a side was skipped with a quote-skip code", () => {
    expect(validators.auditEvent({ ...quote, skipped: { bid: "POSITION_LIMIT" } }).ok).toBe(true);
    expect(validators.auditEvent({ ...quote, skipped: { bid: "NO_ROOM_INSIDE_BAND" } }).ok).toBe(true);
  });

  test("a quote event with a skip code outside the vocabulary is invalid", () => {
    expect(validators.auditEvent({ ...quote, skipped: { bid: "MD_STALE" } }).ok).toBe(false);
    expect(validators.auditEvent({ ...quote, skipped: { mid: "POSITION_LIMIT" } }).ok).toBe(false);
  });
});
