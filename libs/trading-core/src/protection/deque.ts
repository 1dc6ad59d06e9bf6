/**
 * A double-ended queue over an array with a moving head: the rolling windows below push
 * at the back and drop at both ends on every input, so each operation must be O(1) amortised.
 */
export class Deque<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  front(): T | undefined {
    return this.items[this.head];
  }

  back(): T | undefined {
    return this.length > 0 ? this.items[this.items.length - 1] : undefined;
  }

  pushBack(item: T): void {
    this.items.push(item);
  }

  popFront(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head];
    this.head += 1;
    // Compact once the dropped prefix outweighs what is live, so memory follows the window.
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  popBack(): T | undefined {
    return this.length > 0 ? this.items.pop() : undefined;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let index = this.head; index < this.items.length; index += 1) yield this.items[index] as T;
  }
}
