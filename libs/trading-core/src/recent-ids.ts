/**
 * The last `capacity` ids seen, first in first out: memory stays bounded however long the
 * process runs. It catches the same report republished under a new stream sequence.
 */
export class RecentIds {
  private readonly members = new Set<string>();
  // A ring: an evicted id is overwritten at once, so exactly `capacity` ids are ever held
  // (a queue compacted now and then kept up to twice that alive between compactions).
  private readonly ring: string[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.members.has(id);
  }

  add(id: string): void {
    if (this.members.has(id)) return;
    this.members.add(id);
    if (this.ring.length < this.capacity) {
      this.ring.push(id);
      return;
    }
    this.members.delete(this.ring[this.next]!);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.capacity;
  }

  get size(): number {
    return this.members.size;
  }
}
