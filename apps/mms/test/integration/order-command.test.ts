import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPOSITORY_ROOT, waitFor } from "@mms/test-support";
import { useMmsSuite } from "../support/mms-fixture";

// `mms order <clientOrderId>`: one order's life from MMS_EVENTS and EXEC, in time order, as
// on-call runs it (the compiled CLI, NATS from --servers).

const BTC = "BTCUSDT-PERP";
const suite = useMmsSuite();

function orderCommand(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPOSITORY_ROOT, "apps/mms/dist/cli.js"), "order", ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("shows a filled order's NEW intent, the exchange's ack with its orderId and the fill, and a cancelled one's partial fill and cancel, in time order", async () => {
  const mms = await suite.start({ symbols: [{ symbol: BTC }] });
  // An order the pause's CANCEL_ALL took away.
  const { bid: pausedBid } = await mms.quoting(BTC);
  await mms.control(`mms.control.${BTC}.pause`, { operator: "alice", reason: "a look" });
  await waitFor(() => mms.exchange.openOrders(BTC).length === 0, { timeoutMs: 10_000, description: "the quotes cancelled" });
  // Quoting again: the ask fills, the bid fills in part and is cancelled to requote.
  const { bid, ask } = await mms.quoting(BTC);
  await mms.exchange.fill(ask.clientOrderId);
  await mms.exchange.fill(bid.clientOrderId, "0.004");
  await waitFor(async () => (await mms.symbolStatus(BTC)).position === "-0.006", { timeoutMs: 10_000, description: "both fills booked" });
  await waitFor(() => !mms.exchange.openOrders(BTC).some((order) => order.clientOrderId === bid.clientOrderId), { timeoutMs: 10_000, description: "the part-filled bid cancelled" });
  await mms.audit.waitFor("fill", (event) => event.clientOrderId === bid.clientOrderId, "the bid's fill in the audit");

  const filled = await orderCommand([ask.clientOrderId, "--servers", suite.nats.url]);
  expect(filled.stderr).toBe("");
  expect(filled.code).toBe(0);
  const lines = filled.stdout.trim().split("\n");
  expect(lines[0]).toBe(`order ${ask.clientOrderId} (${BTC})`);
  const newLine = lines.findIndex((line) => / MMS_EVENTS .* intent NEW SELL 0\.010 @ /.test(line));
  const ackLine = lines.findIndex((line) => line.includes(`EXEC`) && line.includes(`ACCEPTED by the exchange: orderId ${ask.orderId}`));
  const fillLine = lines.findIndex((line) => / EXEC .* FILL SELL 0\.010 @ .* leaves 0/.test(line));
  const bookedLine = lines.findIndex((line) => line.includes("fill booked by") && line.includes("position -0.01"));
  expect([newLine, ackLine, fillLine, bookedLine].every((index) => index > 0)).toBe(true);
  expect(newLine).toBeLessThan(ackLine);
  expect(ackLine).toBeLessThan(fillLine);
  expect(lines.at(-1)).toBe("final: FILLED (filled 0.01 of 0.010)");
  // Each line starts with its time, and the times never go back.
  const times = lines.slice(1, -1).map((line) => Date.parse(line.split(" ")[0]!));
  expect(times.every((time, index) => Number.isFinite(time) && (index === 0 || time >= times[index - 1]!))).toBe(true);

  // NATS from the environment, as for the service.
  const cancelled = await orderCommand([bid.clientOrderId], { NATS_URL: suite.nats.url });
  expect(cancelled.code).toBe(0);
  expect(cancelled.stdout).toMatch(/intent NEW BUY 0\.010 @ /);
  expect(cancelled.stdout).toContain(`ACCEPTED by the exchange: orderId ${bid.orderId}`);
  expect(cancelled.stdout).toMatch(/FILL BUY 0\.004 @ .* leaves 0\.006/);
  expect(cancelled.stdout).toMatch(/intent CANCEL, intentId /);
  expect(cancelled.stdout).toMatch(/CANCELED by the exchange: /);
  expect(cancelled.stdout.trim().split("\n").at(-1)).toMatch(/^final: CANCELED \(.*; filled 0\.004 of 0\.010\)$/);

  // The CANCEL_ALL of the pause names no order, yet is part of this one's life.
  const paused = await orderCommand([pausedBid.clientOrderId, "--servers", suite.nats.url]);
  expect(paused.code).toBe(0);
  expect(paused.stdout).toContain(`ACCEPTED by the exchange: orderId ${pausedBid.orderId}`);
  expect(paused.stdout).toMatch(/intent CANCEL_ALL of the symbol \(MANUAL_PAUSE\)/);
  expect(paused.stdout.trim().split("\n").at(-1)).toBe("final: CANCELED (CANCEL_ALL; filled 0 of 0.010)");
  await mms.expectCleanRun();
});

test("an order nobody knows gives exit code 1 and says so; an id not of the MMS's shape needs --symbol", async () => {
  const unknown = await orderCommand(["MM-mx00000000abcdef-BTCUSDT-PERP-O999999", "--servers", suite.nats.url]);
  expect(unknown.code).toBe(1);
  expect(unknown.stdout).toContain("final: no record");
  const foreign = await orderCommand(["MANUAL-1", "--servers", suite.nats.url]);
  expect(foreign.code).toBe(2);
  expect(foreign.stderr).toContain("--symbol");
});
