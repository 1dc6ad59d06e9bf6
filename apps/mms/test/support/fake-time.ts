import type { Clock, Scheduler, TimerHandle } from "../../src/coordinator/clock";

interface Task {
  readonly handle: TimerHandle;
  dueAt: number;
  readonly intervalMs: number | undefined;
  readonly run: () => void;
}

/** A clock and scheduler that move only when a test advances them; due tasks run in time order. */
export class FakeTime implements Clock, Scheduler {
  private current: number;
  private readonly tasks: Task[] = [];
  private lastId = 0;

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  every(intervalMs: number, run: () => void): TimerHandle {
    return this.schedule(intervalMs, intervalMs, run);
  }

  after(delayMs: number, run: () => void): TimerHandle {
    return this.schedule(delayMs, undefined, run);
  }

  cancel(handle: TimerHandle): void {
    const index = this.tasks.findIndex((task) => task.handle.timerId === handle.timerId);
    if (index >= 0) this.tasks.splice(index, 1);
  }

  get scheduledCount(): number {
    return this.tasks.length;
  }

  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const next = this.tasks.filter((task) => task.dueAt <= until).sort((a, b) => a.dueAt - b.dueAt)[0];
      if (!next) break;
      this.current = next.dueAt;
      if (next.intervalMs === undefined) this.cancel(next.handle);
      else next.dueAt += next.intervalMs;
      next.run();
    }
    this.current = until;
  }

  private schedule(delayMs: number, intervalMs: number | undefined, run: () => void): TimerHandle {
    const handle = { timerId: ++this.lastId };
    this.tasks.push({ handle, dueAt: this.current + delayMs, intervalMs, run });
    return handle;
  }
}
