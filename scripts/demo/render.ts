// The screen (or, with --no-ui, one line per symbol per second) from the collected views.
import Big from "big.js";
import type { AuditEvent } from "@mms/contracts";
import { findExecutable } from "./nats";
import { write } from "./output";
import type { DemoView, SymbolView } from "./view";

const fmt = (value: Big | undefined, places?: number): string => (value === undefined ? "-" : places === undefined ? value.toFixed() : value.toFixed(places));

/** Digits after the point of a tick: "0.1" -> 1, "0.01" -> 2, "1" -> 0. */
function decimalPlaces(step: string): number {
  const dot = step.indexOf(".");
  return dot < 0 ? 0 : step.length - dot - 1;
}

function spreadText(bid: Big | undefined, ask: Big | undefined, places: number): string {
  if (!bid || !ask) return "one-sided";
  const width = ask.minus(bid);
  if (width.lte(0)) return `CROSSED by ${width.neg().toFixed(places)}`;
  const bps = width.div(bid.plus(ask).div(2)).times(10000);
  return `${width.toFixed(places)} (${bps.toFixed(1)} bps)`;
}

function stateColour(state: string | undefined): string {
  return state === "ACTIVE" ? "\x1b[32m" : state === "HALTED" ? "\x1b[31m" : "\x1b[33m";
}

/** State, the stop's reason code (any of the vocabulary, protection stops included) and the quoting mode markers. */
function stateOf(status: SymbolView["status"], reasonSeparator: (reason: string) => string): string {
  if (!status) return "no status";
  return `${status.state}${status.reason ? reasonSeparator(status.reason) : ""}${status.reduceOnly ? " [reduce-only]" : ""}${status.mode === "shadow" ? " [shadow]" : ""}`;
}

function symbolBlock(view: SymbolView): string[] {
  const status = view.status;
  const exchange = view.exchange;
  const stateText = stateOf(status, (reason) => ` (${reason})`);
  const market = exchange
    ? `exchange ${String(exchange.status)}${exchange.marketDataStopped ? ", md STOPPED" : ""}${exchange.marketDataDelayMs ? `, md delayed ${String(exchange.marketDataDelayMs)} ms` : ""}${exchange.driverPaused ? ", driver paused" : ""}, fair ${String(exchange.fairValue)}`
    : "";
  const target = new Big(view.config.spreadBps);
  const mid = view.withMms?.bid && view.withMms.ask ? view.withMms.bid.plus(view.withMms.ask).div(2) : undefined;
  const dp = decimalPlaces(view.config.tickSize);
  const quotes = view.mmsOrders.length > 0 ? view.mmsOrders.map((order) => `${order.side} ${order.leavesQty} @ ${new Big(order.px).toFixed(dp)}`).join("   ") : "none resting";
  const lines = [
    `\x1b[1m${view.config.symbol}\x1b[0m  ${stateColour(status?.state)}${stateText}\x1b[0m   ${market}`,
    `  market with MMS      ${fmt(view.withMms?.bid, dp).padStart(12)} / ${fmt(view.withMms?.ask, dp).padEnd(12)} spread ${spreadText(view.withMms?.bid, view.withMms?.ask, dp)}`,
    view.withoutMms
      ? `  market without MMS   ${fmt(view.withoutMms.bid, dp).padStart(12)} / ${fmt(view.withoutMms.ask, dp).padEnd(12)} spread ${spreadText(view.withoutMms.bid, view.withoutMms.ask, dp)}`
      : `  market without MMS   ${view.bookNote ?? "-"}`,
    `  MMS quotes           ${quotes}   (target spread ${target.toFixed()} bps${mid ? ` = ${mid.times(target).div(10000).toFixed(dp)}` : ""}; orders sent ${view.orderRate.toFixed(1)}/s)`,
  ];
  if (status) {
    lines.push(
      `  position ${status.position}${status.avgEntryPx ? ` @ ${new Big(status.avgEntryPx).toFixed(2)}` : ""} (max ${view.config.maxPosition})   realized ${new Big(status.realizedPnl ?? 0).toFixed(4)}   unrealized ${new Big(status.unrealizedPnl ?? 0).toFixed(4)}   fees ${new Big(status.fees ?? 0).toFixed(4)}   fills this run ${view.fills ?? 0}`,
    );
  }
  return lines;
}

