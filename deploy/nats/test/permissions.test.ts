import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { Msg, NatsConnection } from "@nats-io/transport-node";
import { readFile } from "node:fs/promises";
import { waitFor, control, isCancelAll, isNew, requestStatus, RESUME_BODY, MmsProcess, resumeWhenStarted, ScriptedExchange, symbolConfig, writeConfigFile } from "@mms/test-support";
import { startPermissionedNats } from "./nats-server-process";
import type { PermissionedNats, WatchedConnection } from "./nats-server-process";

// Runs deploy/nats/nats-server.conf in a real nats-server (needs /usr/sbin/nats-server or
// $NATS_SERVER_BIN; CI installs Debian's nats-server) and shows what each user may and may not
// do. A permission violation does not fail the call: the server answers asynchronously with
// -ERR, which nats.js v3 reports as a {type: "error", error: PermissionViolationError} status.

const SYMBOL = "BTCUSDT-PERP";
const ACCOUNT = "SYSTEM_MARKET_MAKER";
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const json = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
const parse = (msg: { data: Uint8Array }): unknown => JSON.parse(decoder.decode(msg.data));

/** Lets anything already published reach its subscribers (each connection round-trips). */
async function settle(...connections: NatsConnection[]): Promise<void> {
  for (const nc of connections) await nc.flush();
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const nc of connections) await nc.flush();
}

/** A stand-in for one MMS instance: answers control and status requests like the contract says. */
function fakeMmsResponder(mms: NatsConnection, instance: string): Msg[] {
  const received: Msg[] = [];
  mms.subscribe("mms.control.>", {
    callback: (_err, msg) => {
      received.push(msg);
      const [, , target, command] = msg.subject.split(".");
      const symbols = target === "all" ? [SYMBOL] : [target ?? "?"];
      msg.respond(json({ ok: true, results: symbols.map((symbol) => ({ symbol, from: "ACTIVE", to: command === "kill" ? "HALTED" : "PAUSED", accepted: true })) }));
    },
  });
  mms.subscribe("mms.status", {
    callback: (_err, msg) => {
      received.push(msg);
      msg.respond(json({ instance, symbols: [] }));
    },
  });
  return received;
}

jest.setTimeout(30_000);

