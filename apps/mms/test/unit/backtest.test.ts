import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateServiceConfig } from "@mms/contracts";
import { expandSweeps, runBacktest } from "../../src/backtest/backtest";
import { readRecording, replayRecording } from "../../src/replay";
import { writeSyntheticRecording } from "../support/synthetic-recording";
import { serviceConfig } from "../support/service-harness";
import { symbolConfig } from "@mms/test-support";

jest.setTimeout(60_000);

const directory = mkdtempSync(join(tmpdir(), "mms-backtest-"));
// Fill-burst limits out of reach: a frozen variant would quote less, and the sweep compares spreads.
const unfrozen = { windowMs: 1000, maxFills: 1000, maxFillQty: "1000", maxNetQty: "1000", frozenMs: 5000 };
const config = serviceConfig("nats://127.0.0.1:1", [symbolConfig("BTCUSDT-PERP", { maxOrdersPerSecond: 20, staleMs: 3000, mmp: unfrozen })]);
const recordingPath = join(directory, "BTCUSDT-PERP.jsonl");
const configPath = join(directory, "config.json");

beforeAll(() => {
  writeSyntheticRecording(recordingPath, config.symbols[0]!, { seed: 7, durationMs: 60_000, startPrice: "50000.0" });
  const { account, instanceName, leaseMs, nats, risk } = config;
  const file = { account, instanceName, leaseMs, nats, risk, symbols: config.symbols };
  expect(validateServiceConfig(file, { defaultInstanceName: "x" }).ok).toBe(true);
  writeFileSync(configPath, JSON.stringify(file));
});

describe("backtest", () => {
  test("a sweep expands into every combination of its values", () => {
    expect(expandSweeps(["spreadBps=5,10,20", "skewBps=0,5"])).toHaveLength(6);
    expect(expandSweeps(["spreadBps=5,10"])).toEqual([{ spreadBps: "5" }, { spreadBps: "10" }]);
    expect(() => expandSweeps(["spreadBps"])).toThrow("expected name=value1,value2");
  });

  test("every variant runs on the pool and the report has a row, a CSV line and a chart per variant", async () => {
    const progress: string[] = [];
    const output = await runBacktest({ configPath, recordingPath, sweeps: ["spreadBps=5,10,20", "skewBps=0,5"], outputDirectory: join(directory, "report"), makerFeeBps: "-1", threads: 2, onProgress: (line) => progress.push(line) });
    expect(output.results).toHaveLength(6);
    expect(progress.filter((line) => line.startsWith("["))).toHaveLength(6);
    // A wider spread is crossed by fewer trades: fills never increase with the spread.
    const fills = (spread: string) => output.results.find((result) => result.parameters.spreadBps === spread && result.parameters.skewBps === "0")!.fills;
    expect(fills("5")).toBeGreaterThan(0);
    expect(fills("5")).toBeGreaterThanOrEqual(fills("10"));
    expect(fills("10")).toBeGreaterThanOrEqual(fills("20"));
    for (const result of output.results) {
      expect(result.timeQuotedMs).toBeGreaterThan(0);
      expect(result.series.length).toBeGreaterThan(100);
    }
    const csv = readFileSync(output.files.csv, "utf8").trim().split("\n");
    expect(csv[0]).toBe("spreadBps,skewBps,pnl,realizedPnl,fees,fills,timeQuotedMs,timeQuotedShare,maxAbsPosition,finalPosition,durationMs");
    expect(csv).toHaveLength(7);
    const html = readFileSync(output.files.html, "utf8");
    expect(html.match(/<polyline/g)).toHaveLength(12);
    expect(html).not.toMatch(/<script|src=|href=/);
  });

  test("the same recording and parameters give the same result twice", async () => {
    const run = () => runBacktest({ configPath, recordingPath, sweeps: ["spreadBps=10"], outputDirectory: join(directory, "again"), makerFeeBps: "0", threads: 1 });
    const [first, second] = [await run(), await run()];
    expect(second.results).toEqual(first.results);
  });

  test("a recording replays to identical intents and events every time", () => {
    const recording = readRecording(recordingPath);
    expect(replayRecording(recording)).toEqual(replayRecording(readRecording(recordingPath)));
  });

  test("a corrupt recording line is refused with its line number", () => {
    const broken = join(directory, "broken.jsonl");
    const lines = readFileSync(recordingPath, "utf8").split("\n");
    lines[3] = JSON.stringify({ kind: "INPUT", now: 1, event: { kind: "BOOK_DELTA", delta: { symbol: "BTCUSDT-PERP", seq: 1, ts: 1, bids: [[50000, "1"]], asks: [] } } });
    writeFileSync(broken, lines.join("\n"));
    expect(() => readRecording(broken)).toThrow(/broken\.jsonl:4: .*\/event\/delta\/bids\/0\/0/);
  });
});
