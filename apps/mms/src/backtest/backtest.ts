import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import { compileValidator, formatIssues, SymbolConfig as SymbolConfigSchema, type SymbolConfig } from "@mms/contracts";
import { loadConfig } from "../config-file";
import { readRecording } from "../replay";
import { compiledModule } from "../worker-spawn";
import { toCsv, toHtml, variantLabel } from "./report";
import type { VariantResult, VariantTask } from "./run-variant";

const validateSymbolConfig = compileValidator(SymbolConfigSchema);
const INTEGER_FIELDS = new Set(["requoteToleranceTicks", "maxOrdersPerSecond", "staleMs", "deadManMs"]);

export interface BacktestOptions {
  readonly configPath: string;
  readonly recordingPath: string;
  /** `name=v1,v2,...`, one per swept parameter. */
  readonly sweeps: readonly string[];
  readonly outputDirectory: string;
  readonly makerFeeBps: string;
  readonly threads?: number;
  readonly onProgress?: (line: string) => void;
}

export interface BacktestOutput {
  readonly results: readonly VariantResult[];
  readonly files: { readonly json: string; readonly csv: string; readonly html: string };
}

export class BacktestError extends Error {}

/** Every combination of the sweeps: `a=1,2` x `b=x,y` gives four variants. */
export function expandSweeps(sweeps: readonly string[]): Array<Record<string, string>> {
  let combinations: Array<Record<string, string>> = [{}];
  for (const sweep of sweeps) {
    const match = /^([A-Za-z]+)=(.+)$/.exec(sweep);
    if (!match) throw new BacktestError(`--sweep ${sweep}: expected name=value1,value2`);
    const [, name, list] = match as unknown as [string, string, string];
    const values = list.split(",").map((value) => value.trim()).filter((value) => value !== "");
    if (values.length === 0) throw new BacktestError(`--sweep ${sweep}: no values`);
    combinations = combinations.flatMap((combination) => values.map((value) => ({ ...combination, [name]: value })));
  }
  return combinations;
}

function variantConfig(base: SymbolConfig, parameters: Record<string, string>): SymbolConfig {
  const merged: Record<string, unknown> = { ...base };
  for (const [name, value] of Object.entries(parameters)) {
    if (!(name in base)) throw new BacktestError(`--sweep ${name}: not a symbol config field (${Object.keys(base).join(", ")})`);
    merged[name] = INTEGER_FIELDS.has(name) ? Number.parseInt(value, 10) : value;
  }
  const checked = validateSymbolConfig(merged);
  if (!checked.ok) throw new BacktestError(`variant ${JSON.stringify(parameters)}: ${formatIssues(checked.issues)}`);
  return { ...base, ...checked.value } as SymbolConfig;
}

/** Runs every variant in parallel on a piscina pool and writes JSON, CSV and HTML. */
export async function runBacktest(options: BacktestOptions): Promise<BacktestOutput> {
  const loaded = loadConfig(options.configPath, {});
  if (!loaded.ok) throw new BacktestError(`invalid config ${options.configPath}: ${formatIssues(loaded.issues)}`);
  const recording = readRecording(options.recordingPath);
  const symbol = recording.settings.config.symbol;
  const base = loaded.config.symbols.find((candidate) => candidate.symbol === symbol);
  if (!base) throw new BacktestError(`the config has no symbol ${symbol}, which the recording is of`);
  const variants = expandSweeps(options.sweeps).map((parameters) => ({ parameters, config: variantConfig(base, parameters) }));

  const pool = new Piscina({
    filename: compiledModule("backtest/run-variant"),
    maxThreads: options.threads ?? Math.max(1, availableParallelism()),
  });
  const progress = options.onProgress ?? (() => undefined);
  let finished = 0;
  try {
    const results = await Promise.all(
      variants.map(async ({ parameters, config }) => {
        const channel = new MessageChannel();
        let lastReported = -1;
        channel.port1.on("message", (message: { done: number; total: number }) => {
          const percent = message.total === 0 ? 100 : Math.floor((100 * message.done) / message.total);
          if (percent >= lastReported + 25 || percent === 100) {
            lastReported = percent;
            progress(`  ${variantLabel({ parameters })}: ${percent}%`);
          }
        });
        const task: VariantTask = { recordingPath: options.recordingPath, symbolConfig: config, parameters, makerFeeBps: options.makerFeeBps, progressPort: channel.port2 };
        const result = (await pool.run(task, { transferList: [channel.port2] })) as VariantResult;
        channel.port1.close();
        finished += 1;
        progress(`[${finished}/${variants.length}] ${variantLabel(result)}: PnL ${result.pnl}, fills ${result.fills}`);
        return result;
      }),
    );
    mkdirSync(options.outputDirectory, { recursive: true });
    const files = { json: join(options.outputDirectory, "backtest.json"), csv: join(options.outputDirectory, "backtest.csv"), html: join(options.outputDirectory, "backtest.html") };
    writeFileSync(files.json, `${JSON.stringify({ symbol, recording: options.recordingPath, makerFeeBps: options.makerFeeBps, variants: results }, null, 2)}\n`);
    writeFileSync(files.csv, toCsv(results));
    writeFileSync(files.html, toHtml(results, `Backtest of ${symbol} on ${options.recordingPath}`));
    return { results, files };
  } finally {
    await pool.destroy();
  }
}