function compactLine(view: SymbolView): string {
  const status = view.status;
  const dp = decimalPlaces(view.config.tickSize);
  const quotes = view.mmsOrders.length > 0 ? view.mmsOrders.map((order) => `${order.side === "BUY" ? "b" : "a"} ${new Big(order.px).toFixed(dp)}`).join(" ") : "none";
  const exchange = view.exchange;
  const exchangeNotes = exchange
    ? [exchange.status === "TRADING" ? undefined : `exchange ${String(exchange.status)}`, exchange.marketDataStopped ? "md stopped" : undefined, exchange.marketDataDelayMs ? `md delayed ${String(exchange.marketDataDelayMs)} ms` : undefined].filter((note) => note !== undefined)
    : [];
  const withoutText = view.withoutMms ? `${fmt(view.withoutMms.bid, dp)}/${fmt(view.withoutMms.ask, dp)} ${spreadText(view.withoutMms.bid, view.withoutMms.ask, dp)}` : "n/a (no md)";
  return [
    view.config.symbol,
    (status ? stateOf(status, (reason) => `/${reason}`) : "no-status") + (exchangeNotes.length > 0 ? ` (${exchangeNotes.join(", ")})` : ""),
    `mkt ${fmt(view.withMms?.bid, dp)}/${fmt(view.withMms?.ask, dp)} ${spreadText(view.withMms?.bid, view.withMms?.ask, dp)}`,
    `w/o MMS ${withoutText}`,
    `quotes ${quotes} (${view.orderRate.toFixed(1)} orders/s)`,
    status ? `pos ${status.position} rpnl ${new Big(status.realizedPnl ?? 0).toFixed(2)} upnl ${new Big(status.unrealizedPnl ?? 0).toFixed(2)} fees ${new Big(status.fees ?? 0).toFixed(4)}` : "",
  ].join(" | ");
}

/** The audit events worth a line; quotes, risk reports and single-order intents are only counted. */
export function describeEvent(event: AuditEvent): string | undefined {
  switch (event.type) {
    case "state":
      return `state ${event.from} -> ${event.to}${event.reason ? ` (${event.reason})` : ""}`;
    case "control":
      return `control ${event.command} by ${event.operator ?? "anonymous"}: ${event.accepted ? "accepted" : `refused ${event.refusal ?? ""}`} (${event.from} -> ${event.to})`;
    case "alert":
      return `ALERT ${event.reason}: ${event.message}`;
    case "fill":
      return `fill ${event.side} ${event.qty} @ ${event.px} ${event.liquidity} fee ${event.fee} -> position ${event.position}`;
    case "intent":
      return event.intent.kind === "CANCEL_ALL" ? `intent CANCEL_ALL (${event.intent.reason})${event.shadow ? " [shadow]" : ""}` : undefined;
    default:
      return undefined;
  }
}

export function operatorCommands(url: string, symbol: string, ansi = true): string[] {
  const nats = `nats --server ${url}`;
  const body = (reason: string) => `'{"operator":"alice","reason":"${reason}"}'`;
  const installed = findExecutable("nats") ? "" : "  (nats CLI not found here: https://github.com/nats-io/natscli)";
  return [
    `${ansi ? "\x1b[1m" : ""}Operator commands${ansi ? "\x1b[0m" : ""}${installed}`,
    `  kill everything:  ${nats} pub mms.control.all.kill ''`,
    `  pause one:        ${nats} req mms.control.${symbol}.pause ${body("looking")}`,
    `  reset a halt:     ${nats} req mms.control.${symbol}.reset ${body("checked")}`,
    `  resume:           ${nats} req mms.control.${symbol}.resume ${body("feed back")}`,
    `  reduce-only:      ${nats} req mms.control.${symbol}.reduce ${body("work off the position")}   (quotes only toward zero; PAUSED REDUCED when flat)`,
    `  status:           ${nats} req mms.status ''`,
    `  exchange faults:  ${nats} req sim.control.${symbol}.halt ''   (then resume-trading; also stop-md/start-md, crossed, skip-seq, delay-md '{"ms":2500}', reject-all '{"enabled":true}')`,
  ];
}

export function render(demo: DemoView, views: readonly SymbolView[], elapsedMs: number): void {
  if (demo.info.noUi) {
    const time = `${(elapsedMs / 1000).toFixed(0).padStart(4)}s`;
    for (const view of views) write(`${time} ${compactLine(view)}\n`);
    if (demo.mmsExit) write(`${time} MMS ${demo.mmsExit}\n`);
    return;
  }
  const lines: string[] = [];
  const uptime = new Date(elapsedMs).toISOString().slice(11, 19);
  lines.push(`\x1b[1mMarket Maker Service demo\x1b[0m  up ${uptime}   Ctrl-C stops everything cleanly`);
  lines.push(`NATS ${demo.info.url} (${demo.info.origin})   MMS pid ${demo.info.mmsPid ?? "-"}, http 127.0.0.1:${demo.info.httpPort}, account ${demo.account}`);
  lines.push(`logs: ${demo.info.work}`);
  if (demo.mmsExit) lines.push(`\x1b[31mMMS ${demo.mmsExit}\x1b[0m`);
  for (const view of views) lines.push("", ...symbolBlock(view));
  lines.push("", `\x1b[1mLast audit events\x1b[0m (mms.events.>; ${[...demo.eventCounts].map(([type, count]) => `${type} ${count}`).join(", ") || "none yet"})`);
  lines.push(...(demo.events.length > 0 ? demo.events.map((line) => `  ${line}`) : ["  (none yet)"]));
  lines.push("", ...operatorCommands(demo.info.url, demo.config.symbols[0]?.symbol ?? "BTCUSDT-PERP"));
  write(`\x1b[H\x1b[2J${lines.join("\n")}\n`);
}
