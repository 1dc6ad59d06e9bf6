import type { ControlReply, StatusReply } from "@mms/contracts";
import { ScriptedExchange, symbolConfig, waitFor } from "@mms/test-support";
import { DocCommands, readDoc, sendAsNatsCli, type DocCommand } from "../support/doc-commands";
import { useMmsSuite } from "../support/mms-fixture";
import { serviceConfig, startTestService } from "../support/service-harness";

// The runbook's NATS commands, taken from docs/runbook.md as written and sent exactly as the
// NATS CLI sends them (there is no CLI binary here): each must get the answer the runbook
// documents. A command added to the runbook fails the last test until it is exercised here.

const BTC = "BTCUSDT-PERP";
const runbook = new DocCommands(readDoc("docs/runbook.md"));
/** Exercised elsewhere, with the setup they need. */
const EXERCISED_ELSEWHERE: Record<string, string> = {
  [`nats req mms.control.<SYMBOL>.reset '{"operator":"alice","reason":"position checked against the exchange ledger","position":"0.01"}' --replies 0 --timeout 2s`]: "INVENTORY_UNVERIFIED needs a truncated EXEC: apps/mms/test/integration/checkpoints.test.ts",
};

const suite = useMmsSuite();

let instanceName = "";
async function send(command: DocCommand): Promise<unknown[]> {
  return sendAsNatsCli(suite.nats.client, command, { SYMBOL: BTC, INSTANCE: instanceName });
}

/** The single instance's control reply, and its one result. */
async function controlled(command: DocCommand) {
  const replies = (await send(command)) as ControlReply[];
  expect(replies).toHaveLength(1);
  return { reply: replies[0]!, result: replies[0]!.results?.[0] };
}

test("section 1's commands, in a sequence an on-call would send them, get the documented answers", async () => {
  const mms = await suite.start({ symbols: [{ symbol: BTC }] });
  await mms.quoting(BTC);
  const { instance } = mms.service;
  instanceName = instance;

  // Status: one reply per instance, each symbol with its state, why, when and the blockers.
  for (const command of runbook.every("mms.status")) {
    const replies = (await send(command)) as StatusReply[];
    expect(replies).toEqual([expect.objectContaining({ instance, symbols: [expect.objectContaining({ symbol: BTC, state: "ACTIVE", reason: null, stoppedAt: null, resumeBlockers: [] })] })]);
  }

  const kill = await controlled(runbook.get(`mms.control.${BTC}.kill`));
  expect(kill.reply).toMatchObject({ ok: true, instance });
  expect(kill.result).toMatchObject({ symbol: BTC, from: "ACTIVE", to: "HALTED", accepted: true });
  expect(await mms.symbolStatus(BTC)).toMatchObject({ state: "HALTED", reason: "MANUAL_KILL", operator: "alice", detail: "odd fills", resumeBlockers: ["HALTED_NEEDS_RESET"] });
  // A pause of a halted symbol cancels again but is refused; so is a resume before the reset.
  const pause = runbook.get(`mms.control.${BTC}.pause`);
  const resume = runbook.get(`mms.control.${BTC}.resume`);
  expect((await controlled(pause)).result).toMatchObject({ accepted: false, reason: "HALTED_NEEDS_RESET", to: "HALTED" });
  expect((await controlled(resume)).result).toMatchObject({ accepted: false, reason: "HALTED_NEEDS_RESET" });

  const reset = runbook.get(`mms.control.${BTC}.reset`, "back under limit");
  expect((await controlled(reset)).result).toMatchObject({ accepted: true, from: "HALTED", to: "PAUSED" });
  expect(await mms.symbolStatus(BTC)).toMatchObject({ state: "PAUSED", reason: "MANUAL_RESET", operator: "alice" });
  await waitFor(async () => (await mms.symbolStatus(BTC)).resumeBlockers?.length === 0, { timeoutMs: 10_000, description: "nothing blocks a resume" });
  expect((await controlled(resume)).result).toMatchObject({ accepted: true, from: "PAUSED", to: "ACTIVE" });

  // Reduce of a symbol quoting normally needs a pause first; of a flat one there is nothing to reduce.
  const reduce = runbook.get(`mms.control.${BTC}.reduce`, "work off POSITION_LIMIT");
  expect((await controlled(reduce)).result).toMatchObject({ accepted: false, reason: "PAUSE_FIRST" });
  expect((await controlled(pause)).result).toMatchObject({ accepted: true, from: "ACTIVE", to: "PAUSED" });
  expect(await mms.symbolStatus(BTC)).toMatchObject({ reason: "MANUAL_PAUSE", detail: "exchange maintenance", operator: "alice" });
  expect((await controlled(reduce)).result).toMatchObject({ accepted: false, reason: "NOTHING_TO_REDUCE" });

  // Section 5's resume after a deploy, with the symbol filled in.
  expect((await controlled(runbook.get("mms.control.<SYMBOL>.resume", "after deploy"))).result).toMatchObject({ accepted: true, to: "ACTIVE" });
  expect((await controlled(runbook.get(`mms.control.${BTC}.shadow`))).result).toMatchObject({ accepted: true });
  expect(await mms.symbolStatus(BTC)).toMatchObject({ mode: "shadow" });

  // The emergency kill: as a request, every instance answers with every symbol; as a publish, no answer at all.
  const killAll = (await send(runbook.get("mms.control.all.kill"))) as ControlReply[];
  expect(killAll).toEqual([expect.objectContaining({ ok: true, instance, results: [expect.objectContaining({ symbol: BTC, to: "HALTED", accepted: true })] })]);
  expect((await controlled(reset)).result).toMatchObject({ accepted: true, to: "PAUSED" });
  // Section 13: the drain pauses every symbol of the instance (this one uses no leases: none to release).
  const drain = (await send(runbook.get("mms.control.instance.<INSTANCE>.drain"))) as ControlReply[];
  expect(drain).toEqual([expect.objectContaining({ ok: true, instance, results: [expect.objectContaining({ symbol: BTC, from: "PAUSED", to: "PAUSED", accepted: true })] })]);
  expect(await mms.symbolStatus(BTC)).toMatchObject({ reason: "MANUAL_PAUSE", detail: "drain: deploy 1.2.4", operator: "alice" });
  // Its step 3, sent to this instance as the one that may quote (a drained one refuses: crash-safety/drain.test.ts).
  expect((await controlled(runbook.get("mms.control.<SYMBOL>.resume", "standby takes over"))).result).toMatchObject({ accepted: true, to: "ACTIVE" });
  expect(await send(runbook.get("mms.control.all.kill", "", "pub"))).toEqual([]);
  await mms.waitForState(BTC, "HALTED", "MANUAL_KILL");
  await mms.expectCleanRun(["symbol HALTED"]);
});

