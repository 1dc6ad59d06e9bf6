import type { NatsConnection } from "@nats-io/transport-node";
import type { CancelAllIntent, ControlReply, NewOrderIntent, OrderIntent, StatusReply } from "@mms/contracts";
import { waitFor } from "./wait-for";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const RESUME_BODY = { operator: "alice", reason: "integration test" } as const;

/** A control request (`mms.control.<target>.<command>`); a string body is sent as it is. */
export async function control(client: NatsConnection, subject: string, body?: unknown, timeoutMs = 5000): Promise<ControlReply> {
  const data = body === undefined ? new Uint8Array(0) : encoder.encode(typeof body === "string" ? body : JSON.stringify(body));
  const reply = await client.request(subject, data, { timeout: timeoutMs });
  return JSON.parse(decoder.decode(reply.data)) as ControlReply;
}

/** The first answer to `mms.status`. */
export async function requestStatus(client: NatsConnection, timeoutMs = 5000): Promise<StatusReply> {
  const reply = await client.request("mms.status", new Uint8Array(0), { timeout: timeoutMs });
  return JSON.parse(decoder.decode(reply.data)) as StatusReply;
}

export const isNew = (intent: OrderIntent): intent is NewOrderIntent => intent.kind === "NEW";
export const isCancelAll = (intent: OrderIntent): intent is CancelAllIntent => intent.kind === "CANCEL_ALL";

/** The status reply of a run whose instance starts with `instanceName` and is not one of `previous`. */
export async function waitForRun(client: NatsConnection, instanceName: string, previous: readonly string[] = [], timeoutMs = 30_000): Promise<StatusReply> {
  return waitFor(
    async () => {
      const reply = await requestStatus(client, 1000);
      return reply.instance.startsWith(`${instanceName}-`) && !previous.includes(reply.instance) ? reply : undefined;
    },
    { timeoutMs, intervalMs: 200, description: `a run of ${instanceName} answering mms.status` },
  );
}

/** Refusals that only mean "start-up is not through yet": ask again. */
export const NOT_YET_REASONS: readonly string[] = ["STARTUP", "NO_BOOK", "NO_MARKET_STATUS", "OWNED_ELSEWHERE"];

/** Resume once start-up (replay, lease, first book and status) is through. */
export async function resumeWhenStarted(client: NatsConnection, symbol: string, timeoutMs = 20_000, body: unknown = RESUME_BODY): Promise<ControlReply> {
  return waitFor(
    async () => {
      const reply = await control(client, `mms.control.${symbol}.resume`, body, 2000);
      const result = reply.results?.[0];
      if (result?.accepted) return reply;
      if (!NOT_YET_REASONS.includes(result?.reason ?? "")) throw new Error(`resume refused: ${JSON.stringify(reply)}`);
      return undefined;
    },
    { timeoutMs, intervalMs: 200, description: `${symbol} resumed` },
  );
}
