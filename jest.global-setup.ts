import { spawnSync } from "node:child_process";

/**
 * Brings dist/ up to date (incremental `tsc -b`, well under a second when nothing changed):
 * worker threads and the spawned service run the compiled code, which must match the sources
 * the tests import. Type errors are reported but do not stop the run: tsc still emits, and
 * `npm run typecheck` is the gate for them.
 */
export default function buildPackages(): void {
  const build = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-b", "tsconfig.build.json"], { cwd: __dirname, encoding: "utf8" });
  if (build.error) throw build.error;
  if (build.status !== 0) process.stderr.write(`\ntsc -b tsconfig.build.json reported errors (dist/ was still emitted):\n${build.stdout}${build.stderr}\n`);
}
