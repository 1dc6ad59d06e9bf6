import type { BenchResult } from "./machine";
import type { PhaseRecord } from "./phase";
import { ratio as ratioOf, type LatencySummary } from "./stats";

/** A markdown table. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
}

const thousands = (value: number) => value.toLocaleString("en-US");
const triple = (summary: LatencySummary) => `${summary.p50Ms} / ${summary.p99Ms} / ${summary.p999Ms}`;

/** Phases in order; `label` names the round when several rates share a table. */
function phaseTable(phases: ReadonlyArray<PhaseRecord & { readonly label?: string }>): string {
  return table(
    ["round", "phase", "s", "messages", "CPU us/msg (its own process)", "cores MMS / floor (the phase's) / nats / bench", "1-min load at start"],
    phases.map((phase) => [phase.label ?? phase.round, phase.subject, phase.seconds, thousands(phase.messages), phase.microsPerMessage, `${phase.cores.mms ?? "-"} / ${(phase.subject === "cycleFloor" ? phase.cores.cycleFloor : phase.cores.floor) ?? "-"} / ${phase.cores.natsServer ?? "-"} / ${phase.cores.bench ?? "-"}`, phase.loadAtStart]),
  );
}

interface ThroughputStepView {
  targetRate: number;
  achievedRate: number;
  deliveredRate: number;
  seconds: number;
  held: boolean;
  failures: string[];
  rssMb: { start: number; max: number; end: number };
  floor: PhaseRecord;
  threadFloor?: PhaseRecord;
  mms: PhaseRecord;
}

function throughputDetail(result: BenchResult): string {
  const steps = (result.data as { steps: ThroughputStepView[] }).steps;
  return table(
    ["msg/s", "MMS phase s", "published / delivered msg/s", "held", "MMS CPU us/msg", "floor CPU us/msg", "thread floor CPU us/msg (cores)", "MMS / floor", "MMS cores", "load at start floor / MMS", "RSS start / max / end MB"],
    steps.map((step) => [
      thousands(step.targetRate),
      step.seconds,
      `${thousands(step.achievedRate)} / ${thousands(step.deliveredRate)}`,
      step.held ? "held" : `**no**: ${step.failures.join("; ")}`,
      step.mms.microsPerMessage,
      step.floor.microsPerMessage,
      step.threadFloor ? `${step.threadFloor.microsPerMessage} (${step.threadFloor.cores.floor ?? "-"})` : "-",
      Math.round((step.mms.microsPerMessage / step.floor.microsPerMessage) * 10) / 10,
      step.mms.cores.mms ?? "-",
      `${step.floor.loadAtStart} / ${step.mms.loadAtStart}`,
      `${step.rssMb.start} / ${step.rssMb.max} / ${step.rssMb.end}`,
    ]),
  );
}

function idleDetail(result: BenchResult): string {
  const data = result.data as { phases: PhaseRecord[]; mmsThreadsFirstPhase?: { mainThread: number; otherThreads: number; busiest: Array<{ name: string; seconds: number }> } };
  const threads = data.mmsThreadsFirstPhase;
  return `${phaseTable(data.phases)}${threads ? `\n\nMMS CPU seconds in the first MMS phase: main thread ${threads.mainThread}, other threads ${threads.otherThreads} (busiest: ${threads.busiest.map((thread) => `${thread.name} ${thread.seconds}`).join(", ")}).` : ""}`;
}

interface LatencyRunView {
  rate: number;
  variant?: string;
  floor: LatencySummary;
  cycleFloor?: LatencySummary;
  subject: LatencySummary;
  p50Ratio: number;
  p99Ratio: number;
  p999Ratio: number;
  coverage?: number;
  alerts: Record<string, number>;
  phases?: PhaseRecord[];
  mmsMicrosPerMessage?: number;
  floorMicrosPerMessage?: number;
  cycleFloorMicrosPerMessage?: number;
  cycleFloorP50Ratio?: number;
  cycleFloorP99Ratio?: number;
  requoteCycle?: { cancelToReport: LatencySummary; reportToNew: LatencySummary };
  achievedRate: number;
}

