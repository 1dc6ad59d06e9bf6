/** Wall-clock time in ms since the epoch; injected so supervision and timeouts run on a fake clock in tests. */
export interface Clock {
  now(): number;
}

/** Names one scheduled task, for cancelling it. */
export interface TimerHandle {
  readonly timerId: number;
}

/** Runs tasks later; injected for the same reason as the clock. */
export interface Scheduler {
  every(intervalMs: number, task: () => void): TimerHandle;
  after(delayMs: number, task: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * The one scheduler on real timers. Its timers never keep the process alive on their own:
 * the NATS connection and the workers do that while the service runs.
 */
export function createSystemScheduler(): Scheduler {
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let lastId = 0;
  const keep = (timer: ReturnType<typeof setTimeout>): TimerHandle => {
    timer.unref();
    const handle = { timerId: ++lastId };
    timers.set(handle.timerId, timer);
    return handle;
  };
  return {
    every: (intervalMs, task) => keep(setInterval(task, intervalMs)),
    after(delayMs, task) {
      const handle = keep(
        setTimeout(() => {
          timers.delete(handle.timerId);
          task();
        }, delayMs),
      );
      return handle;
    },
    cancel(handle) {
      clearTimeout(timers.get(handle.timerId));
      timers.delete(handle.timerId);
    },
  };
}
