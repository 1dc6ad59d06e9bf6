import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { sleep } from "./threads";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const OPERATOR_BODY = { operator: "bench", reason: "benchmark" } as const;

export interface ControlReplyBody {
  readonly ok: boolean;
  readonly results: ReadonlyArray<{ symbol: string; from: string; to: string; accepted: boolean; reason?: string }>;
  readonly error?: string;
}

export async function control(connection: NatsConnection, target: string, command: string, body: unknown, timeoutMs = 5000): Promise<ControlReplyBody> {
  const reply = await connection.request(`mms.control.${target}.${command}`, body === undefined ? new Uint8Array(0) : encoder.encode(JSON.stringify(body)), { timeout: timeoutMs });
  return JSON.parse(decoder.decode(reply.data)) as ControlReplyBody;
}

/** Resumes every symbol, retrying the refused ones (no book yet, not recovered...) until `timeoutMs`. */
export async function resumeAll(connection: NatsConnection, symbols: readonly string[], timeoutMs = 30_000): Promise<void> {
  const pending = new Set(symbols);
  const deadline = Date.now() + timeoutMs;
  let lastReasons: string[] = [];
  while (pending.size > 0) {
    // A loaded MMS may answer late: a request that times out is asked again until the deadline.
    const reply = await control(connection, "all", "resume", OPERATOR_BODY, 10_000).catch((error: Error) => {
      if (Date.now() > deadline) throw new Error(`resume not answered: ${error.message}; last refusals: ${lastReasons.slice(0, 10).join(", ")}`);
      return undefined;
    });
    if (!reply) continue;
    lastReasons = [];
    for (const result of reply.results) {
      if (result.accepted && result.to === "ACTIVE") pending.delete(result.symbol);
      else if (pending.has(result.symbol)) lastReasons.push(`${result.symbol}:${result.reason ?? result.to}`);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) throw new Error(`symbols not resumed: ${lastReasons.slice(0, 10).join(", ")}`);
    await sleep(200);
  }
}

export interface StatusSymbol {
  readonly symbol: string;
  readonly state: string;
  readonly reason: string | null;
  readonly openOrders: readonly unknown[];
}

export async function mmsStatus(connection: NatsConnection, timeoutMs = 5000): Promise<readonly StatusSymbol[]> {
  const reply = await connection.request("mms.status", new Uint8Array(0), { timeout: timeoutMs });
  return (JSON.parse(decoder.decode(reply.data)) as { symbols: StatusSymbol[] }).symbols;
}

/** Every automatic pause or halt (`mms.events.*.alert`) as it happens. */
export class AlertWatch {
  readonly alerts: Array<{ symbol: string; reason: string; to: string; at: number; message: string }> = [];
  private subscription: Subscription | undefined;

  listen(connection: NatsConnection): void {
    this.subscription = connection.subscribe("mms.events.*.alert", {
      callback: (_error, message) => {
        const event = JSON.parse(decoder.decode(message.data)) as { symbol: string; reason: string; to: string; message: string };
        this.alerts.push({ symbol: event.symbol, reason: event.reason, to: event.to, message: event.message, at: performance.now() });
      },
    });
  }

  since(at: number) {
    return this.alerts.filter((alert) => alert.at >= at);
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }
}

/** Counts alert reasons: `{BUS_LAG: 3, ...}`. */
export function reasonCounts(alerts: ReadonlyArray<{ reason: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const alert of alerts) counts[alert.reason] = (counts[alert.reason] ?? 0) + 1;
  return counts;
}
