import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { ControlResult, OrderIntent, ServiceConfigInput, StatusReply, SymbolStatus } from "@mms/contracts";
import { startExchangeSimulator, type ExchangeSimulatorHandle } from "@mms/exchange-sim";
import { startNatsServer, waitFor, type StartedNatsServer, RESUME_BODY, MmsProcess, symbolConfig } from "@mms/test-support";
import { childConfig, controlReplies, intentOfRun, OrdersTap, ReportsTap, runIdOf, simOrders, statusReplies } from "../../support/crash-safety";

// One owner per symbol, with two real processes on the same symbols and the same account:
// a primary that holds the leases and a standby that must stay out until they lapse.

const BTC = "BTCUSDT-PERP";
const ETH = "ETHUSDT-PERP";
const SYMBOLS = [BTC, ETH];
const LEASE_MS = 3000;
/** How early the server may drop a key whose ttl ran out (its expiry timer's granularity). */
const SERVER_EXPIRY_GRANULARITY_MS = 20;
const SAMPLE_EVERY_MS = 100;

let nats: StartedNatsServer;
let client: NatsConnection;
let simulator: ExchangeSimulatorHandle;
let orders: OrdersTap;
let reports: ReportsTap;
const simulatorLog: string[] = [];
let primaryConfig: { path: string; config: ServiceConfigInput };
let standbyConfig: { path: string; config: ServiceConfigInput };
let primary: MmsProcess | undefined;
let standby: MmsProcess | undefined;
/** Run ids (the prefix of intent ids) of each instance, from its mms.status replies. */
const runs = { primary: "", standby: "" };
/** Every write to MMS_OWNERS: key, value (instance name) and the server's time. */
const leaseWrites: Array<{ key: string; value: string; created: number; operation: string }> = [];
let stopLeaseWatch: (() => void) | undefined;

beforeAll(async () => {
  nats = await startNatsServer();
  try {
    client = await connect({ servers: nats.url, name: "crash-safety ownership" });
    const record = (level: string) => (message: string, fields?: Record<string, unknown>) => simulatorLog.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    simulator = await startExchangeSimulator({
      natsUrl: nats.url,
      symbols: [
        { symbol: BTC, tickSize: "0.1", lotSize: "0.001" },
        { symbol: ETH, tickSize: "0.1", lotSize: "0.001" },
      ],
      seed: 21,
      driver: { intervalMs: 200, settings: { takerFlow: "NONE", walkMaxTicks: 3 } },
      logger: { info: record("info"), warn: record("warn"), error: record("error") },
    });
    orders = await OrdersTap.open(client);
    const symbols = SYMBOLS.map((symbol) => symbolConfig(symbol, { maxOrdersPerSecond: 20, quoteSize: symbol === ETH ? "0.100" : "0.010" }));
    primaryConfig = childConfig(nats.url, symbols, { leaseMs: LEASE_MS });
    const suffix = primaryConfig.config.account!.slice(-6).toLowerCase();
    primaryConfig = childConfig(nats.url, symbols, { leaseMs: LEASE_MS, account: primaryConfig.config.account!, instanceName: `mms-a-${suffix}` });
    standbyConfig = childConfig(nats.url, symbols, { leaseMs: LEASE_MS, account: primaryConfig.config.account!, instanceName: `mms-b-${suffix}` });
    reports = new ReportsTap(client, primaryConfig.config.account!);
  } catch (error) {
    await nats.stop();
    throw error;
  }
});

afterAll(async () => {
  try {
    stopLeaseWatch?.();
    await standby?.stop();
    await primary?.stop();
    reports?.close();
    await orders?.close();
    await simulator?.stop();
    await client?.close();
  } finally {
    await nats?.stop();
  }
});

const nameOf = (which: "primary" | "standby") => (which === "primary" ? primaryConfig : standbyConfig).config.instanceName!;
const account = () => primaryConfig.config.account!;
const intentsOf = (which: "primary" | "standby", symbol: string, kind?: OrderIntent["kind"]) =>
  orders.of((intent) => intent.account === account() && intent.symbol === symbol && intentOfRun(intent, runs[which]) && (kind === undefined || intent.kind === kind));

