import type { Logger } from "@mms/logging";
import { shutdownBudget, withinMs } from "../shutdown-budget";
import type { CoordinatorToSymbol } from "../thread-protocol";
import type { Clock, Scheduler } from "./clock";
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
  readonly clock: Clock;
  readonly logger: Logger;
  /** The whole shutdown's bound; the actors get their share of it (shutdownBudget). */
  readonly shutdownTimeoutMs: number;
}

/**
 * Every actor cancels its orders and waits (bounded) for the acks; then the leases are
 * released, the threads end and the connection drains. One deadline for all of it: each
 * step gets only what is left, so a dead server cannot stretch the shutdown.
 */
export async function shutDown(parts: ShutdownParts): Promise<void> {
  const { slots, scheduler, clock, logger } = parts;
  const deadline = clock.now() + parts.shutdownTimeoutMs;
  const left = (): number => deadline - clock.now();
  const after = (delayMs: number, task: () => void) => void scheduler.after(delayMs, task);
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
  // The actors bound themselves to their share (they start it a moment later: half the rest is
  // theirs too, the other half for the steps below).
  const { closingMs } = shutdownBudget(parts.shutdownTimeoutMs);
  if ((await withinMs(Promise.all(finished), left() - closingMs / 2, after)) === "TIMEOUT") logger.warn("shutdown: a symbol worker did not finish in its share of shutdownTimeoutMs", {});
  if (parts.leases && (await withinMs(parts.leases.stop(), left() / 2, after)) === "TIMEOUT") logger.warn("shutdown: leases not released in time (they lapse after leaseMs)", {});
  await withinMs(Promise.all(slots.all().map((slot) => slot.worker?.terminate())), left() / 2, after);
  await withinMs(parts.risk.terminate(), left() / 2, after);
  if ((await withinMs(parts.nats.close(), left(), after)) === "TIMEOUT") logger.warn("shutdown: the NATS connection did not drain in time", {});
  logger.info("stopped", {});
}
