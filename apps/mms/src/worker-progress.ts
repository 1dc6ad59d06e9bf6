/** Bytes of the shared buffer: the cells sit in the middle, alone on their cache line whatever the allocation's alignment. */
const PADDED_BYTES = 192;
/** The step counter (Int32) and, on the same line, the last event seq (Float64: a seq outgrows 2^31 in a long run). */
const PROGRESS_CELL = 24;
const EVENT_SEQ_CELL = 13;

/**
 * How far a worker has got, shared with the coordinator through memory rather than
 * messages: the worker adds one for every step it takes, the supervisor reads it; and the
 * last audit event seq its actor stamped. A worker
 * busy on a flood keeps counting however long its messages queue; a worker stuck in a loop
 * does not. Int32 wraps around, which is fine: only "has it moved" is asked.
 *
 * Only the worker's own thread writes, so an advance is a plain store, not an atomic
 * read-modify-write; and the counter has a cache line to itself: the counters of 20 workers
 * side by side in memory made every advance (two a message) a cache miss across cores.
 */
export class WorkerProgress {
  private readonly cells: Int32Array;
  private readonly seqs: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(PADDED_BYTES)) {
    if (buffer.byteLength < PADDED_BYTES) throw new Error(`a WorkerProgress buffer holds ${PADDED_BYTES} bytes, not ${buffer.byteLength}`);
    this.cells = new Int32Array(buffer);
    this.seqs = new Float64Array(buffer);
  }

  /** One more step taken. */
  advance(): void {
    this.cells[PROGRESS_CELL] = (this.cells[PROGRESS_CELL]! + 1) | 0;
  }

  read(): number {
    return Atomics.load(this.cells, PROGRESS_CELL);
  }

  /**
   * The seq of the last audit event the worker's actor stamped, stored after every step that
   * emitted one: the coordinator numbers on from it when it must speak for the symbol (a dead
   * or restarted worker). A plain store: an aligned Float64 element never tears, and the
   * coordinator reads it only once the worker has stopped or failed. It replaced a message
   * per step (a postMessage and a wake-up of the main thread, several per requote).
   */
  recordEventSeq(seq: number): void {
    this.seqs[EVENT_SEQ_CELL] = seq;
  }

  lastEventSeq(): number {
    return this.seqs[EVENT_SEQ_CELL]!;
  }
}