function latencyDetail(result: BenchResult): string {
  const runs = (result.data as { runs: LatencyRunView[] }).runs;
  const main = table(
    ["deltas/s", "floor p50 / p99 / p99.9 ms", "MMS p50 / p99 / p99.9 ms", "ratio p50 / p99 / p99.9", "samples MMS / floor", "coverage", "alerts", "CPU us/msg MMS / floor", "CANCEL->report / report->NEW p50 ms"],
    runs.map((run) => [
      `${thousands(run.rate)} (got ${thousands(run.achievedRate)})`,
      triple(run.floor),
      triple(run.subject),
      `${run.p50Ratio} / ${run.p99Ratio} / ${run.p999Ratio}`,
      `${run.subject.count} / ${run.floor.count}`,
      run.coverage ?? "-",
      Object.keys(run.alerts).length ? JSON.stringify(run.alerts) : "none",
      `${run.mmsMicrosPerMessage ?? "-"} / ${run.floorMicrosPerMessage ?? "-"}`,
      run.requoteCycle ? `${run.requoteCycle.cancelToReport.p50Ms} / ${run.requoteCycle.reportToNew.p50Ms}` : "-",
    ]),
  );
  const withCycleFloor = runs.filter((run) => run.cycleFloor !== undefined);
  const cycle = withCycleFloor.length
    ? `\n\nThe requote floor (\`bench/cycle-floor.ts\`: a worker thread and connection per symbol doing the contract's messaging of each requote cycle with the MMS's JetStream publisher, no logic), measured like the MMS:\n\n${table(
        ["deltas/s", "requote floor p50 / p99 / p99.9 ms", "requote floor / floor p50 / p99", "MMS / requote floor p50 / p99", "CPU us/msg requote floor"],
        withCycleFloor.map((run) => [thousands(run.rate), triple(run.cycleFloor!), `${ratioOf(run.cycleFloor!.p50Ms, run.floor.p50Ms)} / ${ratioOf(run.cycleFloor!.p99Ms, run.floor.p99Ms)}`, `${run.cycleFloorP50Ratio ?? "-"} / ${run.cycleFloorP99Ratio ?? "-"}`, run.cycleFloorMicrosPerMessage ?? "-"]),
      )}`
    : "";
  const phases = runs.flatMap((run) => (run.phases ?? []).map((phase) => ({ ...phase, label: `${thousands(run.rate)}/s #${phase.round}` })));
  return `${main}${cycle}${phases.length ? `\n\nPhases:\n\n${phaseTable(phases)}` : ""}`;
}

function overloadDetail(result: BenchResult): string {
  const data = result.data as { rate: number; floor: PhaseRecord; mms: PhaseRecord; afterBurst: Record<string, number>; afterResume: Record<string, number>; alerts: Array<{ symbol: string; reason: string; message: string }>; quoteEvents: number; published: number };
  const lines = [
    `Rate ${thousands(data.rate)} msg/s. States after the burst: ${JSON.stringify(data.afterBurst)}; after the resume: ${JSON.stringify(data.afterResume)}. ${thousands(data.quoteEvents)} quote events for ${thousands(data.published)} deltas.`,
    "",
    phaseTable([data.floor, data.mms]),
  ];
  if (data.alerts.length) lines.push("", `Alerts (first 5 of ${data.alerts.length}): ${data.alerts.slice(0, 5).map((alert) => `${alert.symbol} ${alert.reason}: ${alert.message}`).join("; ")}`);
  return lines.join("\n");
}

function killDetail(result: BenchResult): string {
  const data = result.data as { startupMs: number; lastCancelAll: LatencySummary; lastAck: LatencySummary; firstCancelAll: LatencySummary; floorLastCancelAll: LatencySummary; floorLastAck: LatencySummary };
  return `50 symbols ready ${data.startupMs} ms after spawn.\n\n${table(
    ["ms from the kill publish", "p50", "p99", "max", "trials"],
    [
      ["MMS first CANCEL_ALL", data.firstCancelAll.p50Ms, data.firstCancelAll.p99Ms, data.firstCancelAll.maxMs, data.firstCancelAll.count],
      ["MMS 50th CANCEL_ALL", data.lastCancelAll.p50Ms, data.lastCancelAll.p99Ms, data.lastCancelAll.maxMs, data.lastCancelAll.count],
      ["MMS 50th JetStream ack", data.lastAck.p50Ms, data.lastAck.p99Ms, data.lastAck.maxMs, data.lastAck.count],
      ["floor 50th CANCEL_ALL", data.floorLastCancelAll.p50Ms, data.floorLastCancelAll.p99Ms, data.floorLastCancelAll.maxMs, data.floorLastCancelAll.count],
      ["floor 50th JetStream ack", data.floorLastAck.p50Ms, data.floorLastAck.p99Ms, data.floorLastAck.maxMs, data.floorLastAck.count],
    ],
  )}`;
}