describe("NATS permissions in deploy/nats/nats-server.conf", () => {
  let server: PermissionedNats;
  let mms: WatchedConnection;
  let oncall: WatchedConnection;
  let viewer: WatchedConnection;
  let exchange: WatchedConnection;
  let mmsReceived: Msg[];

  beforeAll(async () => {
    server = await startPermissionedNats();
    [mms, oncall, viewer, exchange] = await Promise.all([
      server.connectAs("mms"),
      server.connectAs("oncall"),
      server.connectAs("viewer"),
      server.connectAs("exchange"),
    ]);
    mmsReceived = fakeMmsResponder(mms.nc, "mms-a-0");
    await mms.nc.flush();
   }, 30_000);

  afterAll(async () => {
    await server?.stop();
  }, 30_000);

  beforeEach(() => {
    mmsReceived.length = 0;
  });

  describe("oncall", () => {
    it("kills every symbol by request and gets the MMS's reply (the mms user subscribes to control and may answer)", async () => {
      const reply = await oncall.nc.request("mms.control.all.kill", "", { timeout: 2000 });
      expect(parse(reply)).toMatchObject({ ok: true, results: [{ symbol: SYMBOL, to: "HALTED", accepted: true }] });
      expect(mmsReceived.map((m) => m.subject)).toEqual(["mms.control.all.kill"]);
    });

    it("kills every symbol with a plain publish, as `nats pub mms.control.all.kill ''` does", async () => {
      oncall.nc.publish("mms.control.all.kill", "");
      await settle(oncall.nc, mms.nc);
      expect(mmsReceived.map((m) => m.subject)).toEqual(["mms.control.all.kill"]);
    });

    it("resumes one symbol with {operator, reason} and gets the reply", async () => {
      const reply = await oncall.nc.request(`mms.control.${SYMBOL}.resume`, json({ operator: "alice", reason: "feed back" }), { timeout: 2000 });
      expect(parse(reply)).toMatchObject({ ok: true, results: [{ symbol: SYMBOL, accepted: true }] });
      expect(decoder.decode(mmsReceived[0]?.data)).toBe('{"operator":"alice","reason":"feed back"}');
    });

    it("collects mms.status from every instance, as `nats req mms.status '' --replies 0` does", async () => {
      const second = await server.connectAs("mms");
      fakeMmsResponder(second.nc, "mms-b-0");
      await second.nc.flush();
      const replies: unknown[] = [];
      for await (const msg of await oncall.nc.requestMany("mms.status", "", { strategy: "timer", maxWait: 1000 })) replies.push(parse(msg));
      expect(replies).toEqual(expect.arrayContaining([{ instance: "mms-a-0", symbols: [] }, { instance: "mms-b-0", symbols: [] }]));
      expect(replies).toHaveLength(2);
      await second.nc.close();
    });

    it("follows alerts on mms.events.*.alert", async () => {
      const alerts: unknown[] = [];
      oncall.nc.subscribe("mms.events.*.alert", {
        callback: (_err, msg) => {
          alerts.push(parse(msg));
        },
      });
      await oncall.nc.flush();
      const alert = { type: "alert", symbol: SYMBOL, instance: "mms-a-0", seq: 1, ts: 0, mode: "live", reason: "MD_STALE", from: "ACTIVE", to: "PAUSED", message: "no market data" };
      mms.nc.publish(`mms.events.${SYMBOL}.alert`, json(alert));
      await settle(mms.nc, oncall.nc);
      expect(alerts).toEqual([alert]);
    });

    it("cannot publish orders: the server refuses and the exchange never sees it", async () => {
      const orders: Msg[] = [];
      exchange.nc.subscribe("orders.>", {
        callback: (_err, msg) => {
          orders.push(msg);
        },
      });
      await exchange.nc.flush();
      oncall.nc.publish(`orders.${SYMBOL}`, json({ kind: "CANCEL_ALL", account: ACCOUNT, symbol: SYMBOL }));
      await oncall.violation("publish", `orders.${SYMBOL}`);
      await settle(oncall.nc, exchange.nc);
      expect(orders).toHaveLength(0);
    });

    it("cannot subscribe to orders or market data", async () => {
      oncall.nc.subscribe("orders.>");
      oncall.nc.subscribe("md.>");
      await oncall.violation("subscription", "orders.>");
      await oncall.violation("subscription", "md.>");
    });
  });

  describe("viewer", () => {
    it("gets a permissions violation publishing mms.control.all.kill, and no MMS receives it", async () => {
      viewer.nc.publish("mms.control.all.kill", "");
      const violation = await viewer.violation("publish", "mms.control.all.kill");
      expect(violation.message).toMatch(/permissions violation/i);
      await settle(viewer.nc, mms.nc);
      expect(mmsReceived).toHaveLength(0);
    });

    it("cannot pause or resume a symbol either", async () => {
      viewer.nc.publish(`mms.control.${SYMBOL}.pause`, "");
      viewer.nc.publish(`mms.control.${SYMBOL}.resume`, json({ operator: "eve", reason: "x" }));
      await viewer.violation("publish", `mms.control.${SYMBOL}.pause`);
      await viewer.violation("publish", `mms.control.${SYMBOL}.resume`);
      await settle(viewer.nc, mms.nc);
      expect(mmsReceived).toHaveLength(0);
    });

    it("can read mms.status", async () => {
      const reply = await viewer.nc.request("mms.status", "", { timeout: 2000 });
      expect(parse(reply)).toEqual({ instance: "mms-a-0", symbols: [] });
    });
  });

  describe("mms", () => {
    it("cannot publish execution reports or market data (only the exchange may)", async () => {
      const seen: Msg[] = [];
      viewer.nc.subscribe("md.>", {
        callback: (_err, msg) => {
          seen.push(msg);
        },
      });
      await viewer.nc.flush();
      const forbidden = [`exec.${ACCOUNT}.${SYMBOL}`, `md.${SYMBOL}.delta`, `md.${SYMBOL}.snapshot`, `md.${SYMBOL}.trade`, `md.${SYMBOL}.status`];
      for (const subject of forbidden) mms.nc.publish(subject, json({ symbol: SYMBOL }));
      for (const subject of forbidden) await mms.violation("publish", subject);
      await settle(mms.nc, viewer.nc);
      expect(seen).toHaveLength(0);
    });

    it("can request a fresh book on md.<SYMBOL>.snapshot.get, answered by the exchange", async () => {
      const book = { symbol: SYMBOL, seq: 7, ts: 1, bids: [["50000.0", "1"]], asks: [["50000.5", "1"]] };
      exchange.nc.subscribe("md.*.snapshot.get", {
        callback: (_err, msg) => {
          msg.respond(json(book));
        },
      });
      await exchange.nc.flush();
      const reply = await mms.nc.request(`md.${SYMBOL}.snapshot.get`, "", { timeout: 2000 });
      expect(parse(reply)).toEqual(book);
    });

    it("can do the JetStream work of the service: intents into ORDERS, leases in MMS_OWNERS, events into MMS_EVENTS, replay of EXEC", async () => {
      // The exchange owns ORDERS and EXEC.
      const exchangeJsm = await jetstreamManager(exchange.nc);
      await exchangeJsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
      await exchangeJsm.streams.add({ name: "EXEC", subjects: ["exec.>"] });
      const report = { kind: "ACCEPTED", execId: "e1", account: ACCOUNT, symbol: SYMBOL, ts: 1, clientOrderId: "c1", orderId: "o1", side: "BUY", px: "1", qty: "1" };
      await jetstream(exchange.nc).publish(`exec.${ACCOUNT}.${SYMBOL}`, json(report));

      const js = jetstream(mms.nc);
      const ack = await js.publish(`orders.${SYMBOL}`, json({ kind: "CANCEL_ALL", intentId: "i1" }), { msgID: "i1" });
      expect(ack).toMatchObject({ stream: "ORDERS", duplicate: false });
      expect(await js.publish(`orders.${SYMBOL}`, json({ kind: "CANCEL_ALL", intentId: "i1" }), { msgID: "i1" })).toMatchObject({ duplicate: true });

      const kv = await new Kvm(mms.nc).create("MMS_OWNERS", { history: 1 });
      await kv.put(SYMBOL, "mms-a-0");
      expect((await kv.get(SYMBOL))?.string()).toBe("mms-a-0");

      const mmsJsm = await jetstreamManager(mms.nc);
      await mmsJsm.streams.add({ name: "MMS_EVENTS", subjects: ["mms.events.>"] });
      expect(await js.publish(`mms.events.${SYMBOL}.state`, json({ type: "state" }))).toMatchObject({ stream: "MMS_EVENTS" });

      const consumer = await js.consumers.get("EXEC"); // ordered consumer (filter_subjects needs nats-server 2.10)
      const replayed = await consumer.next({ expires: 2000 });
      expect(replayed).not.toBeNull();
      expect(parse(replayed!)).toEqual(report);
    });

    it("cannot delete or purge the exchange's streams", async () => {
      const jsm = await jetstreamManager(mms.nc, { timeout: 1000 });
      await expect(jsm.streams.delete("ORDERS")).rejects.toThrow();
      await expect(jsm.streams.purge("EXEC")).rejects.toThrow();
      await mms.violation("publish", "$JS.API.STREAM.DELETE.ORDERS");
      await mms.violation("publish", "$JS.API.STREAM.PURGE.EXEC");
      await expect((await jetstreamManager(exchange.nc)).streams.info("ORDERS")).resolves.toMatchObject({ config: { name: "ORDERS" } });
    });

    it("cannot send control commands to other instances or subscribe to raw orders and reports", async () => {
      mms.nc.publish("mms.control.all.kill", "");
      mms.nc.subscribe("orders.>");
      mms.nc.subscribe("exec.>");
      await mms.violation("publish", "mms.control.all.kill");
      await mms.violation("subscription", "orders.>");
      await mms.violation("subscription", "exec.>");
    });
  });

  describe("oncall reading the audit trail", () => {
    it("reads MMS_EVENTS and the MMS_OWNERS leases, and can change neither", async () => {
      // The service's own user created both in the test above; make sure they are there.
      const mmsJsm = await jetstreamManager(mms.nc);
      await mmsJsm.streams.info("MMS_EVENTS").catch(() => mmsJsm.streams.add({ name: "MMS_EVENTS", subjects: ["mms.events.>"] }));
      const leases = await new Kvm(mms.nc).create("MMS_OWNERS", { history: 1 });
      await leases.put(SYMBOL, "mms-a-0");
      const event = { type: "intent", symbol: SYMBOL, instance: "mms-a-0", seq: 1, ts: 0, mode: "live", shadow: false, intent: { kind: "CANCEL_ALL", intentId: "MM-x-I1" } };
      await jetstream(mms.nc).publish(`mms.events.${SYMBOL}.intent`, json(event));

      const oncallJsm = await jetstreamManager(oncall.nc, { timeout: 1000 });
      const stored = await oncallJsm.streams.getMessage("MMS_EVENTS", { last_by_subj: `mms.events.${SYMBOL}.intent` });
      expect(stored && parse(stored)).toEqual(event);
      // The whole trail, as `nats stream view MMS_EVENTS` reads it (an ordered consumer).
      const consumer = await jetstream(oncall.nc).consumers.get("MMS_EVENTS");
      expect(await consumer.next({ expires: 2000 })).not.toBeNull();
      const owners = await new Kvm(oncall.nc).open("MMS_OWNERS");
      expect((await owners.get(SYMBOL))?.string()).toBe("mms-a-0");

      await expect(oncallJsm.streams.purge("MMS_EVENTS")).rejects.toThrow();
      await oncall.violation("publish", "$JS.API.STREAM.PURGE.MMS_EVENTS");
      await expect(owners.put(SYMBOL, "someone-else")).rejects.toThrow();
      expect((await leases.get(SYMBOL))?.string()).toBe("mms-a-0");
    });
  });

  describe("exchange", () => {
    it("cannot publish orders or MMS control commands", async () => {
      exchange.nc.publish(`orders.${SYMBOL}`, "");
      exchange.nc.publish("mms.control.all.kill", "");
      await exchange.violation("publish", `orders.${SYMBOL}`);
      await exchange.violation("publish", "mms.control.all.kill");
    });
  });

  // The real service (apps/mms, as on-call runs it: `node apps/mms/dist/main.js
  // --config FILE`) as the `mms` user, credentials from NATS_USER/NATS_PASSWORD only, against
  // a server of its own (the fake responders above would answer its control and status
  // subjects too), with the scripted exchange connected as `exchange`, on-call as `oncall`.
  describe("the real MMS service under these permissions", () => {
    const account = `MM_PERM_${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
    const instanceName = `mms-perm-${account.slice(-6).toLowerCase()}`;
    let real: PermissionedNats;
    let onCall: WatchedConnection;
    let viewerOfReal: WatchedConnection;
    let gateway: ScriptedExchange;
    let stopHeartbeat: (() => void) | undefined;
    let service: MmsProcess;
    let configText: string;

    /** What the service logged as a NATS permission error (nats.js status -> "NATS client error" warn). */
    const permissionErrors = () => service.lines.filter((line) => /permissions? violation/i.test(JSON.stringify(line)));
    /** What the server logged as a violation by the mms user (it logs every one: `Publish Violation - User "mms"`). */
    const serverViolationsOfMms = () => real.log().split("\n").filter((line) => /violation/i.test(line) && line.includes('User "mms"'));
    const statusOf = async (nc: NatsConnection) => (await requestStatus(nc, 2000)).symbols.find((s) => s.symbol === SYMBOL);

    beforeAll(async () => {
      real = await startPermissionedNats();
      const exchangeConnection = await real.connectAs("exchange");
      [onCall, viewerOfReal] = await Promise.all([real.connectAs("oncall"), real.connectAs("viewer")]);
      gateway = await ScriptedExchange.start(exchangeConnection.nc, [SYMBOL]);
      // History to replay: a bid of an earlier run, filled in full (position +0.002).
      await gateway.report({ kind: "ACCEPTED", account, symbol: SYMBOL, clientOrderId: "MM-old-1", orderId: "X-old-1", side: "BUY", px: "49990.0", qty: "0.002", ts: Date.now() - 60_000 });
      await gateway.report({ kind: "FILL", account, symbol: SYMBOL, clientOrderId: "MM-old-1", orderId: "X-old-1", side: "BUY", fillId: "F-old-1", px: "49990.0", qty: "0.002", leavesQty: "0", fee: "0", liquidity: "MAKER", ts: Date.now() - 60_000 });
      gateway.publishSnapshot(SYMBOL, [["50000.0", "1"]], [["50010.0", "1"]]);
      stopHeartbeat = gateway.heartbeat(SYMBOL);

      const config = {
        account,
        instanceName,
        leaseMs: 10_000,
        nats: { servers: [real.url] }, // no credentials in the file: they come from the environment
        http: { port: 0, host: "127.0.0.1" },
        logging: { level: "info" },
        shutdownTimeoutMs: 3000,
        risk: { maxTotalExposure: "250000", maxDrawdown: "5000", rejectStorm: { count: 5, windowMs: 10000 }, maxLagMs: 2000 },
        symbols: [symbolConfig(SYMBOL)],
      };
      const path = writeConfigFile(config);
      configText = await readFile(path, "utf8");
      service = MmsProcess.start(path, {
        env: {
        NATS_USER: "mms",
        NATS_PASSWORD: real.passwords.mms,
        NATS_URL: "",
        NATS_TOKEN: "",
        NATS_CREDS_FILE: "",
        NATS_NKEY_SEED_FILE: "",
        MMS_INSTANCE_NAME: "",
        MMS_LEASES: "on",
        MMS_LOG_LEVEL: "",
        },
      });
    }, 30_000);

    afterAll(async () => {
      stopHeartbeat?.();
      await service?.stop();
      await gateway?.stop().catch(() => undefined);
      await real?.stop();
    }, 30_000);

    it("starts, replays EXEC, takes its leases and reaches /readyz as the mms user without any permissions violation", async () => {
      expect(configText).not.toMatch(/password|"user"|token/i);
      const listening = await waitFor(() => service.lines.find((line) => line.message === "http listening"), { timeoutMs: 20_000, description: `"http listening" in the log\n${service.describe()}` });
      const port = listening.port as number;
      expect(port).toBeGreaterThan(0);
      const ready = await waitFor(
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
          return response?.status === 200 ? ((await response.json()) as unknown) : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 200, description: "/readyz 200" },
      );
      expect(ready).toMatchObject({ ready: true });

      // Replayed: the fill of the earlier run is the position; the lease is ours.
      const status = await waitFor(async () => {
        const symbol = await statusOf(onCall.nc).catch(() => undefined);
        return symbol?.position === "0.002" ? symbol : undefined;
      }, { timeoutMs: 10_000, description: "position 0.002 rebuilt from EXEC" });
      expect(status).toMatchObject({ state: "PAUSED", mode: "live", avgEntryPx: "49990" });
      const owners = await new Kvm(gateway.connection).open("MMS_OWNERS");
      const lease = await waitFor(async () => (await owners.get(SYMBOL))?.string(), { timeoutMs: 10_000, description: "lease in MMS_OWNERS" });
      expect(lease).toBe(instanceName);

      await settle(onCall.nc);
      expect(permissionErrors()).toEqual([]);
      expect(serverViolationsOfMms()).toEqual([]);
      expect(service.errors()).toEqual([]);
    });

    it("answers `oncall` control requests and refuses them from nobody else (viewer publishes are dropped by the server)", async () => {
      const resumed = await resumeWhenStarted(onCall.nc, SYMBOL);
      expect(resumed).toMatchObject({ ok: true, results: [{ symbol: SYMBOL, from: "PAUSED", to: "ACTIVE", accepted: true }] });

      // `nats req mms.status ''` as oncall; the viewer may read it too.
      expect(await statusOf(onCall.nc)).toMatchObject({ state: "ACTIVE", reason: null });
      expect(await statusOf(viewerOfReal.nc)).toMatchObject({ state: "ACTIVE" });

      // A viewer's kill never reaches the service: the server drops it and tells the viewer.
      viewerOfReal.nc.publish("mms.control.all.kill", "");
      viewerOfReal.nc.publish(`mms.control.${SYMBOL}.kill`, "");
      await viewerOfReal.violation("publish", "mms.control.all.kill");
      await viewerOfReal.violation("publish", `mms.control.${SYMBOL}.kill`);
      await settle(viewerOfReal.nc, onCall.nc);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await statusOf(onCall.nc)).toMatchObject({ state: "ACTIVE", reason: null });

      // On-call: kill, a refused resume, reset, resume: the contract's replies.
      expect(await control(onCall.nc, `mms.control.${SYMBOL}.kill`, { operator: "alice", reason: "permissions test" })).toMatchObject({
        ok: true,
        results: [{ symbol: SYMBOL, from: "ACTIVE", to: "HALTED", accepted: true }],
      });
      expect(await statusOf(onCall.nc)).toMatchObject({ state: "HALTED", reason: "MANUAL_KILL" });
      expect(await control(onCall.nc, `mms.control.${SYMBOL}.resume`, RESUME_BODY)).toMatchObject({ results: [{ symbol: SYMBOL, accepted: false, reason: "HALTED_NEEDS_RESET" }] });
      expect(await control(onCall.nc, `mms.control.${SYMBOL}.reset`, "")).toMatchObject({ results: [{ symbol: SYMBOL, accepted: false, reason: "OPERATOR_REQUIRED" }] });
      expect(await control(onCall.nc, `mms.control.${SYMBOL}.reset`, RESUME_BODY)).toMatchObject({
        ok: true,
        results: [{ symbol: SYMBOL, from: "HALTED", to: "PAUSED", accepted: true }],
      });
      expect(await control(onCall.nc, `mms.control.${SYMBOL}.resume`, RESUME_BODY)).toMatchObject({
        ok: true,
        results: [{ symbol: SYMBOL, from: "PAUSED", to: "ACTIVE", accepted: true }],
      });
      expect(await control(onCall.nc, `mms.control.${SYMBOL}.explode`, "")).toMatchObject({ ok: false });

      expect(permissionErrors()).toEqual([]);
      expect(serverViolationsOfMms()).toEqual([]);
    });

    it("shows itself to `nats micro info mms` ($SRV.INFO.mms) for oncall and viewer, with counts of the commands above", async () => {
      for (const watched of [onCall, viewerOfReal]) {
        const info = JSON.parse((await watched.nc.request("$SRV.INFO.mms", "", { timeout: 2000 })).string()) as { name: string; metadata: { instance: string } };
        expect(info).toMatchObject({ name: "mms", metadata: { instance: expect.stringContaining(instanceName) } });
      }
      const stats = JSON.parse((await onCall.nc.request("$SRV.STATS.mms", "", { timeout: 2000 })).string()) as { endpoints: Array<{ name: string; num_requests: number }> };
      expect(stats.endpoints.find((endpoint) => endpoint.name === "control")?.num_requests).toBeGreaterThanOrEqual(6);
      expect(permissionErrors()).toEqual([]);
      expect(serverViolationsOfMms()).toEqual([]);
    });

    it("quotes with JetStream publishes into ORDERS and cancels everything on SIGTERM", async () => {
      const ours = () => gateway.intents.filter((intent) => intent.account === account);
      expect(await statusOf(onCall.nc)).toMatchObject({ state: "ACTIVE" });
      await waitFor(() => gateway.openOrders(SYMBOL).length === 2, { timeoutMs: 10_000, description: "both quotes resting" });
      const quotes = ours().filter(isNew);
      expect(quotes.length).toBeGreaterThanOrEqual(2);
      expect(quotes.every((intent) => intent.tag === "MM" && intent.tif === "POST_ONLY" && intent.symbol === SYMBOL)).toBe(true);
      expect(new Set(quotes.map((intent) => intent.side))).toEqual(new Set(["BUY", "SELL"]));

      service.kill("SIGTERM");
      const exit = await service.exited;
      expect({ exit, output: exit.code === 0 ? "" : service.describe() }).toEqual({ exit: { code: 0, signal: null }, output: "" });
      // Acknowledged by ORDERS before the process was gone.
      expect(ours().filter(isCancelAll).find((intent) => intent.reason === "SHUTDOWN")).toMatchObject({ kind: "CANCEL_ALL", symbol: SYMBOL });
      await waitFor(() => gateway.openOrders(SYMBOL).length === 0, { timeoutMs: 10_000, description: "nothing rests" });
      // The lease was released (a KV delete by the mms user), not left to lapse.
      const lease = await (await new Kvm(gateway.connection).open("MMS_OWNERS")).get(SYMBOL);
      expect(lease === null || lease.operation !== "PUT").toBe(true);

      // Over the whole run, shutdown (lease release, last events) included.
      expect(permissionErrors()).toEqual([]);
      expect(serverViolationsOfMms()).toEqual([]);
      // The one error line is the kill the previous test asked for.
      expect(service.errors().filter((line) => line.reason !== "MANUAL_KILL")).toEqual([]);
    });
  });
});
