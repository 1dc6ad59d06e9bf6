import { spawnSync } from "node:child_process";
import { join } from "node:path";

// promtool comes from Debian's prometheus package (scripts/setup-promtool.sh).
const here = __dirname;

function promtool(...args: string[]) {
  const result = spawnSync("promtool", args, { cwd: here, encoding: "utf8" });
  return { error: result.error, status: result.status, output: `${result.stdout}${result.stderr}` };
}

test("promtool check rules accepts every alert rule", () => {
  const result = promtool("check", "rules", join(here, "../mms-alerts.yaml"));
  expect(result.error).toBeUndefined();
  expect(result.output).toContain("SUCCESS: 7 rules found");
  expect(result.status).toBe(0);
});

test("promtool test rules: each alert fires on its first trigger, counters included, and not on a blip", () => {
  const result = promtool("test", "rules", "mms-alerts.test.yaml");
  expect(result.error).toBeUndefined();
  expect(result.output).toContain("SUCCESS");
  expect(result.status).toBe(0);
});
