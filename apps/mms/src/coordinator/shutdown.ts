import type { Logger } from "@mms/logging";
import type { CoordinatorToSymbol } from "../thread-protocol";
import type { Scheduler } from "./clock";
import type { CoordinatorNats } from "./nats-link";
import type { LeaseWiring } from "./lease-wiring";
import type { RiskWorkerLink } from "./risk-link";
import type { Supervisor } from "./supervisor";
import type { SymbolSlots } from "./symbol-slots";
import type { SymbolWorkerPool } from "./worker-pool";

export interface ShutdownParts {
  readonly slots: SymbolSlots;
  readonly pool: SymbolWorkerPool;
  readonly supervisor: Supervisor;
  readonly risk: RiskWorkerLink;
  readonly leases: LeaseWiring | undefined;
  readonly nats: CoordinatorNats;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** What each actor may take to cancel its orders and see the acks. */
  readonly shutdownTimeoutMs: number;
}

/**
 * Every actor cancels its orders and waits (bounded) for the acks; then the leases are
 * released, the threads end and the connection drains.
 */
export async function shutDown(parts: ShutdownParts): Promise<void> {
  const { slots, scheduler, logger } = parts;
  logger.info("shutting down: cancelling every order", {});
  parts.supervisor.stop();
  parts.pool.close();
  parts.nats.unsubscribeAll();
  const finished = slots.all().map(
    (slot) =>
      new Promise<void>((resolve) => {
        if (!slot.worker) return resolve();
        slot.shutdownComplete = resolve;
        slot.worker.postMessage({ kind: "SHUTDOWN", symbol: slot.symbol } satisfies CoordinatorToSymbol);
      }),
  );
  // A second on top of the actors' own bound: their last heartbeat and metrics still travel.
  const deadline = new Promise<void>((resolve) => scheduler.after(parts.shutdownTimeoutMs + 1000, resolve));
  await Promise.race([Promise.all(finished), deadline]);
  await parts.leases?.stop();
  for (const slot of slots.all()) await slot.worker?.terminate();
  await parts.risk.terminate();
  await parts.nats.close();
  logger.info("stopped", {});
}
