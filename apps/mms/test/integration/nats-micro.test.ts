import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInbox, type NatsConnection } from "@nats-io/nats-core";
import type { ControlReply, StatusReply } from "@mms/contracts";
import { ScriptedExchange, symbolConfig, useNatsServer, waitFor } from "@mms/test-support";
import type { Coordinator } from "../../src/coordinator/coordinator";
import { serviceConfig, startTestService } from "../support/service-harness";

// What `nats micro ls|info|stats` send ($SRV.PING, $SRV.INFO.mms, $SRV.STATS.mms), answered by
// the MMS as a micro service, while its own subjects still reach every instance.

const BTC = "BTCUSDT-PERP";
const ETH = "ETHUSDT-PERP";
const VERSION = (JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string }).version;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface MicroEndpointStats {
  name: string;
  subject: string;
  num_requests: number;
  num_errors: number;
  processing_time: number;
  queue_group?: string;
}

const nats = useNatsServer();
const running: Coordinator[] = [];
let exchange: ScriptedExchange;

// The exchange's streams (EXEC, the books): an instance is ready once it recovered from them.
beforeAll(async () => {
  exchange = await ScriptedExchange.start(nats.client, [BTC, ETH]);
  for (const symbol of [BTC, ETH]) exchange.publishSnapshot(symbol, [["50000.0", "1"]], [["50010.0", "1"]]);
});
afterAll(() => exchange?.stop());

afterEach(async () => {
  for (const service of running.splice(0)) await service.stop();
});

async function startInstance(instanceName: string, symbol: string): Promise<Coordinator> {
  const { service } = await startTestService(serviceConfig(nats.url, [symbolConfig(symbol)], { instanceName }));
  running.push(service);
  await waitFor(() => service.isReady().ready, { timeoutMs: 20_000, description: `${instanceName} ready` });
  return service;
}

async function requestJson<T>(subject: string, body: unknown = undefined): Promise<T> {
  const data = body === undefined ? new Uint8Array(0) : encoder.encode(JSON.stringify(body));
  const reply = await nats.client.request(subject, data, { timeout: 5000 });
  return JSON.parse(decoder.decode(reply.data)) as T;
}

/** Every reply to one request, as `nats req --replies=0` would gather them, until `count` came. */
async function repliesOf<T>(client: NatsConnection, subject: string, count: number): Promise<T[]> {
  const inbox = createInbox();
  const replies: T[] = [];
  const subscription = client.subscribe(inbox, { callback: (_error, message) => void replies.push(JSON.parse(decoder.decode(message.data)) as T) });
  try {
    client.publish(subject, new Uint8Array(0), { reply: inbox });
    await waitFor(() => replies.length >= count, { timeoutMs: 10_000, description: `${count} replies on ${subject}` });
    return replies;
  } finally {
    subscription.unsubscribe();
  }
}

function endpointNamed(stats: { endpoints: MicroEndpointStats[] }, name: string): MicroEndpointStats {
  const found = stats.endpoints.find((endpoint) => endpoint.name === name);
  if (!found) throw new Error(`no endpoint ${name} in ${JSON.stringify(stats)}`);
  return found;
}

test("$SRV.PING, $SRV.INFO.mms and $SRV.STATS.mms answer with name, version, instance and endpoints; counts grow with control requests", async () => {
  const service = await startInstance("mms-micro", BTC);

  const ping = await requestJson<{ type: string; name: string; version: string; metadata: Record<string, string> }>("$SRV.PING");
  expect(ping).toMatchObject({ type: "io.nats.micro.v1.ping_response", name: "mms", version: VERSION, metadata: { instance: service.instance } });

  const info = await requestJson<{ name: string; version: string; metadata: Record<string, string>; endpoints: Array<{ name: string; subject: string; queue_group?: string }> }>("$SRV.INFO.mms");
  expect(info).toMatchObject({ name: "mms", version: VERSION, metadata: { instance: service.instance } });
  expect(info.endpoints.map(({ name, subject }) => ({ name, subject }))).toEqual([
    { name: "control", subject: "mms.control.>" },
    { name: "status", subject: "mms.status" },
  ]);
  // No queue group: every instance sees every control and status request.
  expect(info.endpoints.map((endpoint) => endpoint.queue_group ?? "")).toEqual(["", ""]);

  const before = await requestJson<{ name: string; endpoints: MicroEndpointStats[] }>("$SRV.STATS.mms");
  expect(before.name).toBe("mms");
  expect(endpointNamed(before, "control").num_requests).toBe(0);

  const paused = await requestJson<ControlReply>(`mms.control.${BTC}.pause`);
  expect(paused.results?.[0]).toMatchObject({ symbol: BTC, accepted: true });
  await requestJson<ControlReply>(`mms.control.${BTC}.kill`);
  await requestJson<StatusReply>("mms.status");

  const after = await requestJson<{ endpoints: MicroEndpointStats[] }>("$SRV.STATS.mms");
  expect(endpointNamed(after, "control")).toMatchObject({ num_requests: 2, num_errors: 0 });
  expect(endpointNamed(after, "control").processing_time).toBeGreaterThanOrEqual(0);
  expect(endpointNamed(after, "status").num_requests).toBe(endpointNamed(before, "status").num_requests + 1);
});

test("with two instances, mms.control.all.kill reaches both and mms.status gets a reply from each", async () => {
  const first = await startInstance("mms-micro-a", BTC);
  const second = await startInstance("mms-micro-b", ETH);

  const pings = await repliesOf<{ name: string; metadata: Record<string, string> }>(nats.client, "$SRV.PING.mms", 2);
  expect(pings.map((ping) => ping.metadata.instance).sort()).toEqual([first.instance, second.instance].sort());

  const kills = await repliesOf<ControlReply>(nats.client, "mms.control.all.kill", 2);
  expect(kills.flatMap((reply) => reply.results ?? []).map((result) => [result.symbol, result.to, result.accepted]).sort()).toEqual([
    [BTC, "HALTED", true],
    [ETH, "HALTED", true],
  ]);

  const statuses = await repliesOf<StatusReply>(nats.client, "mms.status", 2);
  expect(statuses.map((reply) => reply.instance).sort()).toEqual([first.instance, second.instance].sort());
  for (const reply of statuses) expect(reply.symbols.map((symbol) => symbol.state)).toEqual(["HALTED"]);
});
