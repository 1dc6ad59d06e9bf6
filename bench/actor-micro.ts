/**
 * Where a symbol actor's CPU goes per message, in one thread, without NATS: decode and
 * validate a delta, step the actor on it (moving-mid deltas that cancel and re-quote, and
 * depth-only deltas that change nothing), the figures of a heartbeat or risk report.
 *
 *   npx tsx bench/actor-micro.ts [iterations]      (also run by `npm run bench -- --only actor-micro`)
 */
import { decodeAndValidate, validateServiceConfig, validators, type ExecutionReport, type OrderIntent, type SymbolConfig } from "@mms/contracts";
import { symbolFigures, type SymbolEvent } from "@mms/trading-core";
import { SymbolStepper } from "@mms/service";
import { beginResult, round, type BenchResult } from "./lib/machine";
import { benchSymbolConfig } from "./lib/mms-process";
import { movingMid } from "./lib/market-feed";

const encoder = new TextEncoder();

/** As the tick-to-intent bench runs it: the moving mid climbs 0.5 a delta, so the price-jump stop is off (else the actor pauses and the figures are of a paused actor). */
export function symbolConfig(symbol: string): SymbolConfig {
  const result = validateServiceConfig(
    { account: "BENCH_MM", instanceName: "micro", nats: { servers: ["nats://127.0.0.1:1"] }, risk: { maxTotalExposure: "1000000000", maxDrawdown: "1000000000", rejectStorm: { count: 50, windowMs: 10000 }, maxLagMs: 2000 }, symbols: [benchSymbolConfig(symbol, { jumpBps: "0" })] },
    { defaultInstanceName: "micro" },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value.symbols[0]!;
}

function timeIt(iterations: number, body: (index: number) => void): number {
  const start = process.hrtime.bigint();
  for (let index = 0; index < iterations; index++) body(index);
  return Number(process.hrtime.bigint() - start) / 1000 / iterations;
}

export function actorMicro(iterations = 20_000): Record<string, number> {
  const symbol = "MICRO-PERP";
  let now = Date.now();
  const stepper = new SymbolStepper({ config: symbolConfig(symbol), account: "BENCH_MM", maxLagMs: 2000, rejectStorm: { count: 50, windowMs: 10000 }, idPrefix: "MM-micro", leaseRequired: false }, "micro");
  let seq = 1;
  const step = (event: SymbolEvent) => stepper.step(event, now);
  step({ kind: "RECOVERY_COMPLETE" });
  const resetBook = () => {
    seq += 1;
    step({ kind: "BOOK_SNAPSHOT", snapshot: { symbol, seq, ts: now, bids: [["1000.0", "1.5"]], asks: [["1000.2", "1.5"]] } });
    step({ kind: "MARKET_STATUS", status: { symbol, seq, ts: now, status: "TRADING" } });
    return step({ kind: "CONTROL", requestId: "r", command: "resume", body: { operator: "bench", reason: "micro" } });
  };
  const firstResume = resetBook();

  // The exchange's answers, so the actor keeps cycling cancel -> canceled -> new -> accepted.
  let execId = 0;
  const answer = (intents: readonly OrderIntent[]) => {
    const reports: ExecutionReport[] = [];
    for (const intent of intents) {
      execId += 1;
      if (intent.kind === "NEW") reports.push({ kind: "ACCEPTED", execId: `E${execId}`, account: intent.account, symbol, ts: now, clientOrderId: intent.clientOrderId, orderId: `O${execId}`, side: intent.side, px: intent.px, qty: intent.qty });
      else if (intent.kind === "CANCEL") reports.push({ kind: "CANCELED", execId: `E${execId}`, account: intent.account, symbol, ts: now, clientOrderId: intent.clientOrderId, orderId: `X`, reason: "USER" });
    }
    return reports;
  };
  const intentsOf = (commands: ReturnType<SymbolStepper["step"]>["commands"]) => commands.flatMap((command) => (command.kind === "SEND_INTENT" ? [command.intent] : []));
  let pendingReports = answer(intentsOf(firstResume.commands));
  const settle = () => {
    while (pendingReports.length > 0) pendingReports.push(...answer(intentsOf(step({ kind: "EXECUTION_REPORT", report: pendingReports.shift()!, replay: false }).commands)));
  };
  settle();
  // Warm the mid samples (one a second) so volatility has its full window.
  for (let second = 0; second < 65; second++) {
    now += 1000;
    seq += 1;
    pendingReports.push(...answer(intentsOf(step({ kind: "BOOK_DELTA", delta: { symbol, seq, ts: now, bids: [["1000.0", `${1 + (second % 3)}.0`]], asks: [] } }).commands)));
    settle();
  }
  const depthBytes = Array.from({ length: 64 }, (_, index) => encoder.encode(`{"symbol":"${symbol}","seq":1,"ts":${now},"bids":[["${(1000 - (index % 10) * 0.1).toFixed(1)}","2.${index}"]],"asks":[["${(1000.2 + (index % 10) * 0.1).toFixed(1)}","2.${index}"]]}`));
  const decodeMicros = timeIt(iterations, (index) => decodeAndValidate(depthBytes[index % 64]!, validators.bookDelta));

  const depthMicros = timeIt(iterations, (index) => {
    seq += 1;
    const level = index % 10;
    step({ kind: "BOOK_DELTA", delta: { symbol, seq, ts: now, bids: [[(1000 - level * 0.1).toFixed(1), `2.${index % 1000}`]], asks: [[(1000.2 + level * 0.1).toFixed(1), `2.${index % 1000}`]] } });
  });
  const depthState = stepper.actor.state.name;
  if (depthState !== "ACTIVE") throw new Error(`the actor left ACTIVE in the depth phase (${JSON.stringify(stepper.actor.state)}): the figures would be of a stopped actor`);
  pendingReports.push(...answer(intentsOf(resetBook().commands)));
  settle();

  // Moving mid: every delta cancels both orders; the reports then re-quote. Time the delta steps and the report steps apart.
  let previousBid = "1000.0";
  let previousAsk = "1000.2";
  let reportMicros = 0;
  let reportCount = 0;
  const movingMicros = timeIt(iterations, (index) => {
    seq += 1;
    // 1,000 deltas a second of the actor's clock: the order rate limit (maxOrdersPerSecond) never holds a requote back.
    now += 1;
    const mid = movingMid(index + 1);
    const bid = (mid - 0.1).toFixed(1);
    const ask = (mid + 0.1).toFixed(1);
    const output = step({ kind: "BOOK_DELTA", delta: { symbol, seq, ts: now, bids: [[bid, "1.5"], [previousBid, "0"]], asks: [[ask, "1.5"], [previousAsk, "0"]] } });
    previousBid = bid;
    previousAsk = ask;
    pendingReports.push(...answer(intentsOf(output.commands)));
    const start = process.hrtime.bigint();
    while (pendingReports.length > 0) {
      const report = pendingReports.shift()!;
      pendingReports.push(...answer(intentsOf(step({ kind: "EXECUTION_REPORT", report, replay: false }).commands)));
      reportCount += 1;
    }
    reportMicros += Number(process.hrtime.bigint() - start) / 1000;
  });
  // timeIt included the report steps: take them out.
  const movingDeltaMicros = movingMicros - reportMicros / iterations;
  if (stepper.actor.state.name !== "ACTIVE") throw new Error(`the actor left ACTIVE in the moving phase (${JSON.stringify(stepper.actor.state)}): the figures would be of a stopped actor`);
  if (process.env.MICRO_DEBUG) console.log("depth phase", depthState, "state", stepper.actor.state, "reports", reportCount, "orders", stepper.actor.orders.all().length, "seen", stepper.actor.recentExecIds.size);
  pendingReports = [];

  const figuresMicros = timeIt(Math.max(1000, iterations / 10), () => symbolFigures(stepper.actor));
  const timerMicros = timeIt(Math.max(1000, iterations / 10), () => {
    now += 100;
    step({ kind: "TIMER" });
  });
  return {
    decodeValidateDeltaMicros: round(decodeMicros, 2),
    stepDepthDeltaMicros: round(depthMicros, 2),
    stepMovingDeltaMicros: round(movingDeltaMicros, 2),
    stepReportMicros: round(reportMicros / Math.max(1, reportCount), 2),
    symbolFiguresMicros: round(figuresMicros, 2),
    stepTimerMicros: round(timerMicros, 2),
  };
}

export async function runActorMicro(options: { quick: boolean }): Promise<BenchResult> {
  const finish = beginResult("actor-micro", "Symbol actor CPU per message (in-process, no NATS)", options.quick);
  const figures = actorMicro(options.quick ? 5000 : 50_000);
  return finish({
    method:
      "One SymbolStepper in the bench process, no NATS, no worker: microseconds per delta decode+validate (ajv), per actor step on a depth-only delta (no intent), on a moving-mid delta (cancels both orders), per execution-report step (CANCELED -> NEW, ACCEPTED), per symbolFigures call (heartbeat and risk report: includes volatility over 60 mid samples) and per 100 ms TIMER step. Wall-clock per call on a loaded machine: a ceiling, not a floor.",
    goals: Object.entries(figures).map(([metric, value]) => ({ metric, value: `${value} us`, goal: "(diagnostic)", met: null })),
    data: figures,
  });
}

if (require.main === module) {
  const iterations = Number(process.argv[2] ?? 20_000);
  console.log(actorMicro(iterations));
}
