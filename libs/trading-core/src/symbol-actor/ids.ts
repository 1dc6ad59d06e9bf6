/** What an id names: an intent ("I") or a client order ("O"). */
export type IdKind = "I" | "O";

/** Where the actor takes its intent and client order ids from: injected, never random or clock-based. */
export interface IdSource {
  next(kind: IdKind): string;
}

/**
 * `<prefix>-I1`, `<prefix>-O2`, ...: one counter for both kinds, so a replay of the same
 * events from the same prefix gives the same ids.
 */
export class SequentialIds implements IdSource {
  private counter = 1;

  constructor(private readonly prefix: string) {}

  next(kind: IdKind): string {
    const id = `${this.prefix}-${kind}${this.counter}`;
    this.counter += 1;
    return id;
  }
}
