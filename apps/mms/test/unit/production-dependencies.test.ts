import { readFileSync } from "node:fs";
import { join } from "node:path";

// The image installs `npm ci --omit=dev`: what the lockfile does not mark dev goes into it.
// Test tooling (Docker clients, SSH) must never be part of the production install.

const lock = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "..", "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
const TEST_ONLY = ["testcontainers", "dockerode", "docker-modem", "ssh2", "cpu-features"];

test("testcontainers, dockerode and ssh2 are dev-only in the lockfile, so --omit=dev leaves them out", () => {
  const inProduction = Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith("node_modules/") && entry.dev !== true)
    .map(([path]) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length))
    .filter((name) => TEST_ONLY.includes(name));
  expect(inProduction).toEqual([]);
  for (const name of TEST_ONLY.slice(0, 4)) expect(lock.packages[`node_modules/${name}`]?.dev).toBe(true);
});
