import { waitFor, RESUME_BODY } from "@mms/test-support";
import { useMmsSuite, type MmsFixture, sleep, type FixtureOptions } from "../support/mms-fixture";

// The operator interface: mms.control.<SYMBOL|all>.<command> over core NATS request/reply,
// the audit trail of every command, and shadow mode.

const BTC = "BTCUSDT-PERP";
const ETH = "ETHUSDT-PERP";
const ETH_BOOK = { bids: [["3000.0", "10"]] as const, asks: [["3001.0", "10"]] as const };
const encoder = new TextEncoder();

const suite = useMmsSuite();
const start = (options: FixtureOptions): Promise<MmsFixture> => suite.start(options);

describe("manual kill is never refused", () => {
  test("`nats pub mms.control.all.kill ''` (empty body, no reply subject) cancels all and halts every symbol", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }, { symbol: ETH, config: { quoteSize: "0.100" }, ...ETH_BOOK }] });
    await mms.quoting(BTC);
    await mms.quoting(ETH);
    suite.nats.client.publish("mms.control.all.kill", new Uint8Array(0));
    for (const symbol of [BTC, ETH]) {
      await mms.waitForCancelAll(symbol, "MANUAL_KILL");
      await mms.waitForState(symbol, "HALTED", "MANUAL_KILL");
      await mms.audit.waitFor("control", (event) => event.symbol === symbol && event.command === "kill" && event.accepted && event.to === "HALTED", `${symbol} kill recorded`);
    }
    await waitFor(() => mms.exchange.openOrders(BTC).length + mms.exchange.openOrders(ETH).length === 0, { timeoutMs: 10_000, description: "nothing rests" });
    await mms.expectCleanRun(["symbol HALTED"]);
  });

  test("a kill with a malformed body `{{{` is carried out, and so is a pause", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }] });
    await mms.quoting(BTC);
    const paused = await mms.control(`mms.control.${BTC}.pause`, "{{{");
    expect(paused).toEqual({ ok: true, instance: mms.service.instance, results: [{ symbol: BTC, from: "ACTIVE", to: "PAUSED", accepted: true }] });
    await mms.waitForCancelAll(BTC, "MANUAL_PAUSE");
    await mms.resume(BTC);
    await waitFor(() => mms.exchange.openOrders(BTC).length === 2, { timeoutMs: 10_000, description: "quoting again" });
    const killed = await mms.control(`mms.control.${BTC}.kill`, "{{{");
    expect(killed).toEqual({ ok: true, instance: mms.service.instance, results: [{ symbol: BTC, from: "ACTIVE", to: "HALTED", accepted: true }] });
    await mms.waitForCancelAll(BTC, "MANUAL_KILL");
    expect(await mms.symbolStatus(BTC)).toMatchObject({ state: "HALTED", reason: "MANUAL_KILL" });
    // Published without a reply subject, the same malformed kill still cancels again.
    suite.nats.client.publish("mms.control.all.kill", encoder.encode("{{{"));
    await waitFor(() => mms.cancelAlls(BTC, "MANUAL_KILL").length >= 2, { timeoutMs: 10_000, description: "a second cancel-all" });
    await waitFor(() => mms.exchange.openOrders(BTC).length === 0, { timeoutMs: 10_000, description: "nothing rests" });
    await mms.expectCleanRun(["symbol HALTED"]);
  });
});

