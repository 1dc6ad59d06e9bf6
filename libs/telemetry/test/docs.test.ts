import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describeMetrics } from "../src/metric-catalogue";

test("docs/observability.md lists every metric of the catalogue with its type and labels", () => {
  const document = readFileSync(join(__dirname, "../../../docs/observability.md"), "utf8");
  for (const metric of describeMetrics()) {
    const row = document.split("\n").find((line) => line.startsWith(`| \`${metric.name}\` |`));
    expect(row).toBeDefined();
    expect(row).toContain(`| ${metric.type} |`);
    for (const label of metric.labels) expect(row).toContain(`\`${label}\``);
  }
});