function symbolOf(reply: StatusReply | undefined, symbol: string): SymbolStatus | undefined {
  return reply?.symbols.find((entry) => entry.symbol === symbol);
}

/** Both views at once: the status of each instance (undefined when it did not answer). */
async function sampleStatus(expected: number): Promise<{ at: number; primary: StatusReply | undefined; standby: StatusReply | undefined }> {
  const replies = await statusReplies(client, { expected, maxWaitMs: 800 });
  return {
    at: Date.now(),
    primary: replies.find((reply) => reply.instance.startsWith(`${nameOf("primary")}-`)),
    standby: replies.find((reply) => reply.instance.startsWith(`${nameOf("standby")}-`)),
  };
}

async function watchLeases(): Promise<void> {
  const kv = await new Kvm(jetstream(client)).open("MMS_OWNERS");
  const watch = await kv.watch();
  stopLeaseWatch = () => watch.stop();
  void (async () => {
    for await (const entry of watch) leaseWrites.push({ key: entry.key, value: entry.operation === "PUT" ? entry.string() : "", created: entry.created.getTime(), operation: entry.operation });
  })();
}

/** `resume` on every instance that runs the symbol: the replies, by instance name. */
async function resumeEverywhere(symbol: string, expected: number): Promise<ControlResult[]> {
  const replies = await controlReplies(client, `mms.control.${symbol}.resume`, RESUME_BODY, { expected, maxWaitMs: 3000 });
  // A reply does not name its instance; the refusal reason (or acceptance) does the telling.
  return replies.map((reply) => reply.results![0]!);
}

function explain(): string {
  return [`primary:\n${primary?.describe() ?? ""}`, `standby:\n${standby?.describe() ?? ""}`, `simulator:\n${simulatorLog.filter((line) => !line.startsWith("info")).slice(-20).join("\n")}`].join("\n");
}

async function explained<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    console.log(explain());
    throw error;
  }
}

