import { spawn } from "node:child_process";
import { join } from "node:path";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { exitWithParent } from "@mms/test-support";
import { REPO_ROOT } from "./machine";
import type { CycleFloorLayout } from "../cycle-floor";
import { stopChild } from "./teardown";

export type MinimalVariant = "floor" | "kill-floor" | "hop" | "worker-conn" | "thread-floor" | "cycle-floor";

export interface MinimalConsumer {
  readonly variant: MinimalVariant;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `bench/minimal-consumers.ts <variant>` as its own process and waits for READY.
 * `prefix`: the market-data subject prefix of the floor (`floor.md` in alternating phases).
 */
export function startMinimalConsumer(variant: MinimalVariant, natsUrl: string, symbols: readonly string[], prefix?: string): Promise<MinimalConsumer> {
  return startFloorProcess(variant, join(REPO_ROOT, "bench/minimal-consumers.ts"), [variant, natsUrl, symbols.join(","), ...(prefix ? [prefix] : [])]);
}

/** Starts `bench/cycle-floor.ts` (the requote floor: the contract's messaging of a cycle, no logic) in a layout. */
export function startCycleFloor(natsUrl: string, symbols: readonly string[], layout: CycleFloorLayout = "threads"): Promise<MinimalConsumer> {
  return startFloorProcess("cycle-floor", join(REPO_ROOT, "bench/cycle-floor.ts"), [natsUrl, symbols.join(","), layout]);
}

/** A floor as its own process, ready once it prints READY; it ends with the bench whatever the bench dies of (exitWithParent). */
async function startFloorProcess(variant: MinimalVariant, script: string, args: readonly string[]): Promise<MinimalConsumer> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  exitWithParent(child);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${variant} consumer not ready: ${stderr}`)), 60_000);
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("READY")) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`${variant} consumer exited: ${stderr}`)));
  });
  return {
    variant,
    pid: child.pid ?? -1,
    stop: () => stopChild(child, exited),
  };
}

/**
 * Matches the replies of a minimal consumer to deltas: replies of a symbol come in the
 * order of its deltas (no logic, one reply each), so the n-th reply answers the n-th delta.
 */
export class InOrderReplyTracker {
  private readonly queues = new Map<string, number[]>();
  private readonly heads = new Map<string, number>();
  readonly samples: number[] = [];
  replies = 0;
  private subscription: Subscription | undefined;
  /** Deltas published before this (bench clock) are warm-up: matched, not sampled. */
  measureFrom = Number.POSITIVE_INFINITY;
  measureUntil = Number.POSITIVE_INFINITY;

  constructor(readonly variant: MinimalVariant) {}

  listen(connection: NatsConnection): void {
    const prefix = `bench.${this.variant}.`.length;
    this.subscription = connection.subscribe(`bench.${this.variant}.>`, {
      callback: (_error, message) => {
        const now = performance.now();
        const symbol = message.subject.slice(prefix);
        const queue = this.queues.get(symbol);
        if (!queue) return;
        const head = this.heads.get(symbol) ?? 0;
        const publishedAt = queue[head];
        if (publishedAt === undefined) return;
        this.heads.set(symbol, head + 1);
        this.replies += 1;
        if (publishedAt >= this.measureFrom && publishedAt < this.measureUntil) this.samples.push(now - publishedAt);
      },
    });
  }

  onDelta(symbol: string, publishedAt: number): void {
    let queue = this.queues.get(symbol);
    if (!queue) {
      queue = [];
      this.queues.set(symbol, queue);
    }
    queue.push(publishedAt);
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }
}
