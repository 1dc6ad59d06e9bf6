/**
 * One deadline for the whole shutdown (contract: exit within `shutdownTimeoutMs` in total,
 * whatever NATS does). The symbol actors get most of it to cancel and see the acks; the
 * rest is kept for what follows them (leases, threads, draining the connection), so waits
 * against a dead server cannot add up past the bound.
 */
export interface ShutdownBudget {
  /** What a symbol worker may take in all, its own connection's drain included. */
  readonly workerMs: number;
  /** Kept after the workers for the coordinator's own closing steps. */
  readonly closingMs: number;
}

const MAX_CLOSING_MS = 1000;

export function shutdownBudget(totalMs: number): ShutdownBudget {
  const closingMs = Math.min(MAX_CLOSING_MS, Math.floor(totalMs / 4));
  return { workerMs: totalMs - closingMs, closingMs };
}

/** Within a worker's share: the part its closing steps (feed stop, drain) keep back. */
export function workerClosingMs(workerMs: number): number {
  return Math.min(MAX_CLOSING_MS / 2, Math.floor(workerMs / 4));
}

/** Resolves with the work's result, or "TIMEOUT" once `ms` have passed; a failure counts as done. */
export async function withinMs<T>(work: Promise<T>, ms: number, after: (delayMs: number, task: () => void) => void): Promise<T | "TIMEOUT" | "FAILED"> {
  const timeout = new Promise<"TIMEOUT">((resolve) => after(Math.max(0, ms), () => resolve("TIMEOUT")));
  return Promise.race([work.catch(() => "FAILED" as const), timeout]);
}
