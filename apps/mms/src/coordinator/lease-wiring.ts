import type { JetStreamClient } from "@nats-io/jetstream";
import { LeaseManager, type LeaseEvent } from "@mms/nats-adapter";
import type { Logger } from "@mms/logging";
import type { SymbolEvent } from "@mms/trading-core";
import type { SymbolSlot, SymbolSlots } from "./symbol-slots";

export interface LeaseSettings {
  readonly instanceName: string;
  readonly leaseMs: number;
}

/** The MMS_OWNERS leases of this instance's symbols; every change reaches the symbol's actor. */
export class LeaseWiring {
  private manager: LeaseManager | undefined;

  constructor(
    private readonly slots: SymbolSlots,
    private readonly settings: LeaseSettings,
    private readonly logger: Logger,
  ) {}

  async start(jetStream: JetStreamClient): Promise<void> {
    this.manager = await LeaseManager.open(jetStream, {
      symbols: this.slots.symbols(),
      instanceName: this.settings.instanceName,
      leaseMs: this.settings.leaseMs,
      onEvent: (event) => this.onLeaseEvent(event),
      onError: (error, symbol) => this.logger.warn("lease renewal problem", { symbol, error: String(error) }),
    });
    await this.manager.start();
  }

  get inUse(): boolean {
    return this.manager !== undefined;
  }

  /** A fresh actor learns what the lease is now. */
  tellCurrentOwnership(slot: SymbolSlot): void {
    if (!this.manager) return;
    const event: SymbolEvent = { kind: "OWNERSHIP", status: slot.leaseHeld ? "HELD" : "OWNED_ELSEWHERE", ...(slot.leaseHeld ? {} : { owner: "unknown" }) };
    this.slots.post(slot, { kind: "ACTOR_EVENT", symbol: slot.symbol, event });
  }

  /**
   * Releases every lease and takes none again in this process (a drain before a deploy): each
   * actor hears the symbol is owned elsewhere now, so a resume here is refused.
   */
  async drain(): Promise<void> {
    await this.manager?.stop();
    for (const slot of this.slots.all()) {
      slot.leaseHeld = false;
      this.slots.post(slot, { kind: "ACTOR_EVENT", symbol: slot.symbol, event: { kind: "OWNERSHIP", status: "OWNED_ELSEWHERE", owner: "none (this instance is drained)" } });
    }
    this.logger.warn("drained: every lease released; none is taken again until a restart", { instance: this.settings.instanceName });
  }

  async stop(): Promise<void> {
    await this.manager?.stop().catch((error: unknown) => this.logger.warn("lease release failed", { error: String(error) }));
  }

  private onLeaseEvent(event: LeaseEvent): void {
    const slot = this.slots.get(event.symbol);
    if (!slot) return;
    slot.leaseHeld = event.kind === "ACQUIRED";
    this.logger.info("lease event", { symbol: event.symbol, lease: event.kind, owner: "owner" in event ? event.owner : this.settings.instanceName });
    const status = event.kind === "ACQUIRED" ? "HELD" : event.kind === "LOST" ? "LOST" : "OWNED_ELSEWHERE";
    this.slots.post(slot, { kind: "ACTOR_EVENT", symbol: slot.symbol, event: { kind: "OWNERSHIP", status, ...("owner" in event && event.owner ? { owner: event.owner } : {}) } });
  }
}
