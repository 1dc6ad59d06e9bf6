// The MMS child process, as production runs it (test-support's MmsProcess: mmsCommand, and
// it ends with the demo whatever the demo dies of), and the operator steps the demo takes.
import type { NatsConnection } from "@nats-io/transport-node";
import type { ControlReply } from "@mms/contracts";
import { MmsProcess } from "@mms/test-support";
import { request } from "./nats";
import { say, sleep } from "./output";

export const OPERATOR = { operator: "demo", reason: "demo start" } as const;

/** Its own process group: Ctrl-C reaches only the demo, which then sends the one SIGTERM. */
export function startDemoMms(configPath: string, natsUrl: string, logPath: string, httpPort: number): MmsProcess {
  return MmsProcess.start(configPath, { env: { NATS_URL: natsUrl, MMS_LEASES: undefined, MMS_CONFIG: undefined }, logPath, keepLines: false, detached: true, httpPort });
}

/** Polls /readyz until 200, `timeoutMs` passes, the MMS exits or `stopped()` says so. */
export async function waitReady(mms: MmsProcess, timeoutMs: number, stopped: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopped() && mms.running) {
    if (await mms.ready()) return true;
    await sleep(250);
  }
  return false;
}

/** Resume, asking again while a refusal says start-up is not through (first market status...). */
export async function resumeSymbol(nc: NatsConnection, symbol: string, timeoutMs: number, stopped: () => boolean): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "no reply";
  while (Date.now() < deadline && !stopped()) {
    try {
      const reply = await request<ControlReply>(nc, `mms.control.${symbol}.resume`, OPERATOR, 3000);
      const result = reply.results?.find((entry) => entry.symbol === symbol);
      if (result?.accepted) return `accepted (${result.from} -> ${result.to})`;
      last = result ? `refused ${result.reason ?? "?"}` : (reply.error ?? "no result");
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(500);
  }
  return `still ${last} after ${timeoutMs / 1000} s (try the resume command below once the cause is gone)`;
}

/** SIGTERM, then SIGKILL after `graceMs`; true when it exited on the SIGTERM. */
export async function stopMms(mms: MmsProcess, graceMs: number): Promise<boolean> {
  if (!mms.running) return true;
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    say(`MMS did not exit within ${graceMs / 1000} s of SIGTERM: SIGKILL`);
  }, graceMs);
  await mms.stop(graceMs);
  clearTimeout(timer);
  return !killed;
}
