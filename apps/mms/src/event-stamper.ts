import type { AuditEvent, AuditEventBody, QuotingMode } from "@mms/contracts/runtime";

/** Stamps the fields every audit event carries; seq is per symbol and instance, from 1. */
export class EventStamper {
  private seq: number;

  constructor(
    private readonly symbol: string,
    private readonly instance: string,
    lastSeq = 0,
  ) {
    this.seq = lastSeq;
  }

  get lastSeq(): number {
    return this.seq;
  }

  stamp(body: AuditEventBody, ts: number, mode: QuotingMode): AuditEvent {
    this.seq += 1;
    return { ...body, symbol: this.symbol, instance: this.instance, seq: this.seq, ts, mode } as AuditEvent;
  }
}