function startupDetail(result: BenchResult): string {
  type Point = { symbols: number; readyMs: number; allPausedStartupMs: number; resumableMs: number; cpuSecondsToReady: number; rssMb: number; symbolHeapMb: number; loadAtStart: number; states: Record<string, number> };
  const data = result.data as { baseline: Point; point: Point; marginalMb: number; breakdown: Array<{ kind: string; count: number; perWorkerMb: number; spawnAllMs: number; error?: string }> };
  const points = table(
    ["symbols", "spawn -> readyz ms", "-> all PAUSED/STARTUP ms", "-> resumable ms", "CPU s to ready", "RSS MB", "RSS/n MB", "symbol thread heap MB", "1-min load at start"],
    [data.baseline, data.point].map((point) => [point.symbols, point.readyMs, point.allPausedStartupMs, point.resumableMs, point.cpuSecondsToReady, point.rssMb, Math.round((point.rssMb / point.symbols) * 10) / 10, point.symbolHeapMb, point.loadAtStart]),
  );
  const breakdown = table(
    ["idle worker thread (each adds to the one above)", "workers", "RSS MB per worker", "spawn all ms"],
    data.breakdown.map((row) => [row.kind, row.count, row.error ? `- (${row.error.slice(0, 80)})` : row.perWorkerMb, row.spawnAllMs]),
  );
  return `${points}\n\nRSS per actor (marginal): ${data.marginalMb} MB. Where a worker's memory goes, against the bare isolate (bench/worker-footprint.ts, plain node, compiled JS):\n\n${breakdown}`;
}

function recoveryDetail(result: BenchResult): string {
  type Point = { reports: number; readyMs: number; reportsPerSecond: number; replayReportsPerSecond: number | null; cpuSeconds: number; microsPerReport?: number | null; serverMicrosPerReport?: number | null; floor?: { reportsPerSecond: number; microsPerReport: number; serverMicrosPerReport?: number } | null; loadAtStart?: number };
  const data = result.data as { points: Point[]; loads: Array<{ reports: number; rate: number }> };
  return `${table(
    ["reports in EXEC", "spawn -> /readyz 200 ms", "reports/s end to end", "reports/s replay only", "CPU s to ready", "CPU us/report", "server us/report", "floor consumer reports/s", "floor us/report", "floor server us/report", "1-min load at start"],
    data.points.map((point) => [thousands(point.reports), point.readyMs, thousands(point.reportsPerSecond), point.replayReportsPerSecond === null ? "-" : thousands(point.replayReportsPerSecond), point.cpuSeconds, point.microsPerReport ?? "-", point.serverMicrosPerReport ?? "-", point.floor ? thousands(point.floor.reportsPerSecond) : "-", point.floor?.microsPerReport ?? "-", point.floor?.serverMicrosPerReport ?? "-", point.loadAtStart ?? "-"]),
  )}\n\nLoading EXEC: ${data.loads.map((load) => `${thousands(load.reports)} reports at ${thousands(load.rate)}/s`).join(", ")}.`;
}

function soakDetail(result: BenchResult): string {
  const data = result.data as { minutes: number; samples: Array<{ t: number; rssMb: number; heapMb: number; loopDelayP99Ms: number; loopDelayMaxMs: number; fills: number }> };
  const every = Math.max(1, Math.floor(data.samples.length / 10));
  const rows = data.samples.filter((_sample, index) => index % every === 0 || index === data.samples.length - 1);
  return table(
    ["min", "RSS MB", "heap MB (all threads)", "loop delay p99 / max ms (worst thread)", "fills so far"],
    rows.map((sample) => [Math.round((sample.t / 60) * 10) / 10, sample.rssMb, sample.heapMb, `${sample.loopDelayP99Ms} / ${sample.loopDelayMaxMs}`, sample.fills]),
  );
}

function connectionsDetail(result: BenchResult): string {
  const data = result.data as { runs: LatencyRunView[] };
  return table(
    ["variant", "deltas/s", "floor p50 / p99 / p99.9 ms", "variant p50 / p99 / p99.9 ms", "ratio to floor p50 / p99 / p99.9"],
    data.runs.map((run) => [run.variant ?? "?", run.rate, triple(run.floor), triple(run.subject), `${run.p50Ratio} / ${run.p99Ratio} / ${run.p999Ratio}`]),
  );
}

function microDetail(result: BenchResult): string {
  return table(["per call", "microseconds"], Object.entries(result.data as Record<string, number>).map(([key, value]) => [key, value]));
}

export const DETAILS: Record<string, (result: BenchResult) => string> = {
  throughput: throughputDetail,
  idle: idleDetail,
  "tick-to-intent": latencyDetail,
  overload: overloadDetail,
  kill: killDetail,
  startup: startupDetail,
  recovery: recoveryDetail,
  soak: soakDetail,
  "nats-connections": connectionsDetail,
  "actor-micro": microDetail,
};
