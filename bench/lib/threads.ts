import { extname } from "node:path";
import { Worker } from "node:worker_threads";

/** A benchmark harness worker from a TypeScript file (bench code is not compiled: the worker gets tsx's loader). */
export function spawnTsWorker(file: string, workerData: unknown): Worker {
  const execArgv = extname(file) === ".ts" ? ["--require", "tsx/cjs"] : [];
  return new Worker(file, { workerData, execArgv });
}

/** The next message from a worker that satisfies `accept`. */
export function nextMessage<T>(worker: Worker, accept: (message: T) => boolean, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.off("message", onMessage);
      reject(new Error(`no expected message from worker within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: T) => {
      if (!accept(message)) return;
      clearTimeout(timer);
      worker.off("message", onMessage);
      resolve(message);
    };
    worker.on("message", onMessage);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
