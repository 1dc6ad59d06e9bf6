import { jetstreamManager } from "@nats-io/jetstream";
import { ensureEventsStream } from "@mms/nats-adapter";
import { createLogger } from "@mms/logging";
import { symbolConfig, TEST_RISK, testAccount, useNatsServer, waitFor } from "@mms/test-support";
import { THREAD_PROTOCOL_VERSION, type SymbolToCoordinator, type SymbolWorkerData } from "../../src/thread-protocol";
import { SymbolRuntime } from "../../src/symbol-runtime";
import { WorkerProgress } from "../../src/worker-progress";
import { readAuditEvents } from "../support/audit-events";

// The coordinator is connected and routes control messages at once; a symbol's worker may
// still be connecting. Such a message is answered, and its audit event must still be written.

const nats = useNatsServer();
const BTC = "BTCUSDT-PERP";

test("a control message handled before the worker's NATS connection is up is still written to MMS_EVENTS as seq 1", async () => {
  await ensureEventsStream(await jetstreamManager(nats.client));
  const instance = `mms-early-${Math.random().toString(36).slice(2, 8)}`;
  const progress = new WorkerProgress();
  const data: SymbolWorkerData = {
    protocolVersion: THREAD_PROTOCOL_VERSION,
    service: { account: testAccount(), instanceName: instance, nats: { servers: [nats.url] }, risk: { ...TEST_RISK, rejectStorm: TEST_RISK.rejectStorm!, maxLagMs: 2000 }, logging: { level: "error" } } as SymbolWorkerData["service"],
    symbol: symbolConfig(BTC),
    runId: "early",
    leaseRequired: false,
    recordingPath: undefined,
    traceCarrier: undefined,
    shutdownTimeoutMs: 2000,
    progress: progress.buffer,
  };
  const posted: SymbolToCoordinator[] = [];
  const runtime = new SymbolRuntime(data, (message) => posted.push(message), createLogger({ level: "error", service: "mms", instance }));
  // Before start(): the worker has no connection yet.
  runtime.dispatchFromCoordinator({ kind: "CONTROL", requestId: "r1", command: "resume" }, undefined);
  expect(posted).toContainEqual(expect.objectContaining({ kind: "CONTROL_RESULT", result: expect.objectContaining({ accepted: false, reason: "OPERATOR_REQUIRED" }) }));
  // The coordinator would number on from here if it had to speak for the symbol.
  expect(progress.lastEventSeq()).toBe(1);
  await runtime.start();
  try {
    await waitFor(async () => (await readAuditEvents(nats.client, BTC, instance)).some((event) => event.seq === 1), { timeoutMs: 5000, description: "seq 1 in MMS_EVENTS" });
    const first = (await readAuditEvents(nats.client, BTC, instance)).find((event) => event.seq === 1);
    expect(first).toMatchObject({ type: "control", command: "resume", accepted: false, refusal: "OPERATOR_REQUIRED" });
  } finally {
    await runtime.shutdown(2000);
  }
});
