// The orderly stop: the MMS first (it cancels its orders), then the check on the exchange
// that none of its orders rests, then the simulator and the private NATS.
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Big from "big.js";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ExchangeSimulatorHandle } from "@mms/exchange-sim";
import type { MmsProcess } from "@mms/test-support";
import type { NatsChoice } from "./nats";
import { say, sleep } from "./output";
import { stopMms } from "./processes";
import type { SimOrder } from "@mms/test-support";
import { restingOrders, type DemoView } from "./view";

export const SIM_CONSUMER = "mms-demo-sim";

export interface Running {
  nats?: NatsChoice;
  simulator?: ExchangeSimulatorHandle;
  mms?: MmsProcess;
  mmsExited?: Promise<void>;
  demo?: DemoView;
  account: string;
  deadManMs: number;
  work: string;
  keepWork: boolean;
  readonly cleanups: Array<() => Promise<void> | void>;
}

/** The MMS's cancels are acknowledged by the ORDERS stream before it exits; the exchange applies them a moment later. */
async function restingAfterStop(nc: NatsConnection, account: string, timeoutMs: number): Promise<SimOrder[] | undefined> {
  let resting: SimOrder[] | undefined;
  for (let attempt = 0; attempt < timeoutMs / 250; attempt++) {
    resting = await restingOrders(nc, account, 2000).catch(() => undefined);
    if (resting && resting.length === 0) return resting;
    await sleep(250);
  }
  return resting;
}

async function verifyNothingRests(running: Running, nc: NatsConnection, crashed: boolean): Promise<boolean> {
  const { account, deadManMs } = running;
  // A crashed MMS cancelled nothing: its orders go when the exchange's dead-man's switch fires.
  if (crashed) say(`the MMS did not stop cleanly: waiting up to ${deadManMs / 1000} s for the exchange's dead-man's switch`);
  const resting = await restingAfterStop(nc, account, crashed ? deadManMs + 2000 : 5000);
  if (resting === undefined) {
    say(`could not ask sim.orders.${account}`);
    return false;
  }
  if (resting.length === 0) {
    say(`verified: no MMS order rests on the exchange (sim.orders.${account} is empty)`);
    return true;
  }
  say(`WARNING: ${resting.length} MMS order(s) still rest on the exchange:\n${resting.map((order) => `  ${order.symbol} ${order.side} ${order.leavesQty} @ ${order.px} (${order.clientOrderId})`).join("\n")}`);
  return false;
}

/** Stops everything that runs; returns the exit code given `exitCode` so far. */
export async function shutDown(running: Running, exitCode: number): Promise<number> {
  const { nats, simulator, mms, demo } = running;
  try {
    if (mms?.running) {
      say(`stopping the MMS: SIGTERM to pid ${mms.pid} (it cancels all its orders first)`);
      const clean = await stopMms(mms, 20_000);
      await running.mmsExited;
      say(`MMS ${demo?.mmsExit ?? "exited"}${clean ? "" : " after SIGKILL"}`);
      if (!clean) exitCode = 1;
    }
    if (simulator && nats) {
      const crashed = demo?.mmsExit !== undefined && exitCode !== 0;
      if (!(await verifyNothingRests(running, nats.nc, crashed))) exitCode = 1;
      for (const symbol of demo?.lastStatus?.symbols ?? []) {
        const money = (value: string | null) => (value === null ? "unknown" : new Big(value).toFixed(4));
        say(`final ${symbol.symbol}: position ${symbol.position}, realized ${money(symbol.realizedPnl)}, unrealized ${money(symbol.unrealizedPnl)}, fees ${money(symbol.fees)} (MMS ledger, rebuilt from EXEC)`);
      }
    }
  } finally {
    if (simulator) {
      await simulator.stop();
      say("exchange simulator stopped");
    }
    if (nats && !nats.server) {
      // The simulator's durable consumer on the shared ORDERS stream: not needed after the demo.
      await jetstreamManager(nats.nc)
        .then((jsm) => jsm.consumers.delete("ORDERS", SIM_CONSUMER))
        .catch(() => undefined);
    }
    await nats?.nc.drain().catch(() => undefined);
    if (nats?.server) {
      await nats.server.stop();
      writeFileSync(join(running.work, "nats-server.log"), nats.server.log());
    }
    for (const cleanup of running.cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
    const hasLogs = readdirSync(running.work).some((name) => name.endsWith(".log"));
    if (hasLogs && (running.keepWork || exitCode !== 0)) say(`logs kept in ${running.work}`);
    else rmSync(running.work, { recursive: true, force: true });
  }
  return exitCode;
}
