/**
 * Whether a symbol's worker may still publish a NEW, shared between the coordinator and the
 * worker through memory rather than a message: a SIGTERM or a kill closes it at once, while
 * the worker may still be busy with market data that arrived before the stop. Cancels never
 * pass through it. The worker reopens it for a kill once its actor has halted (a halted actor
 * sends no NEW of its own accord); a shutdown stays closed.
 */
export class NewOrderGate {
  private static readonly SHUTDOWN = 0;
  private static readonly KILL = 1;
  private readonly cells: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)) {
    this.cells = new Int32Array(buffer);
  }

  closeForShutdown(): void {
    Atomics.store(this.cells, NewOrderGate.SHUTDOWN, 1);
  }

  closeForKill(): void {
    Atomics.add(this.cells, NewOrderGate.KILL, 1);
  }

  /** The actor has taken one kill: that kill no longer needs the gate. */
  killHandled(): void {
    if (Atomics.load(this.cells, NewOrderGate.KILL) > 0) Atomics.sub(this.cells, NewOrderGate.KILL, 1);
  }

  get closed(): boolean {
    return Atomics.load(this.cells, NewOrderGate.SHUTDOWN) !== 0 || Atomics.load(this.cells, NewOrderGate.KILL) > 0;
  }
}
