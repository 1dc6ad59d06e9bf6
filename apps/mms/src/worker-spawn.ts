import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Worker, type ResourceLimits } from "node:worker_threads";

/**
 * A symbol actor keeps little live data (a book, a few orders); V8's default young
 * generation would let each worker hold tens of MB of garbage. A small one keeps the
 * per-actor footprint down at the cost of more, shorter scavenges (docs/performance.md).
 */
export const ACTOR_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 8 };

// This file sits at the top of src/ (under jest) or dist/ (under node): either way its parent is apps/mms.
const APP_ROOT = resolve(__dirname, "..");

/**
 * The compiled file of a module of this app, e.g. `backtest/run-variant`. Workers always run
 * compiled JavaScript with plain node, even when the code that starts them runs from src/ under jest.
 */
export function compiledModule(modulePath: string): string {
  const file = join(APP_ROOT, "dist", `${modulePath}.js`);
  if (!existsSync(file)) throw new Error(`${file} does not exist: run \`npm run build\` first`);
  return file;
}

/** Starts a worker thread from a module of this app (compiled, see compiledModule). */
export function spawnWorker(name: string, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  return new Worker(compiledModule(name), { workerData, ...(resourceLimits ? { resourceLimits } : {}) });
}