describe("operator commands", () => {
  test("kill halts; resume is refused until a reset by an operator", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }] });
    await mms.quoting(BTC);
    const killedAfter = Date.now();
    await mms.control(`mms.control.${BTC}.kill`, { operator: "alice", reason: "odd fills" });
    await mms.waitForCancelAll(BTC, "MANUAL_KILL");
    // Status says who stopped it, why and when: no need to read the audit stream.
    const killed = await mms.symbolStatus(BTC);
    expect(killed).toMatchObject({ state: "HALTED", reason: "MANUAL_KILL", operator: "alice", detail: "odd fills" });
    expect(killed.stoppedAt).toBeGreaterThanOrEqual(killedAfter);
    expect(killed.stoppedAt).toBeLessThanOrEqual(Date.now());
    expect((await mms.control(`mms.control.${BTC}.resume`, RESUME_BODY)).results?.[0]).toMatchObject({ accepted: false, reason: "HALTED_NEEDS_RESET", from: "HALTED", to: "HALTED" });
    expect((await mms.control(`mms.control.${BTC}.pause`)).results?.[0]).toMatchObject({ accepted: false, reason: "HALTED_NEEDS_RESET" });
    expect((await mms.control(`mms.control.${BTC}.reset`, {})).results?.[0]).toMatchObject({ accepted: false, reason: "OPERATOR_REQUIRED" });
    expect((await mms.control(`mms.control.${BTC}.reset`, RESUME_BODY)).results?.[0]).toMatchObject({ accepted: true, from: "HALTED", to: "PAUSED" });
    expect(await mms.symbolStatus(BTC)).toMatchObject({ state: "PAUSED", reason: "MANUAL_RESET" });
    expect((await mms.control(`mms.control.${BTC}.resume`, RESUME_BODY)).results?.[0]).toMatchObject({ accepted: true, to: "ACTIVE" });
    await waitFor(() => mms.exchange.openOrders(BTC).length === 2, { timeoutMs: 10_000, description: "quoting again" });
    await mms.expectCleanRun(["symbol HALTED"]);
  });

  test("resume, reset, shadow and reduce need {operator, reason}; every refusal is audited", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }] });
    const refusals: Array<[string, unknown, string]> = [
      ["resume", undefined, "OPERATOR_REQUIRED"],
      ["resume", {}, "OPERATOR_REQUIRED"],
      ["resume", { operator: "alice" }, "OPERATOR_REQUIRED"],
      ["resume", { reason: "feed back" }, "OPERATOR_REQUIRED"],
      ["resume", "{{{", "INVALID_BODY"],
      ["reset", { operator: "alice" }, "OPERATOR_REQUIRED"],
      ["shadow", { enabled: true }, "OPERATOR_REQUIRED"],
      ["shadow", { ...RESUME_BODY }, "INVALID_BODY"],
      ["reduce", { operator: "alice" }, "OPERATOR_REQUIRED"],
    ];
    for (const [command, body, reason] of refusals) {
      const reply = await mms.control(`mms.control.${BTC}.${command}`, body);
      expect({ command, body, reply }).toEqual({ command, body, reply: { ok: false, instance: mms.service.instance, results: [{ symbol: BTC, from: "PAUSED", to: "PAUSED", accepted: false, reason }] } });
    }
    // reset with an operator, on a symbol that is not HALTED, is refused for that reason.
    expect((await mms.control(`mms.control.${BTC}.reset`, RESUME_BODY)).results?.[0]).toMatchObject({ accepted: false, reason: "NOT_HALTED" });
    await waitFor(() => mms.audit.of("control", BTC).filter((event) => !event.accepted).length >= refusals.length + 1, { timeoutMs: 10_000, description: "refusals audited" });
    expect(mms.audit.of("control", BTC).find((event) => event.refusal === "OPERATOR_REQUIRED" && event.operator === "alice")).toMatchObject({ command: "resume", accepted: false, from: "PAUSED", to: "PAUSED" });
    expect(mms.news(BTC)).toEqual([]);
    // A well-formed resume is accepted.
    await mms.resume(BTC);
    await mms.audit.waitFor("control", (event) => event.command === "resume" && event.accepted && event.operator === "alice" && event.operatorReason === RESUME_BODY.reason, "accepted resume audited");
    await mms.expectCleanRun();
  });

  test("an unknown command gets {ok: false, error}", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }] });
    for (const target of [BTC, "all"]) {
      const reply = await mms.control(`mms.control.${target}.explode`, RESUME_BODY);
      expect(reply.ok).toBe(false);
      expect(reply.error).toEqual(expect.stringContaining("explode"));
    }
    expect(await mms.symbolStatus(BTC)).toMatchObject({ state: "PAUSED", reason: "STARTUP" });
    await mms.expectCleanRun();
  });

  test("a symbol this instance does not run gets no reply", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }] });
    await expect(mms.control("mms.control.DOGEUSDT-PERP.kill", undefined, 1000)).rejects.toThrow();
    await expect(mms.control("mms.control.DOGEUSDT-PERP.resume", RESUME_BODY, 1000)).rejects.toThrow();
    // ... and does not disturb the symbols it does run.
    expect((await mms.control(`mms.control.${BTC}.pause`)).results).toEqual([{ symbol: BTC, from: "PAUSED", to: "PAUSED", accepted: true }]);
    await mms.expectCleanRun();
  });
});

