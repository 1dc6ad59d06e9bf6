/**
 * The last `capacity` ids seen, first in first out: memory stays bounded however long the
 * process runs. It catches the same report republished under a new stream sequence.
 */
export class RecentIds {
  private readonly members = new Set<string>();
  /** The ids in the order they came, overwritten oldest first: no array growth or shifting per add. */
  private readonly ring: Array<string | undefined>;
  private next = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<string | undefined>(Math.max(1, capacity)).fill(undefined);
  }

  has(id: string): boolean {
    return this.members.has(id);
  }

  /** Remembers the id; false if it was among the recent ones already. One lookup, not a has() then an add(). */
  add(id: string): boolean {
    const members = this.members;
    const size = members.size;
    members.add(id);
    if (members.size === size) return false;
    const oldest = this.ring[this.next];
    if (oldest !== undefined) members.delete(oldest);
    this.ring[this.next] = id;
    this.next = this.next + 1 === this.ring.length ? 0 : this.next + 1;
    return true;
  }

  get size(): number {
    return this.members.size;
  }
}
