import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useNatsServer, waitFor, ScriptedExchange, symbolConfig } from "@mms/test-support";
import { readAuditEvents } from "../support/audit-events";
import { serviceConfig, startTestService } from "../support/service-harness";

const SYMBOL = "BTCUSDT-PERP";
const encoder = new TextEncoder();

const suite = useNatsServer();

function replayWithCli(recording: string): Array<{ kind: string; intent?: unknown; event?: unknown }> {
  const output = execFileSync(process.execPath, ["apps/mms/dist/cli.js", "replay", recording], { cwd: join(__dirname, "../../../.."), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return output
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { kind: string });
}

test("a recorded live session replays offline to the same intents and events, twice", async () => {
  const recordingDirectory = mkdtempSync(join(tmpdir(), "mms-recording-"));
  const exchange = await ScriptedExchange.start(suite.client, [SYMBOL]);
  const stopHeartbeat = exchange.heartbeat(SYMBOL);
  exchange.publishSnapshot(SYMBOL, [["50000.0", "1"]], [["50010.0", "1"]]);
  const { service } = await startTestService(serviceConfig(suite.url, [symbolConfig(SYMBOL)]), { useLeases: true, recordingDirectory });
  try {
    await waitFor(() => service.isReady().ready, { timeoutMs: 15_000, description: "ready" });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const resume = await suite.client.request(`mms.control.${SYMBOL}.resume`, encoder.encode(JSON.stringify({ operator: "alice", reason: "replay test" })), { timeout: 5000 });
    expect(JSON.parse(new TextDecoder().decode(resume.data))).toMatchObject({ ok: true });
    await exchange.waitForIntents((intents) => intents.filter((intent) => intent.kind === "NEW").length >= 2, "quotes");
    await waitFor(() => exchange.openOrders(SYMBOL).length === 2, { timeoutMs: 5000, description: "resting" });
    exchange.publishDelta(SYMBOL, [["50000.0", "0"], ["50020.0", "1"]], [["50010.0", "0"], ["50030.0", "1"]]);
    await exchange.waitForIntents((intents) => intents.filter((intent) => intent.kind === "NEW").length >= 4, "requotes");
    await waitFor(() => exchange.openOrders(SYMBOL).some((order) => order.side === "BUY"), { timeoutMs: 5000, description: "a resting bid" });
    await exchange.fill(exchange.openOrders(SYMBOL).find((order) => order.side === "BUY")!.clientOrderId);
    await exchange.waitForIntents((intents) => intents.filter((intent) => intent.kind === "NEW").length >= 5, "a new bid after the fill");
    suite.client.publish(`mms.control.${SYMBOL}.kill`, encoder.encode(""));
    await exchange.waitForIntents((intents) => intents.some((intent) => intent.kind === "CANCEL_ALL" && intent.reason === "MANUAL_KILL"), "the kill");
  } finally {
    stopHeartbeat();
    await service.stop();
    await exchange.stop();
  }

  const recording = join(recordingDirectory, `${SYMBOL}.jsonl`);
  expect(readFileSync(recording, "utf8").split("\n").length).toBeGreaterThan(20);
  const liveEvents = await readAuditEvents(suite.client, SYMBOL, service.instance);
  // The kill's fast path: the coordinator sends its own CANCEL_ALL (ids ending -C<n>) before
  // the actor hears of the kill. It is not the actor's decision, so it is not in the replay.
  const fromCoordinator = (intent: { intentId: string }) => /-C\d+$/.test(intent.intentId);
  expect(exchange.intents.filter(fromCoordinator)).toEqual([expect.objectContaining({ kind: "CANCEL_ALL", reason: "MANUAL_KILL" })]);
  const liveIntents = exchange.intents.filter((intent) => !fromCoordinator(intent));

  const first = replayWithCli(recording);
  const second = replayWithCli(recording);
  expect(second).toEqual(first);
  expect(first.filter((line) => line.kind === "INTENT").map((line) => line.intent)).toEqual(liveIntents);
  expect(first.filter((line) => line.kind === "EVENT").map((line) => line.event)).toEqual(liveEvents);
  expect(liveEvents.some((event) => event.type === "fill")).toBe(true);
  expect(liveEvents.some((event) => event.type === "control")).toBe(true);
});
