import type { Clock, Scheduler, TimerHandle } from "./clock";

/** Why the coordinator took a symbol's worker for dead. */
export type WorkerFailure =
  | { readonly kind: "WORKER_FAILED"; readonly cause: "EXITED"; readonly exitCode: number; readonly error?: string }
  | { readonly kind: "WORKER_FAILED"; readonly cause: "SILENT"; readonly silentForMs: number };

export type WorkerFailureCause = WorkerFailure["cause"];

export function describeWorkerFailure(failure: WorkerFailure): string {
  if (failure.cause === "SILENT") return `no progress for ${failure.silentForMs} ms`;
  // The error itself is logged, not put in the alert: its text has no length bound.
  return `worker exited with code ${failure.exitCode}`;
}

export interface SupervisorOptions {
  /** A started worker that made no progress (and sent nothing) for this long is taken as dead. */
  readonly silenceMs: number;
  /**
   * A worker that has not said STARTED yet is judged only after this long: loading its
   * compiled modules takes well under a second, but many at once on a busy machine far longer
   * than a heartbeat interval.
   */
  readonly workerStartGraceMs: number;
  /** How often silence is judged; by default every 500 ms, or every silenceMs if shorter. */
  readonly checkEveryMs?: number;
}

export const DEFAULT_SUPERVISOR_OPTIONS: SupervisorOptions = { silenceMs: 3000, workerStartGraceMs: 15_000 };

/** Reads a worker's progress counter (WorkerProgress): it moves with every step the worker takes. */
export type ProgressReader = () => number;

interface Watched {
  lastAliveAt: number;
  started: boolean;
  lastError: string | undefined;
  readonly progress: ProgressReader | undefined;
  lastProgress: number | undefined;
}

/**
 * Judges whether each symbol's worker lives by its progress: the counter it advances on
 * every step (a timer step at least every 100 ms) must move, or a message must come. A
 * worker busy on a flood keeps counting and is never taken for dead; one stuck in a loop
 * stops counting. A failure is reported once per worker; the supervisor stops watching it.
 */
export class Supervisor {
  private readonly watched = new Map<string, Watched>();
  private timer: TimerHandle | undefined;

  constructor(
    private readonly options: SupervisorOptions,
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    private readonly onFailed: (symbol: string, failure: WorkerFailure) => void,
  ) {}

  start(): void {
    this.timer ??= this.scheduler.every(this.options.checkEveryMs ?? Math.min(500, this.options.silenceMs), () => this.check());
  }

  /** Judges no more, and reports nothing: the workers are being stopped on purpose. */
  stop(): void {
    if (this.timer) this.scheduler.cancel(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }

  /** A worker was just spawned for the symbol: it is in its start grace. */
  watch(symbol: string, progress?: ProgressReader): void {
    this.watched.set(symbol, { lastAliveAt: this.clock.now(), started: false, lastError: undefined, progress, lastProgress: progress?.() });
  }

  /** Any message from the worker is a sign of life. */
  heard(symbol: string): void {
    const watched = this.watched.get(symbol);
    if (watched) watched.lastAliveAt = this.clock.now();
  }

  /** The worker said STARTED: from now on the silence limit applies. */
  started(symbol: string): void {
    const watched = this.watched.get(symbol);
    if (!watched) return;
    watched.started = true;
    watched.lastAliveAt = this.clock.now();
  }

  /** An uncaught error in the worker; its exit follows and carries the error. */
  errored(symbol: string, error: string): void {
    const watched = this.watched.get(symbol);
    if (watched) watched.lastError = error;
  }

  exited(symbol: string, exitCode: number): void {
    const watched = this.watched.get(symbol);
    if (!watched) return;
    this.watched.delete(symbol);
    this.onFailed(symbol, { kind: "WORKER_FAILED", cause: "EXITED", exitCode, ...(watched.lastError ? { error: watched.lastError } : {}) });
  }

  isWatching(symbol: string): boolean {
    return this.watched.has(symbol);
  }

  /** Every watched worker without progress beyond its limit fails now. */
  check(): void {
    const now = this.clock.now();
    for (const [symbol, watched] of [...this.watched]) {
      const progress = watched.progress?.();
      if (progress !== watched.lastProgress) {
        watched.lastProgress = progress;
        watched.lastAliveAt = now;
      }
      const limit = watched.started ? this.options.silenceMs : Math.max(this.options.silenceMs, this.options.workerStartGraceMs);
      const silentForMs = now - watched.lastAliveAt;
      if (silentForMs <= limit) continue;
      this.watched.delete(symbol);
      this.onFailed(symbol, { kind: "WORKER_FAILED", cause: "SILENT", silentForMs });
    }
  }
}
