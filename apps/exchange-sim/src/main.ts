import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startExchangeSimulator } from "./exchange";
import { consoleLogger, type ExchangeSimulatorHandle, type ExchangeSimulatorOptions } from "./simulator-api";
import type { TakerFlow } from "./market-driver";
import type { SymbolSetup } from "./symbols";

const USAGE = `Usage: node apps/exchange-sim/dist/main.js --symbols BTCUSDT-PERP,ETHUSDT-PERP [options]
  --symbols LIST             comma-separated symbols (presets: BTCUSDT-PERP, ETHUSDT-PERP, SOLUSDT-PERP)
  --config PATH              JSON: {"symbols": [{"symbol", "tickSize"?, "lotSize"?, "initialFairValue"?, "driver"?}],
                             "seed"?, "fees"?: {"makerBps", "takerBps"}, "driver"?: {"enabled"?, "intervalMs"?, "settings"?}}
  --seed N                   seed of the background market (default 1)
  --nats URL                 NATS server (default $NATS_URL or nats://127.0.0.1:4222)
  --maker-fee-bps BPS        maker fee, negative for a rebate (default -1)
  --taker-fee-bps BPS        taker fee (default 5)
  --taker-flow FLOW          BOTH | BUY | SELL | NONE (default BOTH)
  --taker-probability P      chance of a taker per driver step, 0..1 (default 0.3)
  --driver-interval-ms MS    driver step period (default 200)
  --no-driver                start with background makers and takers paused
  --halted                   start every symbol HALTED
  --reject-all               start rejecting every NEW with RATE_LIMIT
  --delay-md MS              start with market data delayed by MS
  --run-id ID                prefix of execIds and orderIds (default: unique per run)
  --consumer NAME            durable consumer on ORDERS (default exchange-sim)
  --publish-simulator-reports  also publish the simulator's own accounts' reports on exec.>`;

const TAKER_FLOWS: readonly string[] = ["BOTH", "BUY", "SELL", "NONE"];

function integerFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new Error(`--${name} must be an integer, got ${JSON.stringify(value)}`);
  return Number.parseInt(value, 10);
}

function readConfig(path: string): Partial<ExchangeSimulatorOptions> {
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${path} must hold a JSON object`);
  return parsed as Partial<ExchangeSimulatorOptions>;
}

export function optionsFromArguments(argv: readonly string[], environment: NodeJS.ProcessEnv): { options: ExchangeSimulatorOptions; startup: [string, unknown][] } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      symbols: { type: "string" },
      config: { type: "string" },
      seed: { type: "string" },
      nats: { type: "string" },
      "maker-fee-bps": { type: "string" },
      "taker-fee-bps": { type: "string" },
      "taker-flow": { type: "string" },
      "taker-probability": { type: "string" },
      "driver-interval-ms": { type: "string" },
      "no-driver": { type: "boolean" },
      halted: { type: "boolean" },
      "reject-all": { type: "boolean" },
      "delay-md": { type: "string" },
      "run-id": { type: "string" },
      consumer: { type: "string" },
      "publish-simulator-reports": { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const config = values.config ? readConfig(values.config) : {};
  const symbols: readonly (string | SymbolSetup)[] = values.symbols
    ? values.symbols.split(",").map((symbol) => symbol.trim()).filter((symbol) => symbol.length > 0)
    : (config.symbols ?? []);
  if (symbols.length === 0) throw new Error("name at least one symbol with --symbols or a --config file");
  const takerFlow = values["taker-flow"];
  if (takerFlow !== undefined && !TAKER_FLOWS.includes(takerFlow)) throw new Error(`--taker-flow must be one of ${TAKER_FLOWS.join(", ")}`);
  const takerProbability = values["taker-probability"] === undefined ? undefined : Number(values["taker-probability"]);
  if (takerProbability !== undefined && !(takerProbability >= 0 && takerProbability <= 1)) throw new Error("--taker-probability must be from 0 to 1");
  const fees = config.fees ?? { makerBps: "-1", takerBps: "5" };
  const settings = {
    ...config.driver?.settings,
    ...(takerFlow === undefined ? {} : { takerFlow: takerFlow as TakerFlow }),
    ...(takerProbability === undefined ? {} : { takerProbability }),
  };
  const options: ExchangeSimulatorOptions = {
    ...config,
    natsUrl: values.nats ?? environment.NATS_URL ?? config.natsUrl ?? "nats://127.0.0.1:4222",
    symbols,
    seed: integerFlag("seed", values.seed) ?? config.seed ?? 1,
    fees: { makerBps: values["maker-fee-bps"] ?? fees.makerBps, takerBps: values["taker-fee-bps"] ?? fees.takerBps },
    driver: {
      ...config.driver,
      enabled: values["no-driver"] ? false : (config.driver?.enabled ?? true),
      intervalMs: integerFlag("driver-interval-ms", values["driver-interval-ms"]) ?? config.driver?.intervalMs,
      settings,
    },
    ...(values["run-id"] === undefined ? {} : { runId: values["run-id"] }),
    ...(values.consumer === undefined ? {} : { consumerName: values.consumer }),
    ...(values["publish-simulator-reports"] ? { publishSimulatorReports: true } : {}),
    logger: consoleLogger,
  };
  // Faults to apply right after start, as sim.control would.
  const startup: [string, unknown][] = [];
  if (values.halted) startup.push(["halt", undefined]);
  if (values["reject-all"]) startup.push(["reject-all", { enabled: true }]);
  const delay = integerFlag("delay-md", values["delay-md"]);
  if (delay !== undefined) startup.push(["delay-md", { ms: delay }]);
  return { options, startup };
}

async function main(): Promise<void> {
  const running: { handle?: ExchangeSimulatorHandle } = {};
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    consoleLogger.info("stopping", { signal });
    const stopped = running.handle ? running.handle.stop() : Promise.resolve();
    stopped.then(
      () => process.exit(0),
      (error: unknown) => {
        consoleLogger.error("stop failed", { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  const { options, startup } = optionsFromArguments(process.argv.slice(2), process.env);
  const handle = await startExchangeSimulator(options);
  running.handle = handle;
  for (const [fault, body] of startup) {
    const reply = handle.control("all", fault, body);
    if (!reply.ok) throw new Error(`--${fault}: ${reply.error}`);
  }
  if (stopping) await handle.stop();
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(USAGE);
    process.exit(1);
  });
}
