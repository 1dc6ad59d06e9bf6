import type { NatsConnection } from "@nats-io/nats-core";
import { mmsStatus, type StatusSymbol } from "./mms-control";

/** `SYMBOL:STATE/REASON` of every symbol that is not in `state`. */
export function notIn(statuses: readonly StatusSymbol[], state: string): string[] {
  return statuses.filter((status) => status.state !== state).map((status) => `${status.symbol}:${status.state}/${status.reason}`);
}

/** Counts of `STATE/REASON` over every symbol. */
export function stateCounts(statuses: readonly StatusSymbol[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const status of statuses) counts[`${status.state}/${status.reason}`] = (counts[`${status.state}/${status.reason}`] ?? 0) + 1;
  return counts;
}

/** The symbols not ACTIVE right now (mms.status), as `SYMBOL:STATE/REASON`. */
export async function notActive(connection: NatsConnection, timeoutMs = 10_000): Promise<string[]> {
  return notIn(await mmsStatus(connection, timeoutMs), "ACTIVE");
}

/** A short list for a message: the first five, and how many more. */
export function shortList(items: readonly string[]): string {
  return `${items.slice(0, 5).join(", ")}${items.length > 5 ? ` (+${items.length - 5} more)` : ""}`;
}
