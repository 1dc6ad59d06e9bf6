import type { MessagePort } from "node:worker_threads";
import type { SymbolConfig } from "@mms/contracts/runtime";
import { Big, ZERO, type Decimal, type SymbolEvent } from "@mms/trading-core";
import { readRecording } from "../replay";
import { sentIntents, SymbolStepper } from "../symbol-stepper";
import { SimulatedVenue } from "./simulated-venue";

export interface VariantTask {
  readonly recordingPath: string;
  /** The symbol's config with this variant's values already applied and validated. */
  readonly symbolConfig: SymbolConfig;
  readonly parameters: Readonly<Record<string, string>>;
  readonly makerFeeBps: string;
  readonly progressPort?: MessagePort;
}

export interface VariantSample {
  readonly t: number;
  readonly pnl: string;
  readonly position: string;
}

export interface VariantResult {
  readonly parameters: Readonly<Record<string, string>>;
  readonly pnl: string;
  readonly realizedPnl: string;
  readonly fees: string;
  readonly fills: number;
  readonly timeQuotedMs: number;
  readonly durationMs: number;
  readonly maxAbsPosition: string;
  readonly finalPosition: string;
  readonly series: readonly VariantSample[];
}

const MARKET_INPUTS = new Set<SymbolEvent["kind"]>(["BOOK_SNAPSHOT", "BOOK_DELTA", "PUBLIC_TRADE", "MARKET_STATUS", "TIMER"]);
const SERIES_POINTS = 300;
const RESUME = { operator: "backtest", reason: "backtest operator resumes whenever the symbol is paused" };

/**
 * One variant of a backtest: the recorded market, fed through the real symbol actor with
 * the variant's parameters, against a simulated venue. A piscina task.
 */
export default function runVariant(task: VariantTask): VariantResult {
  const recording = readRecording(task.recordingPath);
  const config: SymbolConfig = { ...task.symbolConfig, mode: "live" };
  const stepper = new SymbolStepper({ ...recording.settings, config, leaseRequired: false, initialMode: "live" }, "backtest");
  const actor = stepper.actor;
  const venue = new SimulatedVenue(recording.settings.account, config.symbol, new Big(task.makerFeeBps));
  const inputs = recording.inputs.filter((input) => MARKET_INPUTS.has(input.event.kind));
  const first = inputs[0]?.now ?? recording.startedAt;
  const last = inputs[inputs.length - 1]?.now ?? first;
  const sampleEveryMs = Math.max(1, Math.floor((last - first) / SERIES_POINTS));

  let maxAbsPosition: Decimal = ZERO;
  let timeQuotedMs = 0;
  let previousNow = first;
  let nextSampleAt = first;
  let requestCounter = 0;
  const series: VariantSample[] = [];

  const feed = (event: SymbolEvent, now: number): void => {
    const output = stepper.step(event, now);
    for (const intent of sentIntents(output.commands)) {
      for (const report of venue.submit(intent, now, actor.book?.bestBid(), actor.book?.bestAsk())) feed({ kind: "EXECUTION_REPORT", report, replay: false }, now);
    }
  };

  feed({ kind: "RECOVERY_COMPLETE" }, first);
  inputs.forEach((input, index) => {
    const now = input.now;
    if (actor.state.name === "ACTIVE" && venue.restingCount > 0) timeQuotedMs += now - previousNow;
    previousNow = now;
    feed(input.event, now);
    if (input.event.kind === "PUBLIC_TRADE") for (const report of venue.onTrade(input.event.trade, now)) feed({ kind: "EXECUTION_REPORT", report, replay: false }, now);
    if (input.event.kind === "TIMER" && actor.state.name === "PAUSED") feed({ kind: "CONTROL", requestId: `bt-${++requestCounter}`, command: "resume", body: RESUME }, now);
    const position = actor.ledger.position.abs();
    if (position.gt(maxAbsPosition)) maxAbsPosition = position;
    if (now >= nextSampleAt) {
      series.push({ t: now - first, pnl: actor.ledger.equity(actor.book?.mid()).toFixed(), position: actor.ledger.position.toFixed() });
      nextSampleAt = now + sampleEveryMs;
    }
    if (task.progressPort && index % 5000 === 0) task.progressPort.postMessage({ parameters: task.parameters, done: index, total: inputs.length });
  });
  const mark = actor.book && !actor.book.isCrossed() ? actor.book.mid() : undefined;
  task.progressPort?.postMessage({ parameters: task.parameters, done: inputs.length, total: inputs.length });
  task.progressPort?.close();
  return {
    parameters: task.parameters,
    pnl: actor.ledger.equity(mark).toFixed(),
    realizedPnl: actor.ledger.realizedPnl.toFixed(),
    fees: actor.ledger.fees.toFixed(),
    fills: actor.ledger.fillCount,
    timeQuotedMs,
    durationMs: last - first,
    maxAbsPosition: maxAbsPosition.toFixed(),
    finalPosition: actor.ledger.position.toFixed(),
    series,
  };
}
