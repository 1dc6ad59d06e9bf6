import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_DEFAULTS } from "../src/config";
import { parseServiceConfig } from "../src/config-loader";
import type { Validated } from "../src/validation";
import { validators } from "../src/validators";

/**
 * docs/contract.md shows message bodies as JSON blocks; each must be a valid message of
 * its kind, so the user's document cannot drift from the schemas.
 */
const document = readFileSync(join(__dirname, "../../../docs/contract.md"), "utf8");

/** Each JSON block: one body per line, or one body over several lines. */
function jsonExamples(markdown: string): Array<Record<string, unknown>> {
  const blocks = [...markdown.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1]!.trim());
  return blocks.flatMap((block) => {
    const lines = block.split("\n");
    const parsed = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    });
    return parsed.every((value) => value !== undefined) ? (parsed as Array<Record<string, unknown>>) : [JSON.parse(block) as Record<string, unknown>];
  });
}

function validatorFor(body: Record<string, unknown>): [string, (input: unknown) => Validated<unknown>] {
  if ("execId" in body) return ["execution report", validators.executionReport];
  if ("intentId" in body) return ["order intent", validators.orderIntent];
  if ("type" in body && "seq" in body) return ["audit event", validators.auditEvent];
  if ("symbols" in body) return ["status reply", validators.statusReply];
  if ("ok" in body) return ["control reply", validators.controlReply];
  if ("bids" in body) return ["book snapshot or delta", validators.bookDelta];
  if ("status" in body) return ["market status", validators.marketStatus];
  throw new Error(`docs/contract.md: an example of no known kind: ${JSON.stringify(body)}`);
}

const examples = jsonExamples(document);

test("docs/contract.md shows examples of every kind of message body", () => {
  expect(new Set(examples.map((body) => validatorFor(body)[0]))).toEqual(
    new Set(["execution report", "order intent", "audit event", "status reply", "control reply", "book snapshot or delta", "market status"]),
  );
});

test.each(examples.map((body) => [validatorFor(body)[0], JSON.stringify(body).slice(0, 80), body] as const))("docs/contract.md: the %s example %s validates", (_kind, _text, body) => {
  const result = validatorFor(body)[1](body);
  expect(result.ok ? [] : result.issues).toEqual([]);
});

test("docs/contract.md: the configuration example is a valid config, and the defaults it names are the defaults", () => {
  const block = [...document.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!).find((text) => text.includes("symbols:"));
  const result = parseServiceConfig(block ?? "", { defaultInstanceName: "host" });
  expect(result.ok ? [] : result.issues).toEqual([]);
  if (!result.ok) return;
  expect({ account: result.value.account, leaseMs: result.value.leaseMs, port: result.value.http.port, shutdownTimeoutMs: result.value.shutdownTimeoutMs, deadManMs: result.value.symbols[0]!.deadManMs }).toEqual({
    account: CONFIG_DEFAULTS.account,
    leaseMs: CONFIG_DEFAULTS.leaseMs,
    port: CONFIG_DEFAULTS.httpPort,
    shutdownTimeoutMs: CONFIG_DEFAULTS.shutdownTimeoutMs,
    deadManMs: CONFIG_DEFAULTS.deadManMs,
  });
});