describe("shadow mode", () => {
  test("a symbol configured `mode: shadow` sends nothing on orders.> but writes intent events with shadow: true", async () => {
    const mms = await start({ symbols: [{ symbol: BTC, config: { mode: "shadow" } }] });
    expect(await mms.symbolStatus(BTC)).toMatchObject({ mode: "shadow", state: "PAUSED" });
    await mms.resume(BTC);
    const first = await mms.audit.waitFor("intent", (event) => event.intent.kind === "NEW", "a shadow NEW");
    expect(first).toMatchObject({ shadow: true, mode: "shadow", intent: { kind: "NEW", side: "BUY", px: "49979.9", qty: "0.010" } });
    // A market move: shadow orders are replaced just as live ones would be.
    mms.exchange.publishDelta(BTC, [["50000.0", "0"], ["50100.0", "1"]], [["50010.0", "0"], ["50110.0", "1"]]);
    await mms.audit.waitFor("intent", (event) => event.intent.kind === "NEW" && event.intent.side === "BUY" && event.intent.px === "50079.9", "a shadow requote");
    await sleep(300);
    expect(mms.audit.of("intent", BTC).every((event) => event.shadow)).toBe(true);
    expect(mms.intents(BTC)).toEqual([]);
    expect(mms.exchange.intents.filter((intent) => intent.account === mms.account)).toEqual([]);
    await mms.expectCleanRun();
  });

  test("the `shadow` command cancels the live orders, then quotes in shadow only; back to live needs a pause first", async () => {
    const mms = await start({ symbols: [{ symbol: BTC }] });
    await mms.quoting(BTC);
    const reply = await mms.control(`mms.control.${BTC}.shadow`, { ...RESUME_BODY, enabled: true });
    expect(reply).toEqual({ ok: true, instance: mms.service.instance, results: [{ symbol: BTC, from: "ACTIVE", to: "ACTIVE", accepted: true }] });
    await mms.waitForCancelAll(BTC, "SHADOW_MODE");
    await waitFor(() => mms.exchange.openOrders(BTC).length === 0, { timeoutMs: 10_000, description: "live orders cancelled" });
    const liveIntents = mms.intents(BTC).length;
    await mms.audit.waitFor("intent", (event) => event.shadow && event.intent.kind === "NEW", "a shadow NEW after the switch");
    mms.exchange.publishDelta(BTC, [["50000.0", "0"], ["50100.0", "1"]], [["50010.0", "0"], ["50110.0", "1"]]);
    await mms.audit.waitFor("intent", (event) => event.shadow && event.intent.kind === "NEW" && event.intent.px === "50079.9", "a shadow requote");
    await sleep(300);
    expect(mms.intents(BTC).slice(liveIntents)).toEqual([]);
    expect(await mms.symbolStatus(BTC)).toMatchObject({ mode: "shadow", state: "ACTIVE" });
    const back = await mms.control(`mms.control.${BTC}.shadow`, { ...RESUME_BODY, enabled: false });
    expect(back.results?.[0]).toMatchObject({ accepted: false, reason: "PAUSE_FIRST" });
    await mms.control(`mms.control.${BTC}.pause`);
    const live = await mms.control(`mms.control.${BTC}.shadow`, { ...RESUME_BODY, enabled: false });
    expect(live.results?.[0]).toMatchObject({ accepted: true, to: "PAUSED" });
    expect(await mms.symbolStatus(BTC)).toMatchObject({ mode: "live", state: "PAUSED", openOrders: [] });
    await mms.expectCleanRun();
  });
});
