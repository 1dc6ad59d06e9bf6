import { readdirSync } from "node:fs";
import { join } from "node:path";
import { validateServiceConfig } from "@mms/contracts";
import { REPOSITORY_ROOT } from "@mms/test-support";
import { parse } from "yaml";
import { natsCommandsOf, readDoc } from "../support/doc-commands";

// The operator documents' commands as a shell would run them (the commands themselves are
// sent over NATS in apps/mms/test/integration/runbook-commands.test.ts).

const OPERATOR_DOCS = ["README.md", "deploy/nats/README.md", "deploy/helm/mms/README.md", ...readdirSync(join(REPOSITORY_ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`)];

test("every request in the runbook and the deploy guide collects every instance's reply (--replies 0): a standby answers too", () => {
  for (const path of ["docs/runbook.md", "docs/deploy.md", "deploy/nats/README.md"]) {
    const single = natsCommandsOf(readDoc(path)).filter((command) => command.verb === "req" && command.replies !== 0);
    expect({ path, single: single.map((command) => command.text) }).toEqual({ path, single: [] });
  }
});

test("no port-forward is chained with && (it runs until stopped, so what follows never runs)", () => {
  for (const path of OPERATOR_DOCS) expect({ path, chained: readDoc(path).match(/port-forward[^`\n]*&&/g) ?? [] }).toEqual({ path, chained: [] });
});

test("the NATS CLI is never given the server-side password variables, which hold the password in double quotes", () => {
  for (const path of OPERATOR_DOCS) expect({ path, quoted: readDoc(path).match(/--password "?\$NATS_[A-Z]+_PASSWORD/g) ?? [] }).toEqual({ path, quoted: [] });
});

test("the demo's slow-bus fault delays market data beyond maxLagMs yet within staleMs, so it shows BUS_LAG and not MD_STALE", () => {
  const row = readDoc("docs/demo.md").split("\n").find((line) => line.startsWith("| slow bus |"));
  const delayMs = Number(/delay-md '\{"ms":(\d+)\}'/.exec(row ?? "")?.[1]);
  expect(row).toContain("BUS_LAG");
  const config = validateServiceConfig(parse(readDoc("deploy/config/demo.yaml")) as unknown, { defaultInstanceName: "demo" });
  if (!config.ok) throw new Error(JSON.stringify(config.issues));
  expect(delayMs).toBeGreaterThan(config.value.risk.maxLagMs);
  for (const symbol of config.value.symbols) expect(delayMs).toBeLessThan(symbol.staleMs);
});
