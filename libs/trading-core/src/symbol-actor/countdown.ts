import { TIMINGS } from "../symbol-protocol";
import { sendIntent } from "./intents";
import { canSend } from "./state";
import type { CountdownState, SymbolActorState } from "./state";
import type { StepContext } from "./step-context";

/**
 * What the orders need from the switch: new orders were just placed (arm it if off),
 * orders may rest (arm, or refresh when due), or nothing rests (switch it off).
 */
export type CountdownNeed = "ORDERS_PLACED" | "ORDERS_MAY_REST" | "NOTHING_RESTS";

export interface CountdownSchedule {
  readonly timeoutMs: number;
  /** How far apart TIMER events came last: the next one may be late by as much again. */
  readonly timerIntervalMs: number;
}

export type CountdownPlan = { readonly kind: "KEEP" } | { readonly kind: "SEND"; readonly timeoutMs: number; readonly next: CountdownState };

/**
 * "At least every timeoutMs / 3" while anything may rest: refresh now if waiting for the
 * next TIMER (allowing it to be late by as much again) could leave a longer gap.
 */
export function planCountdown(current: CountdownState, need: CountdownNeed, now: number, schedule: CountdownSchedule): CountdownPlan {
  const arm: CountdownPlan = { kind: "SEND", timeoutMs: schedule.timeoutMs, next: { kind: "ARMED", refreshedAt: now } };
  switch (need) {
    case "ORDERS_PLACED":
      return current.kind === "OFF" ? arm : { kind: "KEEP" };
    case "ORDERS_MAY_REST":
      if (current.kind === "OFF") return arm;
      return now - current.refreshedAt + 2 * schedule.timerIntervalMs >= schedule.timeoutMs / 3 ? arm : { kind: "KEEP" };
    case "NOTHING_RESTS":
      return current.kind === "ARMED" ? { kind: "SEND", timeoutMs: 0, next: { kind: "OFF" } } : { kind: "KEEP" };
  }
}

/** Keeps the switch in step with the orders; off when dead-man is disabled, in shadow mode, or unable to send. */
export function syncCountdown(ctx: StepContext, need: CountdownNeed = ctx.actor.orders.hasOrders() ? "ORDERS_MAY_REST" : "NOTHING_RESTS"): void {
  const { actor, now } = ctx;
  const timeoutMs = actor.settings.config.deadManMs;
  if (timeoutMs === 0 || actor.mode === "shadow" || !canSend(actor)) return;
  const plan = planCountdown(actor.countdown, need, now, { timeoutMs, timerIntervalMs: actor.timerIntervalMs });
  if (plan.kind === "KEEP") return;
  actor.countdown = plan.next;
  sendIntent(ctx, { kind: "COUNTDOWN", intentId: actor.ids.next("I"), account: actor.settings.account, symbol: actor.settings.config.symbol, timeoutMs: plan.timeoutMs, ts: now });
}

/** When `syncCountdown` on a TIMER would next send (Infinity: not while nothing changes). */
export function countdownDueAt(actor: SymbolActorState): number {
  const timeoutMs = actor.settings.config.deadManMs;
  if (timeoutMs === 0 || actor.mode === "shadow" || !canSend(actor)) return Infinity;
  const countdown = actor.countdown;
  if (!actor.orders.hasOrders()) return countdown.kind === "ARMED" ? Number.NEGATIVE_INFINITY : Infinity;
  if (countdown.kind === "OFF") return Number.NEGATIVE_INFINITY;
  return refreshDueAt(countdown.refreshedAt, timeoutMs / 3, actor.lastTimerAt, actor.timerIntervalMs);
}

/**
 * The first moment t at which planCountdown's ORDERS_MAY_REST answers SEND on a TIMER:
 * t - refreshedAt + 2 * gap >= every, where the TIMER at t sets the gap itself to
 * min(t - lastTimerAt, timerGapCapMs) (see onTimer), so the margin grows with t until the cap.
 */
function refreshDueAt(refreshedAt: number, every: number, lastTimerAt: number | undefined, intervalMs: number): number {
  if (lastTimerAt === undefined) return refreshedAt + every - 2 * intervalMs;
  const cap = TIMINGS.timerGapCapMs;
  const atCap = lastTimerAt + cap;
  if (atCap - refreshedAt + 2 * cap < every) return refreshedAt + every - 2 * cap;
  return Math.max(lastTimerAt, (every + refreshedAt + 2 * lastTimerAt) / 3);
}
