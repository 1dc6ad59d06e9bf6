import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

// What a symbol worker thread loads: every module the compiled symbol-worker.js requires
// (loaded, not run: running it needs a coordinator), in a fresh process so nothing else
// this test process loaded counts. The dist/ is built by jest's global setup.
const DIST = join(__dirname, "../../dist");
const WORKER_ENTRY = join(DIST, "symbol-worker.js");

/** Paths of every module in require.cache after loading the worker entry's own requires. */
function modulesOfSymbolWorker(): string[] {
  const specifiers = [...readFileSync(WORKER_ENTRY, "utf8").matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]!);
  const script = [
    `const { createRequire } = require("node:module");`,
    `const load = createRequire(${JSON.stringify(WORKER_ENTRY)});`,
    `for (const specifier of ${JSON.stringify(specifiers)}) load(specifier);`,
    `process.stdout.write(JSON.stringify(Object.keys(require.cache)));`,
  ].join("\n");
  const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  if (child.status !== 0) throw new Error(`loading the symbol worker's modules failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as string[];
}

describe("a symbol worker thread's module graph", () => {
  const modules = modulesOfSymbolWorker();

  test("includes the worker's runtime and the contracts' generated validators it warms", () => {
    expect(modules).toContainEqual(expect.stringMatching(/apps\/mms\/dist\/symbol-runtime\.js$/));
    expect(modules).toContainEqual(expect.stringMatching(/libs\/contracts\/dist\/validators\.js$/));
  });

  test("loads no TypeBox: the schemas stay in the full @mms/contracts entry", () => {
    expect(modules.filter((path) => path.includes("/@sinclair/typebox/"))).toEqual([]);
    expect(modules.filter((path) => /libs\/contracts\/dist\/(primitives|market-data|orders|execution-reports|events|control|config|status|states|validator-schemas)\.js$/.test(path))).toEqual([]);
  });

  test("loads no ajv compiler: the validators were generated at build time", () => {
    expect(modules.filter((path) => /\/ajv\/dist\/(core|compile\/|ajv\.js)/.test(path))).toEqual([]);
  });
});
