/**
 * A symbol worker's whole market-data path in one thread, without NATS or other threads:
 * the intake's subscription callback (decode, validate, lag metric, queue) -> the drain
 * (setImmediate) -> SymbolRuntime.dispatch -> the actor step -> observability, for an ACTIVE
 * symbol on depth-only deltas, `batch` messages per "socket read". CPU microseconds per
 * message of this process: the MMS's own cost without nats.js and thread wake-ups, and a
 * figure a loaded machine moves much less than the end-to-end benchmark (A/B against a
 * build of another commit: run it there too). The connection is a stand-in that only
 * records the intake's subscriptions (reached through the runtime's private field).
 *
 *   npx tsx bench/shell-micro.ts [batch 10] [messages 200000]
 */
import { validateServiceConfig } from "@mms/contracts";
import { createLogger } from "@mms/logging";
import { WorkerMetricsRecorder } from "@mms/telemetry";
import { SymbolRuntime } from "../apps/mms/dist/symbol-runtime";
import { SymbolObservability } from "../apps/mms/dist/symbol-observability";
import { benchSymbolConfig } from "./lib/mms-process";

const encoder = new TextEncoder();
const symbol = "S000-PERP";
async function main(): Promise<void> {
  const batch = Number(process.argv[2] ?? 10);
  const total = Number(process.argv[3] ?? 200_000);
  const cfg = validateServiceConfig({ account: "BENCH_MM", instanceName: "micro", nats: { servers: ["nats://127.0.0.1:1"] }, risk: { maxTotalExposure: "1000000000", maxDrawdown: "1000000000", rejectStorm: { count: 50, windowMs: 10000 }, maxLagMs: 3600000 }, symbols: [benchSymbolConfig(symbol)] }, { defaultInstanceName: "micro" });
  if (!cfg.ok) throw new Error(JSON.stringify(cfg.issues));
  const service = cfg.value;
  const data = { protocolVersion: 0, service, symbol: service.symbols[0]!, runId: "micro", leaseRequired: false, recordingPath: undefined, traceCarrier: undefined, shutdownTimeoutMs: 1000 };
  const recorder = new WorkerMetricsRecorder({ flush: () => undefined, intervalMs: 1000 });
  const runtime = new SymbolRuntime(data as never, () => undefined, createLogger({ level: "error" } as never) as never, new SymbolObservability(symbol, recorder, false));
  const callbacks = new Map<string, (error: unknown, message: unknown) => void>();
  const fake = { subscribe: (subject: string, options: { callback: (error: unknown, message: unknown) => void }) => (callbacks.set(subject, options.callback), { unsubscribe: () => undefined, getSubject: () => subject }), isClosed: () => false, publish: () => undefined };
  (runtime as unknown as { marketData: { subscribe(connection: unknown): void } }).marketData.subscribe(fake);
  const callbackOf = (kind: string) => callbacks.get(`md.${symbol}.${kind}`) ?? callbacks.get(`md.${symbol}.*`)!;
  const sendBytes = (kind: string, data: Uint8Array) => callbackOf(kind)(null, { subject: `md.${symbol}.${kind}`, data, headers: undefined });
  const send = (kind: string, body: string) => sendBytes(kind, encoder.encode(body));
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  runtime.dispatch({ kind: "CONNECTION_RESTORED" });
  runtime.dispatch({ kind: "RECOVERY_COMPLETE", streamFirstSequence: 0 } as never);
  const bids = Array.from({ length: 10 }, (_, l) => [(1000 - l * 0.1).toFixed(1), "2.000"]);
  const asks = Array.from({ length: 10 }, (_, l) => [(1000.2 + l * 0.1).toFixed(1), "2.000"]);
  let seq = 1;
  send("snapshot", JSON.stringify({ symbol, seq, ts: Date.now(), bids, asks }));
  send("status", JSON.stringify({ symbol, seq, ts: Date.now(), status: "TRADING" }));
  await tick();
  runtime.dispatchFromCoordinator({ kind: "CONTROL", requestId: "r", command: "resume", body: { operator: "bench", reason: "micro" } } as never, undefined);
  const quantities = Array.from({ length: 7000 }, (_, k) => `${1 + (k % 7)}.${String(k % 1000).padStart(3, "0")}`);
  const bodies = (count: number) => Array.from({ length: count }, () => { seq += 1; const k = seq; const l = k % 10; const q = quantities[k % 7000]; return encoder.encode(`{"symbol":"${symbol}","seq":${seq},"ts":${Date.now()},"bids":[["${bids[l]![0]}","${q}"]],"asks":[["${asks[l]![0]}","${q}"]]}`); });
  const run = async (all: Uint8Array[]) => {
    for (let i = 0; i < all.length; i += batch) {
      for (let j = i; j < Math.min(all.length, i + batch); j++) sendBytes("delta", all[j]!);
      await tick();
    }
  };
  await run(bodies(50_000));
  const measured = bodies(total);
  const start = process.cpuUsage();
  await run(measured);
  const used = process.cpuUsage(start);
  console.log(`batch ${batch}: ${((used.user + used.system) / total).toFixed(2)} us/msg, state ${runtime.status().state}/${runtime.status().reason}`);
}
void main();
