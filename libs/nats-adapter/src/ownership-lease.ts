import { JetStreamApiError } from "@nats-io/jetstream";
import type { JetStreamClient } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { KV, KvEntry } from "@nats-io/kv";
import { OWNERS_BUCKET } from "@mms/contracts/runtime";

/*
 * Lease design (works on nats-server 2.9, which has no per-key TTL):
 * - Bucket MMS_OWNERS, history 1, bucket-level `ttl` (stream max_age) = leaseMs. Key = symbol,
 *   value = the holder's instance name, exactly as the contract says.
 * - Every write of the holder is a compare-and-set on the revision it last wrote, so of two
 *   writers racing for one revision only one can succeed.
 * - The holder rewrites its key every leaseMs/3; each write restarts the message's age. A holder
 *   that stops writing loses its key to max_age leaseMs after its last write (server clock), and
 *   then `create` succeeds for the next instance.
 * - The holder fences itself with its own clock: it counts a lease from when it *sent* the last
 *   confirmed write (before the server stored it), so its deadline comes no later than the
 *   server's. When a write fails and the next one could land too late, it reports LOST at once.
 * - The bucket's actual ttl rules (an existing bucket is never altered); a bucket without ttl is
 *   refused, since a dead holder's lease would never lapse.
 */

const WRONG_LAST_SEQUENCE_CODES = new Set([10071, 10164]);

export type LeaseEvent =
  | { readonly kind: "ACQUIRED"; readonly symbol: string; readonly revision: number }
  | { readonly kind: "LOST"; readonly symbol: string; readonly owner?: string }
  | { readonly kind: "OWNED_ELSEWHERE"; readonly symbol: string; readonly owner: string };

export interface OwnersBucket {
  readonly kv: KV;
  /** The bucket's ttl: how long after its last renewal a lease lapses. */
  readonly leaseWindowMs: number;
  /** False when the bucket already existed (its settings were left alone). */
  readonly created: boolean;
}

/** Opens MMS_OWNERS, creating it with `ttl = leaseMs` when missing. */
export async function openOwnersBucket(jetStream: JetStreamClient, leaseMs: number, bucket: string = OWNERS_BUCKET): Promise<OwnersBucket> {
  const manager = new Kvm(jetStream);
  const existed = await manager
    .open(bucket)
    .then((kv) => kv.status())
    .then(
      () => true,
      () => false,
    );
  let kv: KV;
  try {
    kv = await manager.create(bucket, { ttl: leaseMs, history: 1, description: "Market Maker Service symbol ownership leases" });
  } catch (error) {
    // Lost a creation race to an instance with other settings: use the bucket it made.
    kv = await manager.open(bucket);
    await kv.status().catch(() => Promise.reject(error));
  }
  const status = await kv.status();
  if (status.ttl <= 0) throw new Error(`KV bucket ${bucket} has no ttl: a dead holder's lease would never lapse; recreate it with ttl ${leaseMs} ms`);
  return { kv, leaseWindowMs: status.ttl, created: !existed };
}

export interface LeaseManagerOptions {
  readonly symbols: readonly string[];
  readonly instanceName: string;
  /** The lease window; normally OwnersBucket.leaseWindowMs (the bucket's ttl). */
  readonly leaseWindowMs: number;
  readonly onEvent: (event: LeaseEvent) => void;
  /** KV failures that are retried on the next round (a lost lease is still reported as LOST). */
  readonly onError?: (error: unknown, symbol: string) => void;
  /** Default Date.now. */
  readonly clock?: () => number;
  /** Renewal and retry period. Default leaseWindowMs / 3. */
  readonly renewIntervalMs?: number;
  /** Timeout of one renewal write. Default half the renewal interval. */
  readonly writeTimeoutMs?: number;
}

