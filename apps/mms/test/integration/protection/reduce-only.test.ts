import { request } from "node:http";
import { control, getFreePort, isNew, MmsProcess, resumeWhenStarted, RESUME_BODY, ScriptedExchange, symbolConfig, waitFor, waitForRun, writeConfigFile } from "@mms/test-support";
import { validators } from "@mms/contracts";
import { sleep, useMmsSuite } from "../../support/mms-fixture";
import { serviceConfig } from "../../support/service-harness";

// Reduce-only over NATS: the way back from POSITION_LIMIT after a reset, the instance in
// every control reply, and the liquidity metrics of the real process.

const BTC = "BTCUSDT-PERP";
const REDUCE_BODY = { operator: "alice", reason: "work off POSITION_LIMIT" } as const;

const suite = useMmsSuite();

test("reduce-only brings a POSITION_LIMIT position back to zero, quoting only the reducing side, then pauses with REDUCED", async () => {
  // Four fills of 0.010 within a second are a fill burst (maxFillQty 3 x quoteSize): that stop is tested on its own.
  const mms = await suite.start({ symbols: [{ symbol: BTC, config: { maxPosition: "0.015", quoteSize: "0.010", mmp: { maxFillQty: "1", maxNetQty: "1" } } }] });
  const { bid } = await mms.quoting(BTC);
  // The MMS's bid fills, then a leftover bid of an earlier run: 0.02 long, beyond 0.015.
  await mms.exchange.fill(bid.clientOrderId);
  await waitFor(async () => (await mms.symbolStatus(BTC)).position === "0.01", { timeoutMs: 10_000, description: "position 0.01" });
  await mms.exchange.report({ kind: "FILL", account: mms.account, symbol: BTC, clientOrderId: "MM-earlier-BTCUSDT-PERP-O1", orderId: "X-earlier-1", side: "BUY", fillId: "F-earlier-1", px: "50000.0", qty: "0.010", leavesQty: "0", fee: "0", liquidity: "MAKER" });
  await mms.expectStopped(BTC, "HALTED", "POSITION_LIMIT");

  const reset = await mms.control(`mms.control.${BTC}.reset`, { operator: "alice", reason: "position checked" });
  expect(reset).toMatchObject({ ok: true, instance: mms.service.instance, results: [{ accepted: true, from: "HALTED", to: "PAUSED" }] });
  const resume = await mms.control(`mms.control.${BTC}.resume`, RESUME_BODY);
  expect(resume).toMatchObject({ ok: false, instance: mms.service.instance, results: [{ accepted: false, reason: "POSITION_LIMIT" }] });

  const newsBefore = mms.news(BTC).length;
  const reduce = await mms.control(`mms.control.${BTC}.reduce`, REDUCE_BODY);
  expect(reduce).toMatchObject({ ok: true, instance: mms.service.instance, results: [{ symbol: BTC, accepted: true, from: "PAUSED", to: "ACTIVE" }] });
  expect(validators.controlReply(reduce).ok).toBe(true);
  expect(await mms.symbolStatus(BTC)).toMatchObject({ state: "ACTIVE", reduceOnly: true });

  // Two reducing asks of 0.010 take the position to zero; no bid is ever sent meanwhile.
  for (const expectedPosition of ["0.01", "0"]) {
    const ask = await waitFor(() => mms.exchange.openOrders(BTC).find((order) => order.side === "SELL"), { timeoutMs: 10_000, description: "the reducing ask resting" });
    expect(ask.qty).toBe("0.010");
    expect(mms.exchange.openOrders(BTC).filter((order) => order.side === "BUY")).toEqual([]);
    await mms.exchange.fill(ask.clientOrderId);
    await waitFor(async () => (await mms.symbolStatus(BTC)).position === expectedPosition, { timeoutMs: 10_000, description: `position ${expectedPosition}` });
  }
  await mms.expectStopped(BTC, "PAUSED", "REDUCED");
  const status = await mms.symbolStatus(BTC);
  expect(status).toMatchObject({ state: "PAUSED", reason: "REDUCED", position: "0" });
  expect(status.reduceOnly).toBeUndefined();
  expect(mms.news(BTC).slice(newsBefore).map((intent) => intent.side)).toEqual(["SELL", "SELL"]);

  // Flat: reduce has nothing left to do.
  const again = await mms.control(`mms.control.${BTC}.reduce`, REDUCE_BODY);
  expect(again).toMatchObject({ ok: false, instance: mms.service.instance, results: [{ accepted: false, reason: "NOTHING_TO_REDUCE" }] });
  // The audit trail records the command and the stop.
  await mms.audit.waitFor("control", (event) => event.command === "reduce" && event.accepted, "the accepted reduce in the audit");
  await mms.expectCleanRun(["symbol HALTED"]);
});

