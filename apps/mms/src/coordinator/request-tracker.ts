import type { RefusalReason } from "@mms/contracts/runtime";
import type { Scheduler, TimerHandle } from "./clock";

/** What one party (a symbol's thread) did with a request. */
export type PartyOutcome<Answer> =
  | { readonly party: string; readonly answered: true; readonly answer: Answer }
  | { readonly party: string; readonly answered: false; readonly reason: Extract<RefusalReason, "NO_ANSWER"> };

export interface OpenedRequest<Answer> {
  readonly requestId: string;
  /** One outcome per party, in the order they came: answers, exits, then the timeout's leftovers. */
  readonly outcomes: Promise<ReadonlyArray<PartyOutcome<Answer>>>;
}

interface PendingRequest<Answer> {
  readonly outstanding: Set<string>;
  readonly outcomes: Array<PartyOutcome<Answer>>;
  readonly settle: (outcomes: ReadonlyArray<PartyOutcome<Answer>>) => void;
  readonly timer: TimerHandle;
}

/**
 * Requests sent to several threads at once, each answered at most once per party. A request
 * settles when every party answered or can no longer answer: its thread exited (at once) or
 * the timeout passed. What comes after that is dropped.
 */
export class RequestTracker<Answer> {
  private readonly pending = new Map<string, PendingRequest<Answer>>();
  private lastId = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly idPrefix: string,
  ) {}

  open(parties: readonly string[], timeoutMs: number): OpenedRequest<Answer> {
    const requestId = `${this.idPrefix}${++this.lastId}`;
    if (parties.length === 0) return { requestId, outcomes: Promise.resolve([]) };
    const outcomes = new Promise<ReadonlyArray<PartyOutcome<Answer>>>((settle) => {
      const timer = this.scheduler.after(timeoutMs, () => this.expire(requestId));
      this.pending.set(requestId, { outstanding: new Set(parties), outcomes: [], settle, timer });
    });
    return { requestId, outcomes };
  }

  /** False when the answer is dropped: unknown or settled request, or a party not asked or already answered. */
  answer(requestId: string, party: string, answer: Answer): boolean {
    const request = this.pending.get(requestId);
    if (!request?.outstanding.delete(party)) return false;
    request.outcomes.push({ party, answered: true, answer });
    this.settleIfComplete(requestId, request);
    return true;
  }

  /** The party's thread is gone: every request still waiting for it gets NO_ANSWER from it now. */
  partyGone(party: string): void {
    for (const [requestId, request] of [...this.pending]) {
      if (!request.outstanding.delete(party)) continue;
      request.outcomes.push({ party, answered: false, reason: "NO_ANSWER" });
      this.settleIfComplete(requestId, request);
    }
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private expire(requestId: string): void {
    const request = this.pending.get(requestId);
    if (!request) return;
    for (const party of request.outstanding) request.outcomes.push({ party, answered: false, reason: "NO_ANSWER" });
    request.outstanding.clear();
    this.settleIfComplete(requestId, request);
  }

  private settleIfComplete(requestId: string, request: PendingRequest<Answer>): void {
    if (request.outstanding.size > 0) return;
    this.pending.delete(requestId);
    this.scheduler.cancel(request.timer);
    request.settle(request.outcomes);
  }
}