interface SymbolLease {
  held: boolean;
  /** The revision this instance last wrote; kept after a loss to recognise its own entry. */
  revision: number | undefined;
  /** Clock reading when the last confirmed write was sent. */
  confirmedAt: number;
  /** Another process with our instance name took the key: do not take it back from that twin. */
  displacedByTwin: boolean;
  reportedOwner: string | undefined;
  busy: boolean;
}

function isWrongLastSequence(error: unknown): boolean {
  if (error instanceof JetStreamApiError) return WRONG_LAST_SEQUENCE_CODES.has(error.code);
  return error instanceof Error && error.message.includes("wrong last sequence");
}

function ownerOf(entry: KvEntry | null): string | undefined {
  return entry !== null && entry.operation === "PUT" ? entry.string() : undefined;
}

/**
 * Holds the ownership leases of a list of symbols for one instance. Only a symbol for which
 * isHeld() is true may send orders. Call start(), and stop() on shutdown (releases by default).
 */
export class LeaseManager {
  private readonly leases = new Map<string, SymbolLease>();
  private readonly clock: () => number;
  private readonly renewIntervalMs: number;
  private readonly writeTimeoutMs: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  private readonly running = new Set<Promise<void>>();

  /** Opens (or creates) MMS_OWNERS with `ttl = leaseMs` and builds a manager on it. */
  static async open(jetStream: JetStreamClient, options: Omit<LeaseManagerOptions, "leaseWindowMs"> & { readonly leaseMs: number }): Promise<LeaseManager> {
    const bucket = await openOwnersBucket(jetStream, options.leaseMs);
    return new LeaseManager(bucket.kv, { ...options, leaseWindowMs: bucket.leaseWindowMs });
  }

  constructor(
    private readonly kv: KV,
    private readonly options: LeaseManagerOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.renewIntervalMs = options.renewIntervalMs ?? Math.floor(options.leaseWindowMs / 3);
    this.writeTimeoutMs = options.writeTimeoutMs ?? Math.max(100, Math.floor(this.renewIntervalMs / 2));
    if (this.renewIntervalMs <= 0 || this.renewIntervalMs >= options.leaseWindowMs) throw new Error("renewIntervalMs must be above 0 and below the lease window");
    for (const symbol of options.symbols) {
      this.leases.set(symbol, { held: false, revision: undefined, confirmedAt: 0, displacedByTwin: false, reportedOwner: undefined, busy: false });
    }
  }

  /** Runs a first round (so start-up knows what it holds), then renews on a timer. */
  async start(): Promise<void> {
    if (this.timer !== undefined || this.stopped) return;
    await this.runOnce();
    if (this.stopped) return;
    this.timer = setInterval(() => void this.runOnce(), this.renewIntervalMs);
    this.timer.unref?.();
  }

  /** One acquire-or-renew step for every symbol not already mid-step. */
  async runOnce(): Promise<void> {
    const steps: Promise<void>[] = [];
    for (const [symbol, lease] of this.leases) {
      if (lease.busy || this.stopped) continue;
      lease.busy = true;
      const step = this.step(symbol, lease)
        .catch((error: unknown) => this.options.onError?.(error, symbol))
        .finally(() => {
          lease.busy = false;
          this.running.delete(step);
        });
      this.running.add(step);
      steps.push(step);
    }
    await Promise.all(steps);
  }

  /** True while this instance holds the symbol's lease and its own deadline has not passed. */
  isHeld(symbol: string): boolean {
    const lease = this.leases.get(symbol);
    return lease !== undefined && lease.held && this.clock() - lease.confirmedAt < this.options.leaseWindowMs;
  }

  get leaseWindowMs(): number {
    return this.options.leaseWindowMs;
  }

  heldSymbols(): string[] {
    return [...this.leases.keys()].filter((symbol) => this.isHeld(symbol));
  }

