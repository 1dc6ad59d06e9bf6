import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { validators, type AuditEvent } from "@mms/contracts";

const decoder = new TextDecoder();

/** Every audit event stored for a symbol so far, validated, optionally of one instance. */
export async function readAuditEvents(connection: NatsConnection, symbol: string, instance?: string): Promise<AuditEvent[]> {
  const js = jetstream(connection);
  const consumer = await js.consumers.get("MMS_EVENTS", { filter_subjects: `mms.events.${symbol}.>`, deliver_policy: DeliverPolicy.All });
  const events: AuditEvent[] = [];
  const info = await consumer.info(true);
  let remaining = info.num_pending;
  while (remaining > 0) {
    const batch = await consumer.fetch({ max_messages: Math.min(remaining, 500), expires: 2000 });
    let received = 0;
    for await (const message of batch) {
      received += 1;
      const parsed = validators.auditEvent(JSON.parse(decoder.decode(message.data)));
      if (!parsed.ok) throw new Error(`invalid audit event on ${message.subject}: ${JSON.stringify(parsed.issues)}`);
      if (instance === undefined || parsed.value.instance === instance) events.push(parsed.value as AuditEvent);
    }
    if (received === 0) break;
    remaining -= received;
  }
  return events;
}
