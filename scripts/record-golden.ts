/**
 * The golden replays of apps/mms/test/golden (see docs/architecture.md, "Golden replays").
 *
 *   npm run golden:update                 re-derive the expected intents, events and final status
 *                                         of every committed recording by replaying it (no NATS);
 *                                         for a change of behaviour that is intended
 *   npm run golden:record [-- NAME ...]   run the real service over a real NATS against the
 *                                         scripted exchange, recording (MMS_RECORD_DIR), and
 *                                         commit recording and expected output of that run
 *
 * `record` needs Docker and the image mms-nats:local (bash scripts/setup-test-env.sh): every
 * scenario gets a fresh NATS container, so no EXEC history, lease or audit event leaks. It refuses to write a scenario whose recording does not replay to what the live run did.
 */
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { connect } from "@nats-io/transport-node";
import { ScriptedExchange, startNatsServer, symbolConfig, waitFor } from "@mms/test-support";
import { readAuditEvents } from "../apps/mms/test/support/audit-events";
import { GOLDEN_FILES, goldenScenarios, replayScenario, scenarioDirectory, writeExpected, type GoldenOutput } from "../apps/mms/test/support/golden";
import { GOLDEN_SCENARIOS, ScenarioRun, type GoldenScenario } from "../apps/mms/test/support/golden-scenarios";
import { serviceConfig, startTestService } from "../apps/mms/test/support/service-harness";

const SYMBOL = "BTCUSDT-PERP";
const ACCOUNT = "SYSTEM_MARKET_MAKER";

function summary(output: GoldenOutput): string {
  return `${output.intents.length} intents, ${output.events.length} events`;
}

function update(names: readonly string[]): void {
  for (const name of names.length > 0 ? names : goldenScenarios()) {
    const output = replayScenario(name);
    writeExpected(name, output);
    console.log(`${name}: expected output re-derived from its recording (${summary(output)})`);
  }
}

async function recordScenario(scenario: GoldenScenario, natsUrl: string): Promise<void> {
  const client = await connect({ servers: natsUrl });
  const recordingDirectory = mkdtempSync(join(tmpdir(), "mms-golden-"));
  const exchange = await ScriptedExchange.start(client, [SYMBOL]);
  const run = new ScenarioRun(client, exchange, SYMBOL);
  await scenario.prepare?.(exchange, { symbol: SYMBOL, account: ACCOUNT });
  exchange.publishSnapshot(SYMBOL, [["50000.0", "1"]], [["50010.0", "1"]]);
  const base = serviceConfig(natsUrl, [symbolConfig(SYMBOL)]);
  const config = serviceConfig(natsUrl, [symbolConfig(SYMBOL, scenario.symbol)], { account: ACCOUNT, instanceName: "mms-golden", risk: { ...base.risk, ...scenario.risk } });
  const { service } = await startTestService(config, { useLeases: true, recordingDirectory });
  try {
    run.startHeartbeat();
    await waitFor(() => service.isReady().ready, { timeoutMs: 20_000, description: "service ready" });
    await scenario.drive(run);
  } finally {
    run.stopHeartbeat();
    await service.stop();
  }
  const recording = join(recordingDirectory, `${SYMBOL}.jsonl`);
  const directory = scenarioDirectory(scenario.name);
  mkdirSync(directory, { recursive: true });
  copyFileSync(recording, join(directory, GOLDEN_FILES.recording));
  const replayed = replayScenario(scenario.name);
  // The run's own output, as the exchange and the audit stream saw it, is what gets committed.
  await waitFor(() => exchange.intents.length >= replayed.intents.length, { timeoutMs: 5000, description: "every intent at the exchange" });
  const live: GoldenOutput = {
    intents: exchange.intents.map((intent) => JSON.parse(JSON.stringify(intent)) as unknown),
    events: (await readAuditEvents(client, SYMBOL, service.instance)).map((event) => JSON.parse(JSON.stringify(event)) as unknown),
    finalStatus: replayed.finalStatus,
  };
  await exchange.stop();
  await client.close();
  if (!isDeepStrictEqual(live.intents, replayed.intents) || !isDeepStrictEqual(live.events, replayed.events)) {
    throw new Error(`${scenario.name}: the recording does not replay to the live run (live ${summary(live)}, replayed ${summary(replayed)}); nothing written but the recording in ${directory}`);
  }
  writeExpected(scenario.name, live);
  console.log(`${scenario.name}: recorded ${summary(live)}`);
}

async function record(names: readonly string[]): Promise<void> {
  const unknown = names.filter((name) => !GOLDEN_SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(", ")}; known: ${GOLDEN_SCENARIOS.map((scenario) => scenario.name).join(", ")}`);
  for (const scenario of GOLDEN_SCENARIOS.filter((entry) => names.length === 0 || names.includes(entry.name))) {
    const nats = await startNatsServer();
    try {
      await recordScenario(scenario, nats.url);
    } finally {
      await nats.stop();
    }
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...names] = argv;
  if (command === "update") return update(names);
  if (command === "record") return record(names);
  throw new Error("usage: record-golden.ts update|record [SCENARIO ...]");
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