test("two instances on the same symbols: the lease holder quotes; the other stays PAUSED OWNED_ELSEWHERE, refuses resume, and sends nothing", async () => {
  await explained(async () => {
    primary = MmsProcess.start(primaryConfig.path);
    const first = await waitFor(async () => (await sampleStatus(1)).primary, { timeoutMs: 30_000, intervalMs: 200, description: "the primary answering mms.status" });
    runs.primary = runIdOf(first.instance, nameOf("primary"));
    await watchLeases();
    for (const symbol of SYMBOLS) {
      // Accepted only once start-up is through and the lease is held.
      await waitFor(
        async () => {
          const [result] = await resumeEverywhere(symbol, 1);
          if (result && !result.accepted && !["STARTUP", "NO_BOOK", "NO_MARKET_STATUS", "OWNED_ELSEWHERE"].includes(result.reason ?? "")) throw new Error(`resume refused: ${JSON.stringify(result)}`);
          return result?.accepted;
        },
        { timeoutMs: 20_000, intervalMs: 200, description: `primary resumed ${symbol}` },
      );
    }
    for (const symbol of SYMBOLS) await waitFor(async () => (await simOrders(client, account(), symbol)).length === 2, { timeoutMs: 10_000, description: `${symbol}: primary's quotes resting` });
    expect(leaseWrites.filter((write) => write.operation === "PUT").map((write) => write.value)).toEqual(expect.arrayContaining([nameOf("primary")]));

    standby = MmsProcess.start(standbyConfig.path);
    const both = await waitFor(
      async () => {
        const sample = await sampleStatus(2);
        return sample.standby && SYMBOLS.every((symbol) => symbolOf(sample.standby, symbol)?.reason === "OWNED_ELSEWHERE") ? sample : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: "the standby up, every symbol PAUSED OWNED_ELSEWHERE" },
    );
    runs.standby = runIdOf(both.standby!.instance, nameOf("standby"));

    // `resume` reaches both: the owner (already ACTIVE) accepts, the standby refuses OWNED_ELSEWHERE
    // (STARTUP while it still replays EXEC: that check comes first). Never accepted by the standby.
    const unexpectedReplies: unknown[] = [];
    for (const symbol of SYMBOLS) {
      const results = await waitFor(
        async () => {
          const replies = await resumeEverywhere(symbol, 2);
          const refusals = replies.filter((result) => !result.accepted).map((result) => result.reason);
          if (replies.length === 2 && (refusals.length !== 1 || !["STARTUP", "OWNED_ELSEWHERE"].includes(refusals[0] ?? ""))) unexpectedReplies.push(replies);
          return replies.some((result) => result.reason === "OWNED_ELSEWHERE") ? replies : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 200, description: `${symbol}: the standby refusing resume with OWNED_ELSEWHERE` },
      );
      expect(results).toHaveLength(2);
      expect(results).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ accepted: true, to: "ACTIVE" }),
          expect.objectContaining({ accepted: false, reason: "OWNED_ELSEWHERE", to: "PAUSED" }),
        ]),
      );
    }

    expect(unexpectedReplies).toEqual([]);

    // Sample both for two seconds: one ACTIVE owner per symbol, the other PAUSED OWNED_ELSEWHERE.
    const until = Date.now() + 2000;
    let samples = 0;
    while (Date.now() < until) {
      const sample = await sampleStatus(2);
      for (const symbol of SYMBOLS) {
        expect({ symbol, primary: symbolOf(sample.primary, symbol)?.state }).toEqual({ symbol, primary: "ACTIVE" });
        const standbyView = symbolOf(sample.standby, symbol);
        expect({ symbol, standby: standbyView?.state, reason: standbyView?.reason }).toEqual({ symbol, standby: "PAUSED", reason: "OWNED_ELSEWHERE" });
        // It follows the shared account's EXEC, so it lists the owner's resting orders; none is its own.
        expect(standbyView?.openOrders.filter((order) => !order.clientOrderId.startsWith(`MM-${runs.primary}-`))).toEqual([]);
      }
      samples += 1;
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
    }
    expect(samples).toBeGreaterThanOrEqual(5);

    // A market-data gap on ETH: the owner pauses (MD_GAP); the standby still says OWNED_ELSEWHERE,
    // the reason that matters while another instance holds the lease.
    const skipped = await client.request(`sim.control.${ETH}.skip-seq`, new Uint8Array(0), { timeout: 3000 });
    expect(JSON.parse(new TextDecoder().decode(skipped.data))).toMatchObject({ ok: true });
    await waitFor(async () => symbolOf((await sampleStatus(2)).primary, ETH)?.reason === "MD_GAP", { timeoutMs: 10_000, description: "the owner paused ETH (MD_GAP)" });
    expect(symbolOf((await sampleStatus(2)).standby, ETH)).toMatchObject({ state: "PAUSED", reason: "OWNED_ELSEWHERE" });
    // The owner resumes once its book is repaired from a snapshot.
    await waitFor(async () => (await resumeEverywhere(ETH, 2)).some((result) => result.accepted), { timeoutMs: 15_000, intervalMs: 300, description: "the owner resumed ETH" });
    await waitFor(async () => (await simOrders(client, account(), ETH)).length === 2, { timeoutMs: 10_000, description: "ETH: the owner quoting again" });
    // The standby sent nothing at all: no NEW, no cancel, not even a COUNTDOWN.
    for (const symbol of SYMBOLS) expect(intentsOf("standby", symbol)).toEqual([]);
    expect(intentsOf("primary", BTC, "NEW").length).toBeGreaterThan(0);
  });
}, 90_000);

