import type { ChildProcess } from "node:child_process";

/**
 * What a benchmark started, stopped in reverse order at the end whatever happened: one
 * stop that fails is reported and the others still run (a child left behind would load
 * the next benchmark's cores).
 */
export class Teardown {
  private readonly steps: Array<() => unknown> = [];

  /** Registers a stop; returns the thing so starting and registering read as one line. */
  add<T>(thing: T, stop: (thing: T) => unknown): T {
    this.steps.push(() => stop(thing));
    return thing;
  }

  async run(): Promise<void> {
    for (const step of this.steps.reverse()) {
      try {
        await step();
      } catch (error) {
        process.stdout.write(`  (teardown: ${(error as Error).message})\n`);
      }
    }
    this.steps.length = 0;
  }
}

/** SIGTERM, SIGKILL after `killAfterMs`; resolves when the child has exited. */
export async function stopChild(child: ChildProcess, exited: Promise<void>, killAfterMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  await exited;
  clearTimeout(timer);
}
