import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { OWNERS_BUCKET, subjects, type ControlReply } from "@mms/contracts";
import { control, RESUME_BODY, ScriptedExchange, symbolConfig, testAccount, useNatsServer, waitFor } from "@mms/test-support";
import { WorkerOutput } from "../../support/mms-fixture";
import { serviceConfig, startTestService } from "../../support/service-harness";

// Draining one instance before a deploy (`mms.control.instance.<instanceName>.drain`): it
// pauses every symbol there and releases the leases, so the standby on the same symbols and
// account takes over and can be resumed; the drained instance refuses to quote again.

const BTC = "BTCUSDT-PERP";
const LEASE_MS = 3000;
const nats = useNatsServer();
// The workers' log lines are kept, not printed.
const output = new WorkerOutput();
beforeAll(() => output.install());
afterAll(() => output.uninstall());

/** Every instance's reply, as `nats req ... --replies 0 --timeout 1.5s` collects them. */
async function answersTo(subject: string, body: unknown): Promise<ControlReply[]> {
  const answers: ControlReply[] = [];
  for await (const message of await nats.client.requestMany(subject, JSON.stringify(body), { strategy: "timer", maxWait: 1500 })) answers.push(JSON.parse(message.string()) as ControlReply);
  return answers;
}

test("a drain pauses the owner's symbols, moves the leases to the standby, and the standby can be resumed there", async () => {
  const client = nats.client;
  const exchange = await ScriptedExchange.start(client, [BTC]);
  exchange.publishSnapshot(BTC, [["50000.0", "1"]], [["50010.0", "1"]]);
  const stopHeartbeat = exchange.heartbeat(BTC);
  const account = testAccount();
  const suffix = account.slice(-6).toLowerCase();
  const configOf = (instanceName: string) => serviceConfig(nats.url, [symbolConfig(BTC)], { account, instanceName, leaseMs: LEASE_MS });
  const primary = await startTestService(configOf(`mms-a-${suffix}`), { useLeases: true });
  const owners = await new Kvm(jetstream(client)).open(OWNERS_BUCKET);
  let standby: Awaited<ReturnType<typeof startTestService>> | undefined;
  try {
    await waitFor(async () => (await owners.get(BTC))?.string() === `mms-a-${suffix}`, { timeoutMs: 10_000, description: "the primary holds the lease" });
    standby = await startTestService(configOf(`mms-b-${suffix}`), { useLeases: true });
    await waitFor(async () => (await standby!.service.status()).symbols[0]?.reason === "OWNED_ELSEWHERE", { timeoutMs: 15_000, description: "the standby stays out" });
    await waitFor(async () => (await answersTo(subjects.control(BTC, "resume"), RESUME_BODY)).find((answer) => answer.instance === primary.service.instance)?.ok, { timeoutMs: 15_000, intervalMs: 200, description: "the primary resumed" });
    await waitFor(() => exchange.openOrders(BTC).length === 2, { timeoutMs: 10_000, description: "the primary quoting" });

    const drainedAfter = Date.now();
    const reply = (await control(client, subjects.instanceControl(`mms-a-${suffix}`, "drain"), { operator: "alice", reason: "deploy 1.2.4" })) as ControlReply;
    expect(reply).toMatchObject({ ok: true, instance: primary.service.instance, results: [{ symbol: BTC, from: "ACTIVE", to: "PAUSED", accepted: true }] });
    // The reply comes once the lease is released: the key is deleted (or already the standby's), not left to lapse.
    const afterReply = await owners.get(BTC);
    expect(afterReply === null || afterReply.operation !== "PUT" || afterReply.string() === `mms-b-${suffix}`).toBe(true);
    // Paused first, cancelled: nothing of the primary rests; it says who drained it and why.
    await waitFor(() => exchange.openOrders(BTC).length === 0, { timeoutMs: 10_000, description: "the primary's quotes cancelled" });
    const drained = await waitFor(async () => {
      const status = (await primary.service.status()).symbols[0];
      return status?.resumeBlockers?.includes("OWNED_ELSEWHERE") ? status : undefined;
    }, { timeoutMs: 10_000, description: "the drained primary refuses resumes" });
    expect(drained).toMatchObject({ state: "PAUSED", reason: "MANUAL_PAUSE", operator: "alice", detail: "drain: deploy 1.2.4" });
    expect(drained.stoppedAt).toBeGreaterThanOrEqual(drainedAfter);

    // The standby takes the released lease at its next attempt (every leaseMs / 3); twice leaseMs of slack for a loaded machine.
    await waitFor(async () => (await owners.get(BTC))?.string() === `mms-b-${suffix}`, { timeoutMs: 2 * LEASE_MS, description: "the lease moved to the standby" });
    await waitFor(async () => (await standby!.service.status()).symbols[0]?.resumeBlockers?.includes("OWNED_ELSEWHERE") === false, { timeoutMs: 10_000, description: "the standby may quote" });
    const resumed = await waitFor(async () => {
      const answers = await answersTo(subjects.control(BTC, "resume"), RESUME_BODY);
      const fromStandby = answers.find((answer) => answer.instance === standby!.service.instance);
      return fromStandby?.ok ? answers : undefined;
    }, { timeoutMs: 15_000, intervalMs: 200, description: "the standby resumed" });
    // The drained primary, asked the same, refuses: the lease is not its own any more.
    expect(resumed.find((answer) => answer.instance === primary.service.instance)?.results?.[0]).toMatchObject({ accepted: false, reason: "OWNED_ELSEWHERE" });
    await waitFor(() => exchange.openOrders(BTC).length === 2, { timeoutMs: 10_000, description: "the standby quoting" });
    const standbyRun = standby.service.runId;
    expect(exchange.openOrders(BTC).every((order) => order.clientOrderId.startsWith(`MM-${standbyRun}-`))).toBe(true);
    // A drain names its instance: the standby did not hear the primary's.
    expect((await standby.service.status()).symbols[0]).toMatchObject({ state: "ACTIVE" });
  } finally {
    stopHeartbeat();
    await standby?.service.stop();
    await primary.service.stop();
    await exchange.stop();
  }
});

test("an unknown instance command is answered with the known ones; another instance's name gets no answer", async () => {
  const client = nats.client;
  const exchange = await ScriptedExchange.start(client, [BTC]);
  const config = serviceConfig(nats.url, [symbolConfig(BTC)], { instanceName: "mms-z" });
  const { service } = await startTestService(config);
  try {
    await waitFor(() => service.isReady().ready, { timeoutMs: 20_000, description: "ready" });
    const unknown = (await control(client, subjects.instanceControl("mms-z", "explode"), {})) as ControlReply;
    expect(unknown).toMatchObject({ ok: false, instance: service.instance });
    expect(unknown.error).toContain("drain");
    await expect(client.request(subjects.instanceControl("mms-other", "drain"), "", { timeout: 1000 })).rejects.toThrow();
    expect((await service.status()).symbols[0]?.reason).toBe("STARTUP");
  } finally {
    await service.stop();
    await exchange.stop();
  }
});