test("SIGKILL of the owner: the standby takes over only after the lease lapses, starts PAUSED, cancels leftovers (CANCEL_ALL STARTUP), can be resumed, and never quotes a symbol at the same time as the other", async () => {
  await explained(async () => {
    // Sample both instances every ~100 ms through the whole takeover.
    const samples: Array<Awaited<ReturnType<typeof sampleStatus>>> = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push(await sampleStatus(primary!.child.exitCode === null && primary!.child.signalCode === null ? 2 : 1));
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
      }
    })();

    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const leftBehind = await simOrders(client, account());
      expect(leftBehind.length).toBe(4);
      const lastPrimaryWrite = () => new Map(SYMBOLS.map((symbol) => [symbol, Math.max(...leaseWrites.filter((write) => write.key === symbol && write.value === nameOf("primary")).map((write) => write.created))]));
      primary!.kill("SIGKILL");
      const killedAt = Date.now();
      await primary!.exited;
      // What rests at the moment of death (before, the live primary may still have replaced some).
      const orphaned = await simOrders(client, account());

      // The standby's first sign of ownership: CANCEL_ALL STARTUP for the symbol's leftovers.
      const takeovers = new Map<string, number>();
      for (const symbol of SYMBOLS) {
        const cancel = await waitFor(() => intentsOf("standby", symbol, "CANCEL_ALL")[0], { timeoutMs: LEASE_MS + 10_000, description: `${symbol}: the standby's CANCEL_ALL` });
        expect(cancel.intent).toMatchObject({ kind: "CANCEL_ALL", reason: "STARTUP", account: account(), symbol });
        takeovers.set(symbol, cancel.storedAt - killedAt);
        // Nothing else from it before that cancel.
        expect(intentsOf("standby", symbol)[0]!.intent.intentId).toBe(cancel.intent.intentId);
      }

      // Only after the lease lapsed: its first write of the key came leaseMs after the primary's last renewal.
      const lastWrites = lastPrimaryWrite();
      for (const symbol of SYMBOLS) {
        const taken = leaseWrites.find((write) => write.key === symbol && write.value === nameOf("standby"));
        expect(taken).toBeDefined();
        // Both stamps are the server's: only its expiry timer's granularity is slack here.
        expect(taken!.created - lastWrites.get(symbol)!).toBeGreaterThanOrEqual(LEASE_MS - SERVER_EXPIRY_GRANULARITY_MS);
      }
      console.log(`takeover after SIGKILL (leaseMs ${LEASE_MS}): ${SYMBOLS.map((symbol) => `${symbol} ${takeovers.get(symbol)} ms to CANCEL_ALL STARTUP, ${leaseWrites.find((write) => write.key === symbol && write.value === nameOf("standby"))!.created - lastWrites.get(symbol)!} ms from the last renewal to the new lease`).join("; ")}`);

      // Leftovers are gone: by the primary's countdown or by the standby's cancel (the exchange reports a
      // CANCEL_ALL with the intent's reason).
      await waitFor(async () => (await simOrders(client, account())).length === 0, { timeoutMs: 10_000, description: "no order of the dead primary left" });
      // Each orphan was cancelled by the primary's countdown or the standby's cancel, unless the
      // exchange's takers filled it completely first.
      for (const order of orphaned) {
        const settling = () => reports.entries.find((entry) => entry.report.clientOrderId === order.clientOrderId && (entry.report.kind === "CANCELED" || (entry.report.kind === "FILL" && entry.report.leavesQty === "0")));
        // The exchange's book empties before its report reaches this test's subscriber: wait for the report itself.
        await waitFor(() => settling() !== undefined, { timeoutMs: 10_000, description: `the report that settled ${order.clientOrderId}` }).catch(() => undefined);
        const settled = settling();
        const how = settled?.report.kind === "CANCELED" ? settled.report.reason : settled?.report.kind;
        expect({ order: order.clientOrderId, how }).toEqual({ order: order.clientOrderId, how: expect.stringMatching(/^(COUNTDOWN|STARTUP|FILL)$/) });
      }
      // Took over PAUSED: nothing quoted until a human resumes.
      const taken = await sampleStatus(1);
      for (const symbol of SYMBOLS) {
        // STARTUP, as after a restart: OWNED_ELSEWHERE would claim someone else still holds the lease.
        expect(symbolOf(taken.standby, symbol)).toMatchObject({ state: "PAUSED", reason: "STARTUP", openOrders: [] });
        expect(intentsOf("standby", symbol, "NEW")).toEqual([]);
      }
      console.log(`standby after the takeover: ${SYMBOLS.map((symbol) => `${symbol} ${symbolOf(taken.standby, symbol)?.state} ${symbolOf(taken.standby, symbol)?.reason}`).join(", ")}`);

      for (const symbol of SYMBOLS) {
        const [result] = await resumeEverywhere(symbol, 1);
        expect(result).toMatchObject({ accepted: true, from: "PAUSED", to: "ACTIVE" });
      }
      for (const symbol of SYMBOLS) await waitFor(async () => (await simOrders(client, account(), symbol)).length === 2, { timeoutMs: 10_000, description: `${symbol}: the standby quoting` });
    } finally {
      sampling = false;
      await sampler;
    }

    // Never two quoting at once: per sample, at most one instance ACTIVE per symbol ...
    expect(samples.length).toBeGreaterThan(10);
    for (const sample of samples) {
      for (const symbol of SYMBOLS) {
        const active = [sample.primary, sample.standby].filter((reply) => symbolOf(reply, symbol)?.state === "ACTIVE");
        expect({ at: sample.at, symbol, active: active.length <= 1 }).toEqual({ at: sample.at, symbol, active: true });
      }
    }
    for (const symbol of SYMBOLS) {
      const primaryNews = intentsOf("primary", symbol, "NEW");
      const standbyNews = intentsOf("standby", symbol, "NEW");
      expect(primaryNews.length).toBeGreaterThan(0);
      expect(standbyNews.length).toBeGreaterThan(0);
      // ... in ~100 ms windows of ORDERS, never NEW intents of both instances for one symbol ...
      const windows = new Map<number, Set<string>>();
      for (const [who, news] of [["primary", primaryNews], ["standby", standbyNews]] as const) {
        for (const entry of news) {
          const window = Math.floor(entry.storedAt / SAMPLE_EVERY_MS);
          windows.set(window, (windows.get(window) ?? new Set()).add(who));
        }
      }
      expect([...windows.entries()].filter(([, who]) => who.size > 1)).toEqual([]);
      // ... and, strictly, every NEW of the dead primary is in ORDERS before the standby's cancel and first NEW.
      const standbyCancel = intentsOf("standby", symbol, "CANCEL_ALL")[0]!;
      expect(Math.max(...primaryNews.map((entry) => entry.streamSeq))).toBeLessThan(standbyCancel.streamSeq);
      expect(standbyCancel.streamSeq).toBeLessThan(Math.min(...standbyNews.map((entry) => entry.streamSeq)));
      // At the exchange: the primary's orders were all gone before the standby's first was accepted.
      const primaryOrders = new Set(primaryNews.map((entry) => (entry.intent.kind === "NEW" ? entry.intent.clientOrderId : "")));
      const standbyOrders = new Set(standbyNews.map((entry) => (entry.intent.kind === "NEW" ? entry.intent.clientOrderId : "")));
      const firstStandbyAccepted = reports.entries.findIndex((entry) => entry.report.kind === "ACCEPTED" && standbyOrders.has(entry.report.clientOrderId));
      const primaryStillOpen = new Set<string>();
      for (const entry of reports.entries.slice(0, firstStandbyAccepted)) {
        if (!primaryOrders.has(entry.report.clientOrderId)) continue;
        if (entry.report.kind === "ACCEPTED") primaryStillOpen.add(entry.report.clientOrderId);
        else if (entry.report.kind === "CANCELED" || (entry.report.kind === "FILL" && entry.report.leavesQty === "0") || entry.report.kind === "REJECTED") primaryStillOpen.delete(entry.report.clientOrderId);
      }
      expect({ symbol, primaryStillOpen: [...primaryStillOpen] }).toEqual({ symbol, primaryStillOpen: [] });
    }
    expect(standby!.errors()).toEqual([]);
  });
}, 90_000);