test("every control reply names the instance, also for an unknown command and for all", async () => {
  const mms = await suite.start({ symbols: [{ symbol: BTC }] });
  const unknown = await mms.control(`mms.control.${BTC}.explode`, RESUME_BODY);
  expect(unknown).toMatchObject({ ok: false, instance: mms.service.instance });
  expect(unknown.error).toContain("reduce");
  const all = await mms.control("mms.control.all.pause", {});
  expect(all).toMatchObject({ ok: true, instance: mms.service.instance });
  for (const reply of [unknown, all]) expect(validators.controlReply(reply).ok).toBe(true);
  await mms.expectCleanRun();
});

function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path: "/metrics" }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve(body));
    })
      .on("error", reject)
      .end();
  });
}

function valueOf(text: string, name: string): number | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${name}{`) && candidate.includes(`symbol="${BTC}"`));
  return line === undefined ? undefined : Number(line.split(" ").pop());
}

test("a scrape of the real process shows the quote presence and order-to-trade ratios", async () => {
  const exchange = await ScriptedExchange.start(suite.nats.client, [BTC]);
  exchange.publishSnapshot(BTC, [["50000.0", "1"]], [["50010.0", "1"]]);
  const stopHeartbeat = exchange.heartbeat(BTC);
  const port = await getFreePort();
  const suffix = Math.random().toString(36).slice(2, 8);
  const config = serviceConfig(suite.nats.url, [symbolConfig(BTC)], { instanceName: `mms-liquidity-${suffix}`, account: `MM_LIQ_${suffix.toUpperCase()}`, http: { port, host: "127.0.0.1" } });
  const mms = MmsProcess.start(writeConfigFile(config), { env: { MMS_LEASES: "off" } });
  try {
    await waitForRun(suite.nats.client, config.instanceName);
    await resumeWhenStarted(suite.nats.client, BTC);
    await waitFor(() => exchange.openOrders(BTC).length === 2, { timeoutMs: 10_000, description: "both quotes resting" });
    await sleep(1500);
    const bid = exchange.openOrders(BTC).find((order) => order.side === "BUY")!;
    await exchange.fill(bid.clientOrderId);
    const text = await waitFor(
      async () => {
        const body = await scrape(port);
        return valueOf(body, "mms_order_to_trade_ratio") !== undefined ? body : undefined;
      },
      { timeoutMs: 10_000, description: "both liquidity metrics on /metrics" },
    );
    const presence = valueOf(text, "mms_quote_presence_ratio")!;
    // Both quotes rested for most of the time since the worker started, never all of it (start-up came first).
    expect(presence).toBeGreaterThan(0);
    expect(presence).toBeLessThan(1);
    // Two NEWs, then the fill's replacement NEW (and no cancel) per fill so far: at least 2.
    const sent = exchange.intents.filter((intent) => intent.account === config.account && (isNew(intent) || intent.kind === "CANCEL")).length;
    expect(valueOf(text, "mms_order_to_trade_ratio")).toBeGreaterThanOrEqual(2);
    expect(valueOf(text, "mms_order_to_trade_ratio")).toBeLessThanOrEqual(sent);
    await control(suite.nats.client, `mms.control.${BTC}.pause`, {});
  } finally {
    stopHeartbeat();
    await mms.stop();
    await exchange.stop();
  }
});
