import { Big } from "@mms/trading-core";
import type { VariantResult } from "./run-variant";

const CSV_COLUMNS = ["pnl", "realizedPnl", "fees", "fills", "timeQuotedMs", "timeQuotedShare", "maxAbsPosition", "finalPosition", "durationMs"] as const;

export function variantLabel(result: Pick<VariantResult, "parameters">): string {
  return Object.entries(result.parameters)
    .map(([name, value]) => `${name}=${value}`)
    .join(" ");
}

function quotedShare(result: VariantResult): string {
  return result.durationMs === 0 ? "0" : (result.timeQuotedMs / result.durationMs).toFixed(4);
}

export function toCsv(results: readonly VariantResult[]): string {
  const parameterNames = [...new Set(results.flatMap((result) => Object.keys(result.parameters)))];
  const header = [...parameterNames, ...CSV_COLUMNS].join(",");
  const rows = results.map((result) =>
    [
      ...parameterNames.map((name) => result.parameters[name] ?? ""),
      result.pnl,
      result.realizedPnl,
      result.fees,
      String(result.fills),
      String(result.timeQuotedMs),
      quotedShare(result),
      result.maxAbsPosition,
      result.finalPosition,
      String(result.durationMs),
    ].join(","),
  );
  return `${[header, ...rows].join("\n")}\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (character) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[character]!);
}

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

/** An SVG line chart. Values stay decimals; only screen coordinates become numbers. */
function lineChart(title: string, results: readonly VariantResult[], pick: (sample: VariantResult["series"][number]) => string): string {
  const width = 860;
  const height = 260;
  const pad = 48;
  const points = results.map((result) => result.series.map((sample) => [sample.t, new Big(pick(sample))] as const));
  const all = points.flat();
  const maxT = Math.max(1, ...all.map(([t]) => t));
  const low = all.reduce((lowest, [, value]) => (value.lt(lowest) ? value : lowest), new Big(0));
  const high = all.reduce((highest, [, value]) => (value.gt(highest) ? value : highest), new Big(0));
  const span = high.minus(low).eq(0) ? new Big(1) : high.minus(low);
  const x = (t: number) => (pad + (t / maxT) * (width - 2 * pad)).toFixed(1);
  const y = (value: Big) => new Big(height - pad).minus(value.minus(low).div(span).times(height - 2 * pad)).toFixed(1);
  const lines = points
    .map((series, index) => `<polyline fill="none" stroke="${COLOURS[index % COLOURS.length]}" stroke-width="1.5" points="${series.map(([t, value]) => `${x(t)},${y(value)}`).join(" ")}"><title>${escapeHtml(variantLabel(results[index]!))}</title></polyline>`)
    .join("\n");
  const legend = results.map((result, index) => `<tspan x="${pad}" dy="14" fill="${COLOURS[index % COLOURS.length]}">■ ${escapeHtml(variantLabel(result))}</tspan>`).join("");
  return `<h2>${escapeHtml(title)}</h2>
<svg width="${width}" height="${height + 14 * results.length}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="11">
<line x1="${pad}" y1="${y(new Big(0))}" x2="${width - pad}" y2="${y(new Big(0))}" stroke="#999" stroke-dasharray="4 3"/>
<line x1="${pad}" y1="${pad / 2}" x2="${pad}" y2="${height - pad}" stroke="#333"/>
<text x="4" y="${y(high)}">${escapeHtml(high.toFixed(2))}</text><text x="4" y="${y(low)}">${escapeHtml(low.toFixed(2))}</text>
<text x="${width - pad - 60}" y="${height - pad + 16}">${(maxT / 1000).toFixed(1)} s</text>
${lines}
<text y="${height}">${legend}</text>
</svg>`;
}

/** One self-contained page: the table and PnL and inventory charts, no external assets. */
export function toHtml(results: readonly VariantResult[], title: string): string {
  const parameterNames = [...new Set(results.flatMap((result) => Object.keys(result.parameters)))];
  const header = [...parameterNames, "PnL", "fees", "fills", "time quoted", "max |position|"].map((cell) => `<th>${escapeHtml(cell)}</th>`).join("");
  const rows = results
    .map((result) => {
      const cells = [...parameterNames.map((name) => result.parameters[name] ?? ""), result.pnl, result.fees, String(result.fills), `${result.durationMs === 0 ? "0.0" : ((100 * result.timeQuotedMs) / result.durationMs).toFixed(1)}%`, result.maxAbsPosition];
      return `<tr>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`;
    })
    .join("\n");
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<table><tr>${header}</tr>
${rows}
</table>
${lineChart("PnL over time (realized + unrealized at mid - fees)", results, (sample) => sample.pnl)}
${lineChart("Inventory over time (position)", results, (sample) => sample.position)}
</body></html>
`;
}
