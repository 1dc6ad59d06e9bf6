/**
 * How far a worker has got, shared with the coordinator through memory rather than a
 * message: the worker adds one for every step it takes, the supervisor reads it. A worker
 * busy on a flood keeps counting however long its messages queue; a worker stuck in a loop
 * does not. Int32 wraps around, which is fine: only "has it moved" is asked.
 */
export class WorkerProgress {
  private readonly cells: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) {
    this.cells = new Int32Array(buffer);
  }

  /** One more step taken. */
  advance(): void {
    Atomics.add(this.cells, 0, 1);
  }

  read(): number {
    return Atomics.load(this.cells, 0);
  }
}
