import { extname, join } from "node:path";
import { Worker } from "node:worker_threads";

/**
 * Starts a worker from a file next to this one. Under tsx or jest the sources are
 * TypeScript, which a bare worker cannot load, so the worker gets tsx's loader too.
 */
export function spawnWorker(name: string, workerData: unknown): Worker {
  const extension = extname(__filename);
  const file = join(__dirname, `${name}${extension}`);
  const execArgv = extension === ".ts" ? ["--require", "tsx/cjs"] : [];
  return new Worker(file, { workerData, execArgv });
}
