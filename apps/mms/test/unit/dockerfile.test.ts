import { readFileSync } from "node:fs";
import { join } from "node:path";

// deploy/docker/Dockerfile must build with the classic builder and without a registry's
// frontend image (the image test builds only its runtime stage), and the npm CA/.npmrc build
// arguments must stay in the one stage that installs.

const dockerfile = readFileSync(join(__dirname, "..", "..", "..", "..", "deploy", "docker", "Dockerfile"), "utf8");
const lines = dockerfile.split("\n");

/** The instructions of each stage (comments dropped, continuation lines joined), by stage name. */
function stages(): Map<string, string[]> {
  const byStage = new Map<string, string[]>();
  let current = "(global)";
  let pending = "";
  for (const line of lines) {
    if (/^\s*#/.test(line) && pending === "") continue;
    pending += line.replace(/\\$/, " ");
    if (line.endsWith("\\")) continue;
    const instruction = pending.trim();
    pending = "";
    if (instruction === "") continue;
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(instruction);
    if (from) current = from[1]!;
    byStage.set(current, [...(byStage.get(current) ?? []), instruction]);
  }
  return byStage;
}

test("no `# syntax=` line (it pulls a frontend image) and no RUN --mount (BuildKit only)", () => {
  expect(lines.filter((line) => /^#\s*syntax\s*=/i.test(line))).toEqual([]);
  expect(lines.filter((line) => /--mount/.test(line) && !line.trimStart().startsWith("#"))).toEqual([]);
});

test("NPM_CA and NPMRC are declared and used only in the dependencies stage, which deletes what it wrote", () => {
  const usedIn = [...stages()].filter(([, instructions]) => instructions.some((instruction) => /NPM_CA|NPMRC/.test(instruction))).map(([name]) => name);
  expect(usedIn).toEqual(["dependencies"]);
  const install = stages().get("dependencies")!.find((instruction) => instruction.startsWith("RUN"))!;
  expect(install).toMatch(/rm -f \/tmp\/npm-ca\.pem \/tmp\/npmrc$/);
  expect(install).toContain("npm ci --omit=dev --workspace=@mms/service --ignore-scripts");
});

test("the runtime stage starts from the base again, runs nothing in it, and runs as numeric uid 10001", () => {
  const runtime = stages().get("runtime")!;
  expect(runtime[0]).toBe("FROM ${NODE_IMAGE} AS runtime");
  expect(runtime.filter((instruction) => instruction.startsWith("RUN"))).toEqual([]);
  expect(runtime).toContain("USER 10001:10001");
  expect(runtime.find((instruction) => instruction.startsWith("HEALTHCHECK"))).toContain('CMD ["node", "apps/mms/dist/healthcheck.js"]');
  expect(runtime.at(-1)).toBe("CMD []");
});

test("the app COPY lines scripts/build-mms-image.sh replaces are marked, once, inside the runtime stage", () => {
  const begin = lines.indexOf("# app:begin (scripts/build-mms-image.sh puts its prebuilt /app here instead)");
  const end = lines.indexOf("# app:end");
  const runtimeStart = lines.indexOf("FROM ${NODE_IMAGE} AS runtime");
  expect(lines.filter((line) => line.startsWith("# app:begin") || line === "# app:end")).toHaveLength(2);
  expect(runtimeStart).toBeGreaterThan(lines.findIndex((line) => line.startsWith("# ---- account:")));
  expect(begin).toBeGreaterThan(runtimeStart);
  expect(lines.slice(begin + 1, end).every((line) => line.startsWith("COPY --from="))).toBe(true);
});