  /** Stops renewing; by default releases every held lease (only where the key is still ours). */
  async stop({ release = true }: { release?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.running]);
    if (!release) return;
    await Promise.allSettled(
      [...this.leases].map(async ([symbol, lease]) => {
        if (!lease.held || lease.revision === undefined) return;
        lease.held = false;
        // By revision: if someone else wrote since, the key is not ours to delete.
        await this.kv.delete(symbol, { previousSeq: lease.revision });
      }),
    );
  }

  private emit(event: LeaseEvent): void {
    if (this.stopped) return;
    try {
      this.options.onEvent(event);
    } catch (error) {
      this.options.onError?.(error, event.symbol);
    }
  }

  private async step(symbol: string, lease: SymbolLease): Promise<void> {
    if (lease.held) await this.renew(symbol, lease);
    else await this.acquire(symbol, lease);
  }

  private lose(symbol: string, lease: SymbolLease, owner: string | undefined): void {
    lease.held = false;
    lease.reportedOwner = owner;
    this.emit(owner === undefined ? { kind: "LOST", symbol } : { kind: "LOST", symbol, owner });
  }

  private acquired(symbol: string, lease: SymbolLease, revision: number, sentAt: number): void {
    // Recorded even when stopping, so stop() can release a key that was written meanwhile.
    lease.held = true;
    lease.revision = revision;
    lease.confirmedAt = sentAt;
    lease.reportedOwner = undefined;
    this.emit({ kind: "ACQUIRED", symbol, revision });
  }

  private async renew(symbol: string, lease: SymbolLease): Promise<void> {
    const window = this.options.leaseWindowMs;
    // A stalled process may wake up after its lease lapsed; it must not act as the holder.
    if (this.clock() - lease.confirmedAt >= window || lease.revision === undefined) {
      this.lose(symbol, lease, undefined);
      return;
    }
    const sentAt = this.clock();
    try {
      const revision = await this.kv.update(symbol, this.options.instanceName, lease.revision, this.writeTimeoutMs);
      lease.revision = revision;
      lease.confirmedAt = sentAt;
    } catch (error) {
      if (this.stopped) return;
      if (isWrongLastSequence(error)) {
        const owner = ownerOf(await this.kv.get(symbol).catch(() => null));
        if (owner === this.options.instanceName) lease.displacedByTwin = true;
        this.lose(symbol, lease, owner);
        return;
      }
      this.options.onError?.(error, symbol);
      // The next try comes one interval later; if that could be past the deadline, stop now.
      if (this.clock() - lease.confirmedAt + this.renewIntervalMs >= window) this.lose(symbol, lease, undefined);
    }
  }

  private async acquire(symbol: string, lease: SymbolLease): Promise<void> {
    const entry = await this.kv.get(symbol);
    if (this.stopped) return;
    let owner = ownerOf(entry);
    const sentAt = this.clock();
    try {
      if (owner === undefined) {
        // Absent, lapsed or released: create is a compare-and-set against "no live value".
        lease.displacedByTwin = false;
        this.acquired(symbol, lease, await this.kv.create(symbol, this.options.instanceName), sentAt);
        return;
      }
      const ours = owner === this.options.instanceName && entry !== null && (entry.revision === lease.revision || !lease.displacedByTwin);
      if (ours && entry !== null) {
        // Our own name: a restarted process (or a write of ours whose ack was lost) takes it back now.
        this.acquired(symbol, lease, await this.kv.update(symbol, this.options.instanceName, entry.revision, this.writeTimeoutMs), sentAt);
        return;
      }
    } catch (error) {
      if (!isWrongLastSequence(error)) throw error;
      // Someone wrote between our read and our write: say who, so start-up knows at once.
      owner = ownerOf(await this.kv.get(symbol));
      if (owner === undefined || owner === this.options.instanceName || this.stopped) return;
    }
    if (lease.reportedOwner !== owner) {
      lease.reportedOwner = owner;
      this.emit({ kind: "OWNED_ELSEWHERE", symbol, owner });
    }
  }
}
