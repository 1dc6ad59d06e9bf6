/** Bytes of the shared buffer: the counter sits in the middle, alone on its cache line whatever the allocation's alignment. */
const PADDED_BYTES = 192;
const PADDED_CELL = 24;

/**
 * How far a worker has got, shared with the coordinator through memory rather than a
 * message: the worker adds one for every step it takes, the supervisor reads it. A worker
 * busy on a flood keeps counting however long its messages queue; a worker stuck in a loop
 * does not. Int32 wraps around, which is fine: only "has it moved" is asked.
 *
 * Only the worker's own thread writes, so an advance is a plain store, not an atomic
 * read-modify-write; and the counter has a cache line to itself: the counters of 20 workers
 * side by side in memory made every advance (two a message) a cache miss across cores.
 */
export class WorkerProgress {
  private readonly cells: Int32Array;
  private readonly cell: number;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(PADDED_BYTES)) {
    this.cells = new Int32Array(buffer);
    this.cell = buffer.byteLength >= PADDED_BYTES ? PADDED_CELL : 0;
  }

  /** One more step taken. */
  advance(): void {
    this.cells[this.cell] = (this.cells[this.cell]! + 1) | 0;
  }

  read(): number {
    return Atomics.load(this.cells, this.cell);
  }
}
