import path from "node:path";
import { Worker } from "node:worker_threads";
import { createLogger, type LoggerOptions } from "../src/logger";
import { REDACTED } from "../src/redaction";
import { setTraceContextProvider } from "../src/trace-context";
import { CapturedOutput } from "./capture";

function capturedLogger(overrides: Partial<LoggerOptions> = {}) {
  const output = new CapturedOutput();
  const logger = createLogger({ level: "info", service: "mms", instance: "mms-0", output, environment: {}, ...overrides });
  return { logger, output };
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

afterEach(() => setTraceContextProvider(undefined));

describe("createLogger output", () => {
  it("writes one JSON object per line with ts, level, message, service, instance and the fields", async () => {
    const { logger, output } = capturedLogger();
    logger.info("symbol paused", { symbol: "BTCUSDT-PERP", reason: "MD_STALE", ageMs: 3100 });
    const [line] = await output.lines();
    expect(line).toEqual({ ts: expect.stringMatching(ISO_TIMESTAMP), level: "info", message: "symbol paused", service: "mms", instance: "mms-0", symbol: "BTCUSDT-PERP", reason: "MD_STALE", ageMs: 3100 });
    expect(Object.keys(line ?? {}).slice(0, 3)).toEqual(["ts", "level", "message"]);
  });

  it("a worker thread's logger hands finished records to its writer, and the writer's logger writes them as they are, whatever its own level", async () => {
    const records: Array<Readonly<Record<string, unknown>>> = [];
    const worker = createLogger({ level: "debug", service: "mms", instance: "mms-0", environment: {}, write: (record) => records.push(record) }).child({ symbol: "BTCUSDT-PERP" });
    worker.debug("invalid market data refused", { reason: "MD_INVALID" });
    expect(records).toEqual([expect.objectContaining({ level: "debug", message: "invalid market data refused", instance: "mms-0", symbol: "BTCUSDT-PERP", reason: "MD_INVALID" })]);
    const asSent = JSON.parse(JSON.stringify(records[0])) as unknown;
    const { logger: coordinator, output } = capturedLogger({ level: "error" });
    coordinator.write(records[0]!);
    const [line] = await output.lines();
    expect(line).toEqual(asSent);
  });

  it("leaves instance out when none is given", async () => {
    const { logger, output } = capturedLogger({ instance: undefined });
    logger.warn("no instance");
    const [line] = await output.lines();
    expect(line).not.toHaveProperty("instance");
    expect(line).toMatchObject({ level: "warn", service: "mms" });
  });

  it("binds fields in child loggers without changing the parent", async () => {
    const { logger, output } = capturedLogger();
    const child = logger.child({ symbol: "ETHUSDT-PERP" }).child({ worker: 2 });
    child.info("from child", { seq: 7 });
    logger.info("from parent");
    const [fromChild, fromParent] = await output.lines();
    expect(fromChild).toMatchObject({ message: "from child", symbol: "ETHUSDT-PERP", worker: 2, seq: 7 });
    expect(fromParent).not.toHaveProperty("symbol");
  });

  it("keeps a field named like a line key under field_<key> instead of overwriting it", async () => {
    const { logger, output } = capturedLogger();
    logger.info("real message", { message: "spoofed", level: "error", ts: 0 });
    const [line] = await output.lines();
    expect(line).toMatchObject({ message: "real message", level: "info", field_message: "spoofed", field_level: "error", field_ts: 0 });
    expect(line?.ts).toMatch(ISO_TIMESTAMP);
  });

  it("prints errors with name, message and stack instead of {}", async () => {
    const { logger, output } = capturedLogger();
    logger.error("submission failed", { error: new TypeError("no ack") });
    const [line] = await output.lines();
    expect(line?.error).toMatchObject({ name: "TypeError", message: "no ack", stack: expect.stringContaining("TypeError: no ack") });
  });

  it("survives cyclic fields and bigints", async () => {
    const { logger, output } = capturedLogger();
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    logger.info("odd fields", { cyclic, big: 10n ** 30n });
    const [line] = await output.lines();
    expect(line).toMatchObject({ cyclic: { name: "loop", self: "[Circular]" }, big: "1000000000000000000000000000000" });
  });
});

describe("redaction", () => {
  it.each([
    ["password", { password: "hunter2" }],
    ["token", { token: "abc" }],
    ["nkey", { nkey: "UA..." }],
    ["seed", { seed: "SUA..." }],
    ["creds", { creds: "-----BEGIN NATS USER JWT-----" }],
    ["authorization", { authorization: "Bearer x" }],
    ["clientSecret", { clientSecret: "s" }],
    ["API_KEY and Nkey_Seed (any case, underscores)", { API_KEY: "k", Nkey_Seed: "s" }],
  ])("replaces the value under %s by [REDACTED]", async (_name, fields) => {
    const { logger, output } = capturedLogger();
    logger.info("secrets", fields);
    const [line] = await output.lines();
    for (const key of Object.keys(fields)) expect(line?.[key]).toBe(REDACTED);
  });

  it("redacts at any depth, inside arrays and in child bindings", async () => {
    const { logger, output } = capturedLogger();
    const child = logger.child({ nats: { servers: ["nats://a:4222"], token: "t0ps3cret" } });
    child.info("config loaded", { config: { nats: { user: "mms", password: "p" }, list: [{ seed: "s" }, { fine: 1 }] } });
    const [line] = await output.lines();
    const text = JSON.stringify(line);
    expect(text).not.toMatch(/t0ps3cret|"p"|"s"/);
    expect(line).toMatchObject({
      nats: { servers: ["nats://a:4222"], token: REDACTED },
      config: { nats: { user: "mms", password: REDACTED }, list: [{ seed: REDACTED }, { fine: 1 }] },
    });
  });

  it("removes credentials written into URLs, in fields and in the message", async () => {
    const { logger, output } = capturedLogger();
    logger.warn("cannot reach nats://mms:hunter2@nats-0:4222", { server: "tls://mms:hunter2@nats-1:4222" });
    const [line] = await output.lines();
    expect(JSON.stringify(line)).not.toContain("hunter2");
    expect(line).toMatchObject({ message: `cannot reach nats://${REDACTED}@nats-0:4222`, server: `tls://${REDACTED}@nats-1:4222` });
  });

  it("never changes the caller's objects", async () => {
    const { logger, output } = capturedLogger();
    const fields = { nested: { password: "p" } };
    logger.info("x", fields);
    await output.lines();
    expect(fields.nested.password).toBe("p");
  });
});

describe("level filtering", () => {
  it("drops lines below the configured level", async () => {
    const { logger, output } = capturedLogger({ level: "warn" });
    logger.debug("debug");
    logger.info("info");
    logger.warn("warn");
    logger.error("error");
    expect((await output.lines()).map((line) => line.level)).toEqual(["warn", "error"]);
    expect(logger.isLevelEnabled("info")).toBe(false);
    expect(logger.isLevelEnabled("error")).toBe(true);
  });

  it("lets MMS_LOG_LEVEL override the level from the options", async () => {
    const { logger, output } = capturedLogger({ level: "error", environment: { MMS_LOG_LEVEL: "DEBUG" } });
    logger.debug("now visible");
    expect(logger.level).toBe("debug");
    expect(await output.lines()).toMatchObject([{ level: "debug", message: "now visible" }]);
  });

  it("ignores an invalid MMS_LOG_LEVEL and says so once", async () => {
    const { logger, output } = capturedLogger({ level: "info", environment: { MMS_LOG_LEVEL: "verbose" } });
    logger.debug("hidden");
    expect(logger.level).toBe("info");
    expect(await output.lines()).toMatchObject([{ level: "warn", message: "MMS_LOG_LEVEL is not a log level; using info", value: "verbose" }]);
  });

  it("child loggers keep the parent's level", async () => {
    const { logger, output } = capturedLogger({ level: "warn" });
    logger.child({ symbol: "X" }).info("dropped");
    expect(await output.lines()).toEqual([]);
  });
});

describe("trace context", () => {
  it("adds trace_id and span_id when the provider reports an active span", async () => {
    const { logger, output } = capturedLogger();
    let active: { trace_id: string; span_id: string } | undefined = { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7" };
    setTraceContextProvider(() => active);
    logger.info("in span");
    active = undefined;
    logger.info("outside span");
    const [inSpan, outside] = await output.lines();
    expect(inSpan).toMatchObject({ trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7" });
    expect(outside).not.toHaveProperty("trace_id");
    expect(outside).not.toHaveProperty("span_id");
  });

  it("prefers a logger's own provider and survives a provider that throws", async () => {
    const { logger, output } = capturedLogger({ traceContext: () => ({ trace_id: "a".repeat(32), span_id: "b".repeat(16) }) });
    setTraceContextProvider(() => {
      throw new Error("broken hook");
    });
    logger.info("own provider");
    const { logger: other, output: otherOutput } = capturedLogger();
    other.info("broken provider");
    expect(await output.lines()).toMatchObject([{ trace_id: "a".repeat(32) }]);
    expect(await otherOutput.lines()).toMatchObject([{ message: "broken provider" }]);
  });
});

describe("inside a worker thread", () => {
  it("writes JSON lines to the worker's standard output", async () => {
    // The worker runs the compiled library with plain node, as the service's workers do.
    const compiled = JSON.stringify(path.join(__dirname, "../dist/index.js"));
    const script = `
      const { createLogger, setTraceContextProvider } = require(${compiled});
      setTraceContextProvider(() => ({ trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7" }));
      const logger = createLogger({ level: "info", service: "mms-worker", instance: "test", environment: {} }).child({ symbol: "BTCUSDT-PERP" });
      logger.info("worker ready", { nkey: "SUAIBDPBAUTW" });`;
    const worker = new Worker(script, { eval: true, stdout: true });
    let text = "";
    worker.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      worker.once("error", reject);
      worker.once("exit", () => resolve());
    });
    const line = JSON.parse(text.trim().split("\n")[0] ?? "") as Record<string, unknown>;
    expect(line).toMatchObject({ level: "info", message: "worker ready", service: "mms-worker", symbol: "BTCUSDT-PERP", nkey: REDACTED, trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" });
  }, 20_000);
});
