import { extname, join } from "node:path";
import { Worker, type ResourceLimits } from "node:worker_threads";

/**
 * A symbol actor keeps little live data (a book, a few orders); V8's default young
 * generation would let each worker hold tens of MB of garbage. A small one keeps the
 * per-actor footprint down at the cost of more, shorter scavenges (docs/performance.md).
 */
export const ACTOR_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 8 };

/**
 * Starts a worker from a file next to this one. Under tsx or jest the sources are
 * TypeScript, which a bare worker cannot load, so the worker gets tsx's loader too.
 */
export function spawnWorker(name: string, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  const extension = extname(__filename);
  const file = join(__dirname, `${name}${extension}`);
  const execArgv = extension === ".ts" ? ["--require", "tsx/cjs"] : [];
  return new Worker(file, { workerData, execArgv, ...(resourceLimits ? { resourceLimits } : {}) });
}
