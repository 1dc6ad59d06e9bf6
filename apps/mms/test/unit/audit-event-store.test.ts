import { PassThrough } from "node:stream";
import type { AuditEvent } from "@mms/contracts";
import { createLogger } from "@mms/logging";
import type { StreamPublisher } from "@mms/nats-adapter";
import { AuditEventStore } from "../../src/audit-event-store";

function event(seq: number): AuditEvent {
  return { type: "state", instance: "mms-1", symbol: "BTCUSDT-PERP", seq, ts: "2026-01-01T00:00:00.000Z", mode: "LIVE", from: "PAUSED", to: "ACTIVE", reason: "OPERATOR", detail: "test" } as unknown as AuditEvent;
}

/** A store whose bus is away until `bus.connected` is set; the held gauge and dropped counter recorded. */
function storeWithBus(maxHeld: number) {
  const bus = { connected: false, published: [] as number[] };
  const publisher = { publish: (_subject: string, data: Uint8Array) => (bus.published.push((JSON.parse(new TextDecoder().decode(data)) as AuditEvent).seq), Promise.resolve({ kind: "ACKED" })) } as unknown as StreamPublisher;
  const recorded = { held: [] as number[], dropped: 0 };
  const store = new AuditEventStore({
    symbol: "BTCUSDT-PERP",
    publisher: () => publisher,
    connected: () => bus.connected,
    stopping: () => false,
    publishTimeoutMs: 1000,
    maxHeld,
    track: () => undefined,
    logger: createLogger({ level: "error", service: "test", output: new PassThrough() }),
    onHeldChanged: (held) => recorded.held.push(held),
    onDropped: () => (recorded.dropped += 1),
  });
  return { bus, store, recorded };
}

test("the held gauge starts at 0; events held while the bus is away are reported to it, and the ones beyond maxHeld to the dropped counter", () => {
  const { store, recorded } = storeWithBus(2);
  for (const seq of [1, 2, 3]) store.publish(event(seq));
  expect(recorded.held).toEqual([0, 1, 2, 2]);
  expect(recorded.dropped).toBe(1);
});

test("a flush once the bus is back brings the held gauge down to zero and stores the events in seq order", async () => {
  const { bus, store, recorded } = storeWithBus(10);
  for (const seq of [2, 1, 3]) store.publish(event(seq));
  bus.connected = true;
  store.flush();
  await new Promise((resolve) => setImmediate(resolve));
  expect(bus.published).toEqual([1, 2, 3]);
  expect(recorded.held.at(-1)).toBe(0);
  expect(recorded.dropped).toBe(0);
});
