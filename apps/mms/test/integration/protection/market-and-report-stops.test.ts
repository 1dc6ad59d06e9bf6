import { RESUME_BODY, waitFor } from "@mms/test-support";
import { useMmsSuite, sleep, type MmsFixture } from "../../support/mms-fixture";
import { counterValue } from "../../support/metrics-text";

// The protection stops read off the market and the execution reports, end to end over NATS:
// each cancels everything (CANCEL_ALL with the reason on ORDERS), changes state and alerts.

const BTC = "BTCUSDT-PERP";
const suite = useMmsSuite();

/** Counted like every other stop: once in mms_kill_switch_triggers_total{symbol, reason, state}. */
async function expectCountedOnce(mms: MmsFixture, reason: string, state: "PAUSED" | "HALTED"): Promise<void> {
  const count = () => mms.service.metrics.collectText().then((text) => counterValue(text, "mms_kill_switch_triggers_total", { symbol: BTC, reason, state }));
  await waitFor(async () => (await count()) >= 1, { timeoutMs: 10_000, description: `mms_kill_switch_triggers_total{reason=${reason}}` });
  expect(await count()).toBe(1);
}

describe("fill burst (MMP_TRIGGERED)", () => {
  test("more than mmp.maxFills own fills within the window pause; resume is refused with MMP_FROZEN, then accepted after frozenMs", async () => {
    const frozenMs = 2000;
    const mms = await suite.start({ symbols: [{ symbol: BTC, config: { mmp: { windowMs: 1000, maxFills: 2, maxFillQty: "1", maxNetQty: "1", frozenMs } } }] });
    const { bid } = await mms.quoting(BTC);
    for (const [index, leaves] of ["0.009", "0.008", "0.007"].entries()) {
      await mms.exchange.report({ kind: "FILL", account: mms.account, symbol: BTC, clientOrderId: bid.clientOrderId, orderId: bid.orderId, side: "BUY", fillId: `F-burst-${index}`, px: bid.px, qty: "0.001", leavesQty: leaves, fee: "0", liquidity: "MAKER" });
    }
    const triggeredAt = Date.now();
    await mms.expectStopped(BTC, "PAUSED", "MMP_TRIGGERED");
    expect((await mms.symbolStatus(BTC)).position).toBe("0.003");

    const early = await mms.control(`mms.control.${BTC}.resume`, RESUME_BODY);
    expect(Date.now() - triggeredAt).toBeLessThan(frozenMs);
    expect(early.results?.[0]).toMatchObject({ accepted: false, reason: "MMP_FROZEN", to: "PAUSED" });

    await sleep(frozenMs - (Date.now() - triggeredAt) + 200);
    const thawed = await mms.control(`mms.control.${BTC}.resume`, RESUME_BODY);
    expect(thawed.results?.[0]).toMatchObject({ accepted: true, from: "PAUSED", to: "ACTIVE" });
    await waitFor(() => mms.exchange.openOrders(BTC).length === 2, { timeoutMs: 10_000, description: "quoting again after the freeze" });
    await expectCountedOnce(mms, "MMP_TRIGGERED", "PAUSED");
    await mms.expectCleanRun();
  });
});

describe("price jump (PRICE_JUMP)", () => {
  test("a 50 bps move of the mid is followed; a 150 bps jump pauses (jumpBps 100)", async () => {
    const mms = await suite.start({ symbols: [{ symbol: BTC, config: { jumpBps: "100", jumpWindowMs: 5000 } }] });
    await mms.quoting(BTC);
    const newsBefore = mms.news(BTC).length;
    // Mid 50005 to 50260: 51 bps.
    mms.exchange.publishSnapshot(BTC, [["50255.0", "1"]], [["50265.0", "1"]]);
    await waitFor(() => mms.news(BTC).length >= newsBefore + 2, { timeoutMs: 10_000, description: "requoted at the moved mid" });
    expect(await mms.symbolStatus(BTC)).toMatchObject({ state: "ACTIVE", reason: null });
    // Mid 50260 to 51015: 150 bps (202 from the first mid, still within the window).
    mms.exchange.publishSnapshot(BTC, [["51010.0", "1"]], [["51020.0", "1"]]);
    await mms.expectStopped(BTC, "PAUSED", "PRICE_JUMP");
    await expectCountedOnce(mms, "PRICE_JUMP", "PAUSED");
    await mms.expectCleanRun();
  });
});

describe("dead-man fired (DEADMAN_FIRED)", () => {
  test("the exchange's countdown cancelling the quotes of an ACTIVE symbol pauses it, and nothing is requoted", async () => {
    const mms = await suite.start({ symbols: [{ symbol: BTC }] });
    await mms.quoting(BTC);
    const newsBefore = mms.news(BTC).length;
    await mms.exchange.fireCountdown(BTC, mms.account);
    await mms.expectStopped(BTC, "PAUSED", "DEADMAN_FIRED");
    await expectCountedOnce(mms, "DEADMAN_FIRED", "PAUSED");
    await sleep(500);
    expect(mms.news(BTC)).toHaveLength(newsBefore);
    await mms.expectCleanRun();
  });
});

describe("foreign order (FOREIGN_ORDER)", () => {
  test("a fill on the MMS account for an order the MMS never issued halts; the fill counts in the position", async () => {
    const mms = await suite.start({ symbols: [{ symbol: BTC }] });
    await mms.quoting(BTC);
    await mms.exchange.foreignFill({ symbol: BTC, account: mms.account, side: "SELL", px: "50000.0", qty: "0.005" });
    await mms.expectStopped(BTC, "HALTED", "FOREIGN_ORDER");
    await expectCountedOnce(mms, "FOREIGN_ORDER", "HALTED");
    expect((await mms.symbolStatus(BTC)).position).toBe("-0.005");
    await mms.expectCleanRun(["symbol HALTED"]);
  });
});
