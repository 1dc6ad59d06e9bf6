import type { ExecutionReport, FillReport } from "@mms/contracts/runtime";
import type { Decimal } from "../decimal";
import { reportStop } from "../protection/report-stops";
import { stop } from "./lifecycle";
import { log, type StepContext } from "./step-context";

// The protection stops the actor reads off its own inputs (contract "Protection"). Each is
// a stop through `stop()`: cancel first, state, alert and risk events, so the shell counts it
// in the kill-switch metric like every other stop.

/** A live (never replayed) execution report on the MMS account: a foreign order halts, a fired dead-man pauses. */
export function checkReportStop(ctx: StepContext, report: ExecutionReport): void {
  const found = reportStop(report, { replay: false, active: ctx.actor.state.name === "ACTIVE" });
  if (!found) return;
  if (found.code === "FOREIGN_ORDER") stop(ctx, "HALTED", "FOREIGN_ORDER", found.detail);
  // No automatic requote: the exchange says the MMS fell silent, a person looks first.
  else stop(ctx, "PAUSED", "DEADMAN_FIRED", found.detail);
}

/** A live fill of the symbol's own orders (and a foreign one: it is the account's too) into the burst window. */
export function checkFillBurst(ctx: StepContext, fill: Pick<FillReport, "side" | "qty">): void {
  const breach = ctx.actor.fillBurst.record(fill, ctx.now);
  if (!breach) return;
  log(ctx, "warn", "fill burst", { limit: breach.limit, threshold: breach.threshold, fills: breach.fills, fillQty: breach.fillQty, netQty: breach.netQty, frozenUntil: ctx.actor.fillBurst.frozenUntil });
  stop(ctx, "PAUSED", "MMP_TRIGGERED", breach.detail);
}

/** Every new mid the symbol computes; an unchanged mid costs one comparison (the market-data hot path). */
export function checkPriceJump(ctx: StepContext, mid: Decimal): void {
  const actor = ctx.actor;
  const last = actor.lastObservedMid;
  if (last !== undefined && (last === mid || last.eq(mid))) {
    // Still computed: a jump from this mid later in the window counts, however long it held.
    actor.priceJump.recomputed(ctx.now);
    return;
  }
  actor.lastObservedMid = mid;
  const breach = actor.priceJump.observe(mid, ctx.now);
  if (breach) stop(ctx, "PAUSED", "PRICE_JUMP", breach.detail);
}
