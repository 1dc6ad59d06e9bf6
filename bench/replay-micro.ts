/**
 * CPU per replayed execution report in one thread, without NATS: what a symbol worker does
 * with each EXEC message during start-up recovery (decode, validate, step the actor with
 * replay: true), over the recovery bench's report mix for one symbol.
 *
 *   node --max-semi-space-size=N --import tsx bench/replay-micro.ts [reports] [rounds]
 */
import { decodeAndValidate, validators } from "@mms/contracts";
import { SymbolStepper } from "@mms/service";
import { symbolConfig } from "./actor-micro";
import { BENCH_ACCOUNT } from "./lib/mms-process";
import { reportBodies } from "./recovery";

function replayOnce(bodies: readonly Uint8Array[], symbol: string): number {
  const stepper = new SymbolStepper({ config: symbolConfig(symbol), account: BENCH_ACCOUNT, maxLagMs: 2000, rejectStorm: { count: 50, windowMs: 10000 }, idPrefix: "MM-micro", leaseRequired: false }, "micro");
  const now = Date.now();
  const started = process.cpuUsage();
  let sequence = 0;
  for (const body of bodies) {
    sequence += 1;
    const decoded = decodeAndValidate(body, validators.executionReport);
    if (!decoded.ok) throw new Error(JSON.stringify(decoded.issues));
    stepper.step({ kind: "EXECUTION_REPORT", report: decoded.value, replay: true, streamSequence: sequence }, now);
  }
  const used = process.cpuUsage(started);
  stepper.step({ kind: "RECOVERY_COMPLETE", streamFirstSequence: 1 }, now);
  return (used.user + used.system) / bodies.length;
}

const reports = Number(process.argv[2] ?? 250_000);
const rounds = Number(process.argv[3] ?? 3);
const symbol = "MICRO-PERP";
// One symbol's share of the bench's history: every report on the one subject.
const bodies = Array.from(reportBodies(0, reports, [symbol]), ([, body]) => body);
const figures = Array.from({ length: rounds }, () => replayOnce(bodies, symbol));
process.stdout.write(`replay of ${reports} reports: ${figures.map((figure) => figure.toFixed(2)).join(", ")} CPU us/report\n`);
