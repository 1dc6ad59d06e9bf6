import { spawnSync } from "node:child_process";
import { request } from "node:http";
import { createServer } from "node:net";
import { connect } from "@nats-io/transport-node";
import { headers as natsHeaders, type NatsConnection } from "@nats-io/nats-core";
import { startNatsServer, waitFor, type StartedNatsServer, control, requestStatus, RESUME_BODY, isNew, MmsProcess, resumeWhenStarted, waitForRun, ScriptedExchange, symbolConfig, writeConfigFile } from "@mms/test-support";
import { startHttpServer } from "../../src/http-server";
import { MmsFixture, WorkerOutput } from "../support/mms-fixture";
import { serviceConfig } from "../support/service-harness";
import { OtlpReceiver } from "../support/otlp-receiver";

const SYMBOL = "BTCUSDT-PERP";
const encoder = new TextEncoder();

let nats: StartedNatsServer;
let client: NatsConnection;
let receiver: OtlpReceiver;
const output = new WorkerOutput();

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  nats = await startNatsServer();
  client = await connect({ servers: nats.url });
  output.install();
});

afterAll(async () => {
  output.uninstall();
  try {
    await client?.close();
    await receiver?.stop();
  } finally {
    await nats?.stop();
  }
});

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

/** The value of one Prometheus series, by name and exact labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(" ")[0]!;
    const found = Object.fromEntries([...labelText.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value) && Object.keys(found).length === Object.keys(labels).length) return Number(line.split(" ").pop());
  }
  return undefined;
}

test("spans from the coordinator and the symbol worker form one trace, and the intent on NATS carries it", async () => {
  // The service as deployed: its own process, configured only by the standard variables.
  const exchange = await ScriptedExchange.start(client, [SYMBOL]);
  exchange.publishSnapshot(SYMBOL, [["50000.0", "1"]], [["50010.0", "1"]]);
  const stopHeartbeat = exchange.heartbeat(SYMBOL);
  const config = serviceConfig(nats.url, [symbolConfig(SYMBOL)], { instanceName: "mms-traced" });
  const mms = MmsProcess.start(writeConfigFile(config), { env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: "100", OTEL_SERVICE_NAME: "mms", MMS_LEASES: "off" } });
  try {
    await waitForRun(client, "mms-traced");
    await resumeWhenStarted(client, SYMBOL);
    await control(client, `mms.control.${SYMBOL}.pause`, {});
    // Once the pause's cancels are confirmed, the resume itself sends the NEWs (one step, one trace).
    await waitFor(async () => exchange.openOrders(SYMBOL).length === 0 && (await requestStatus(client)).symbols[0]?.openOrders.length === 0, { timeoutMs: 10_000, description: "nothing resting" });
    // A caller that traces (as an exchange tool might) sends its own traceparent.
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const callerSpan = "00f067aa0ba902b7";
    const headers = natsHeaders();
    headers.set("traceparent", `00-${traceId}-${callerSpan}-01`);
    const before = exchange.intents.filter(isNew).length;
    const reply = await client.request(`mms.control.${SYMBOL}.resume`, encoder.encode(JSON.stringify(RESUME_BODY)), { timeout: 5000, headers });
    expect(JSON.parse(new TextDecoder().decode(reply.data))).toMatchObject({ ok: true });
    await waitFor(() => exchange.intents.filter(isNew).length >= before + 2, { timeoutMs: 10_000, description: "quotes after the traced resume" });

    const control_ = await waitFor(() => receiver.named("mms.control.resume").find((span) => span.traceId === traceId), { timeoutMs: 10_000, description: "the control span" });
    expect(control_.parentSpanId).toBe(callerSpan);
    expect(control_.serviceName).toBe("mms");
    const actorStep = await waitFor(() => receiver.named("mms.symbol.control").find((span) => span.traceId === traceId), { timeoutMs: 10_000, description: "the worker's control span" });
    expect(actorStep.parentSpanId).toBe(control_.spanId);
    expect(actorStep.attributes["mms.symbol"]).toBe(SYMBOL);
    const publishes = await waitFor(() => {
      const found = receiver.named("mms.intent.publish").filter((span) => span.traceId === traceId);
      return found.length >= 2 ? found : undefined;
    }, { timeoutMs: 10_000, description: "publish spans of both NEWs" });
    for (const publish of publishes) expect(publish.parentSpanId).toBe(actorStep.spanId);

    // The intent seen on NATS names its publish span: the exchange can continue the trace.
    const tracedNew = exchange.intents.filter(isNew)[before]!;
    const traceparent = exchange.traceparents.get(tracedNew.intentId);
    expect(traceparent).toBeDefined();
    const [, headerTrace, headerSpan] = traceparent!.split("-");
    expect(headerTrace).toBe(traceId);
    expect(publishes.find((span) => span.spanId === headerSpan)?.attributes["mms.intent.id"]).toBe(tracedNew.intentId);

    client.publish("mms.control.all.kill", encoder.encode(""));
    const kill = await waitFor(() => receiver.named("mms.kill").find((span) => span.attributes["mms.reason"] === "MANUAL_KILL"), { timeoutMs: 10_000, description: "a kill span" });
    expect(kill.attributes["mms.symbol"]).toBe(SYMBOL);
    const command = await waitFor(() => receiver.named("mms.control.kill")[0], { timeoutMs: 10_000, description: "the kill command span" });
    expect(kill.traceId).toBe(command.traceId);
  } finally {
    stopHeartbeat();
    await mms.stop();
    await exchange.stop();
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

test("promtool check metrics finds nothing to complain about in a live scrape of the running service", async () => {
  const exchange = await ScriptedExchange.start(client, [SYMBOL]);
  exchange.publishSnapshot(SYMBOL, [["50000.0", "1"]], [["50010.0", "1"]]);
  const stopHeartbeat = exchange.heartbeat(SYMBOL);
  const port = await freePort();
  const config = serviceConfig(nats.url, [symbolConfig(SYMBOL)], { instanceName: "mms-promtool", http: { port, host: "127.0.0.1" } });
  const mms = MmsProcess.start(writeConfigFile(config), { env: { MMS_LEASES: "off" } });
  try {
    await waitForRun(client, "mms-promtool");
    await resumeWhenStarted(client, SYMBOL);
    // Book changes that move the mid: each one requotes, so both histograms get samples.
    for (let step = 1; step <= 5; step += 1) {
      exchange.publishDelta(SYMBOL, [[`${50000 + step}.0`, "1"]], []);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const text = await waitFor(async () => {
      const scrape = await get(port, "/metrics");
      const latencies = sample(scrape.body, "mms_tick_to_intent_latency_seconds_count", { symbol: SYMBOL }) ?? 0;
      return latencies > 0 && scrape.body.includes('mms_thread_heap_used_bytes{thread="symbol",symbol="BTCUSDT-PERP"}') ? scrape.body : undefined;
    }, { timeoutMs: 15_000, description: "a scrape with latency samples and worker runtime metrics" });
    expect(sample(text, "mms_market_data_lag_seconds_count", { symbol: SYMBOL })).toBeGreaterThan(0);
    expect(sample(text, "process_cpu_seconds_total", {})).toBeGreaterThan(0);
    expect(sample(text, "mms_thread_cpu_seconds_total", { thread: "symbol", symbol: SYMBOL })).toBeGreaterThan(0);
    expect(sample(text, "mms_kill_switch_triggers_total", { symbol: SYMBOL, reason: "BUS_LAG", state: "PAUSED" })).toBe(0);

    const promtool = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(promtool.error).toBeUndefined();
    expect({ status: promtool.status, output: `${promtool.stdout}${promtool.stderr}`.trim() }).toEqual({ status: 0, output: "" });
  } finally {
    stopHeartbeat();
    await mms.stop();
    await exchange.stop();
  }
});

test("a scripted session shows in /metrics with the right names, labels and values", async () => {
  const mms = await MmsFixture.start(client, nats.url, output, { symbols: [{ symbol: SYMBOL }] });
  const http = await startHttpServer(0, "127.0.0.1", { status: () => mms.service.status(), isReady: () => mms.service.isReady(), metrics: (req, res) => mms.service.metrics.handleMetricsRequest(req, res) });
  try {
    const { bid } = await mms.quoting(SYMBOL);
    await mms.exchange.fill(bid.clientOrderId, undefined, "-0.05");
    await waitFor(async () => (await mms.symbolStatus(SYMBOL)).position === "0.01", { timeoutMs: 5000, description: "filled" });
    // An automatic stop (crossed book), a repair, a resume, then a manual kill.
    mms.exchange.publishDelta(SYMBOL, [["50020.0", "1"]], []);
    await mms.waitForState(SYMBOL, "PAUSED", "MD_CROSSED");
    mms.exchange.publishDelta(SYMBOL, [["50020.0", "0"]], []);
    await mms.resume(SYMBOL);
    client.publish(`mms.control.${SYMBOL}.kill`, encoder.encode(""));
    await mms.waitForState(SYMBOL, "HALTED", "MANUAL_KILL");

    const labels = { symbol: SYMBOL };
    const text = await waitFor(async () => {
      const scrape = await get(http.port, "/metrics");
      return sample(scrape.body, "mms_symbol_state", labels) === 2 && sample(scrape.body, "mms_orders_filled_total", labels) === 1 ? scrape.body : undefined;
    }, { timeoutMs: 10_000, description: "metrics caught up" });
    expect(sample(text, "mms_position", labels)).toBe(0.01);
    expect(sample(text, "mms_fees", labels)).toBe(-0.05);
    expect(sample(text, "mms_orders_sent_total", labels)).toBeGreaterThanOrEqual(2);
    expect(sample(text, "mms_kill_switch_triggers_total", { symbol: SYMBOL, reason: "MD_CROSSED", state: "PAUSED" })).toBe(1);
    expect(sample(text, "mms_market_data_faults_total", { symbol: SYMBOL, reason: "MD_CROSSED" })).toBe(1);
    expect(sample(text, "mms_control_commands_total", { symbol: SYMBOL, command: "resume", outcome: "accepted" })).toBeGreaterThanOrEqual(2);
    expect(sample(text, "mms_control_commands_total", { symbol: SYMBOL, command: "kill", outcome: "accepted" })).toBe(1);
    expect(sample(text, "mms_orders_cancelled_total", { symbol: SYMBOL, reason: "CANCEL_ALL" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "mms_nats_connected", {})).toBe(1);
    expect(sample(text, "mms_market_data_messages_total", labels)).toBeGreaterThan(0);
    expect(text).toMatch(/mms_market_data_lag_seconds_bucket\{symbol="BTCUSDT-PERP",le="[^"]+"\} \d+/);
    expect(text).toMatch(/mms_tick_to_intent_latency_seconds_count\{symbol="BTCUSDT-PERP"\} [1-9]/);
    expect(mms.news(SYMBOL).every(isNew)).toBe(true);
  } finally {
    await http.close();
    await mms.stop();
  }
});

test("/readyz goes unready while NATS is down and ready again when it returns", async () => {
  const mms = await MmsFixture.start(client, nats.url, output, { symbols: [{ symbol: SYMBOL }] });
  const http = await startHttpServer(0, "127.0.0.1", { status: () => mms.service.status(), isReady: () => mms.service.isReady() });
  try {
    expect((await get(http.port, "/readyz")).status).toBe(200);
    expect((await get(http.port, "/healthz")).status).toBe(200);
    mms.stopHeartbeat(SYMBOL);
    await nats.takeDown();
    const down = await waitFor(async () => {
      const response = await get(http.port, "/readyz");
      return response.status === 503 ? response : undefined;
    }, { timeoutMs: 10_000, description: "unready" });
    expect(JSON.parse(down.body).reasons).toContain("NATS_DISCONNECTED");
    expect((await get(http.port, "/healthz")).status).toBe(200);
    await nats.bringUp();
    await waitFor(async () => (await get(http.port, "/readyz")).status === 200, { timeoutMs: 20_000, description: "ready again" });
    const status = JSON.parse((await get(http.port, "/v1/status")).body) as { symbols: Array<{ symbol: string; state: string }> };
    expect(status.symbols[0]).toMatchObject({ symbol: SYMBOL, state: "PAUSED" });
  } finally {
    await http.close();
    await mms.stop();
  }
});