test("the POSITION_LIMIT procedure works after a restart: reset answers NOT_HALTED, reduce takes over", async () => {
  const client = suite.nats.client;
  const exchange = await ScriptedExchange.start(client, [BTC]);
  exchange.publishSnapshot(BTC, [["50000.0", "1"]], [["50010.0", "1"]]);
  const stopHeartbeat = exchange.heartbeat(BTC);
  const config = serviceConfig(suite.nats.url, [symbolConfig(BTC, { maxPosition: "0.015", quoteSize: "0.010", mmp: { maxFillQty: "1", maxNetQty: "1" } })]);
  const reset = runbook.get(`mms.control.${BTC}.reset`, '"position checked"');
  const reduce = runbook.get(`mms.control.${BTC}.reduce`, "work off POSITION_LIMIT");
  const resume = runbook.get(`mms.control.${BTC}.resume`);
  try {
    // First run: over the limit, HALTED POSITION_LIMIT.
    const first = await startTestService(config);
    try {
      await waitFor(() => first.service.isReady().ready, { timeoutMs: 20_000, description: "first run ready" });
      await waitFor(async () => ((await sendAsNatsCli(client, resume)) as ControlReply[])[0]?.ok, { timeoutMs: 20_000, intervalMs: 500, description: "first run resumed" });
      const bid = await waitFor(() => exchange.openOrders(BTC).find((order) => order.side === "BUY"), { timeoutMs: 10_000, description: "a resting bid" });
      await exchange.fill(bid.clientOrderId);
      await exchange.report({ kind: "FILL", account: config.account, symbol: BTC, clientOrderId: "MM-earlier-BTCUSDT-PERP-O1", orderId: "X-earlier-1", side: "BUY", fillId: "F-earlier-1", px: "50000.0", qty: "0.010", leavesQty: "0", fee: "0", liquidity: "MAKER" });
      await waitFor(async () => (await first.service.status()).symbols[0]?.reason === "POSITION_LIMIT", { timeoutMs: 10_000, description: "HALTED POSITION_LIMIT" });
    } finally {
      await first.service.stop();
    }

    // The restart: the halt is gone, the position is not.
    const second = await startTestService(config);
    try {
      await waitFor(() => second.service.isReady().ready, { timeoutMs: 20_000, description: "second run ready" });
      exchange.publishSnapshot(BTC, [["50000.0", "1"]], [["50010.0", "1"]]);
      const status = await waitFor(async () => {
        const symbol = (await second.service.status()).symbols[0];
        return symbol?.resumeBlockers?.join() === "POSITION_LIMIT" ? symbol : undefined;
      }, { timeoutMs: 15_000, description: "POSITION_LIMIT the only resume blocker" });
      expect(status).toMatchObject({ state: "PAUSED", reason: "STARTUP", position: "0.02" });

      const resetReplies = (await sendAsNatsCli(client, reset)) as ControlReply[];
      expect(resetReplies).toEqual([expect.objectContaining({ ok: false, results: [expect.objectContaining({ accepted: false, reason: "NOT_HALTED" })] })]);
      expect(((await sendAsNatsCli(client, resume)) as ControlReply[])[0]?.results?.[0]).toMatchObject({ accepted: false, reason: "POSITION_LIMIT" });
      const reduced = (await sendAsNatsCli(client, reduce)) as ControlReply[];
      expect(reduced).toEqual([expect.objectContaining({ ok: true, instance: second.service.instance, results: [expect.objectContaining({ accepted: true, from: "PAUSED", to: "ACTIVE" })] })]);
      expect((await second.service.status()).symbols[0]).toMatchObject({ state: "ACTIVE", reduceOnly: true });
      await waitFor(() => exchange.openOrders(BTC).some((order) => order.side === "SELL"), { timeoutMs: 10_000, description: "the reducing ask" });
      expect(exchange.openOrders(BTC).filter((order) => order.side === "BUY")).toEqual([]);
    } finally {
      await second.service.stop();
    }
  } finally {
    stopHeartbeat();
    await exchange.stop();
  }
});

test("every NATS command of the runbook is exercised here (or, named, elsewhere)", () => {
  expect(runbook.unused().filter((text) => !(text in EXERCISED_ELSEWHERE))).toEqual([]);
});
