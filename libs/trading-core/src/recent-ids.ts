/**
 * The last `capacity` ids seen, first in first out: memory stays bounded however long the
 * process runs. It catches the same report republished under a new stream sequence.
 */
export class RecentIds {
  private readonly members = new Set<string>();
  private readonly order: string[] = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.members.has(id);
  }

  add(id: string): void {
    if (this.members.has(id)) return;
    this.members.add(id);
    this.order.push(id);
    if (this.members.size > this.capacity) {
      this.members.delete(this.order[this.head]!);
      this.head += 1;
      // Compact now and then instead of shifting on every add.
      if (this.head >= this.capacity) {
        this.order.splice(0, this.head);
        this.head = 0;
      }
    }
  }

  get size(): number {
    return this.members.size;
  }
}
