import { writeFileSync } from "node:fs";
import { BacktestError, runBacktest } from "./backtest/backtest";
import { runServiceOrExit } from "./main";
import { OrderQueryError } from "./order-history/order-history";
import { runOrderCommand } from "./order-history/order-command";
import { readRecording, RecordingError, replayRecording } from "./replay";

const USAGE = `usage:
  mms run --config PATH                      run the service (same as npm start)
  mms replay RECORDING [--out FILE]          run a recorded symbol offline; prints its intents and events
  mms backtest --config PATH --data RECORDING [--sweep name=v1,v2 ...] [--out DIR] [--maker-fee-bps BPS] [--threads N]
  mms order CLIENT_ORDER_ID [--servers URL[,URL]] [--symbol SYMBOL] [--account ACCOUNT]
                                             one order's life: its intents (MMS_EVENTS) and the exchange's reports (EXEC), in time order;
                                             NATS from --servers or NATS_URL, credentials from NATS_USER/NATS_PASSWORD/NATS_TOKEN/NATS_CREDS_FILE`;

function option(argv: readonly string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
}

function options(argv: readonly string[], name: string): string[] {
  return argv.flatMap((argument, index) => (argument === name && argv[index + 1] !== undefined ? [argv[index + 1]!] : []));
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "run":
      runServiceOrExit(rest);
      return -1;
    case "replay": {
      const file = rest.find((argument) => !argument.startsWith("--"));
      if (!file) break;
      const result = replayRecording(readRecording(file));
      const lines = [...result.intents.map((intent) => JSON.stringify({ kind: "INTENT", intent })), ...result.events.map((event) => JSON.stringify({ kind: "EVENT", event }))];
      const out = option(rest, "--out");
      if (out) writeFileSync(out, `${lines.join("\n")}\n`);
      else process.stdout.write(`${lines.join("\n")}\n`);
      process.stderr.write(`replayed ${file}: ${result.intents.length} intents, ${result.events.length} events; final state ${result.finalStatus.state} (${result.finalStatus.reason ?? "no reason"}), position ${result.finalStatus.position}\n`);
      return 0;
    }
    case "order": {
      const clientOrderId = rest[0];
      if (!clientOrderId || clientOrderId.startsWith("--")) break;
      return runOrderCommand(
        { clientOrderId, servers: option(rest, "--servers"), symbol: option(rest, "--symbol"), account: option(rest, "--account") },
        process.env,
        (text) => process.stdout.write(text),
        (text) => process.stderr.write(text),
      );
    }
    case "backtest": {
      const configPath = option(rest, "--config");
      const recordingPath = option(rest, "--data");
      if (!configPath || !recordingPath) break;
      const started = Date.now();
      const output = await runBacktest({
        configPath,
        recordingPath,
        sweeps: options(rest, "--sweep"),
        outputDirectory: option(rest, "--out") ?? "reports/backtest",
        makerFeeBps: option(rest, "--maker-fee-bps") ?? "0",
        ...(option(rest, "--threads") ? { threads: Number.parseInt(option(rest, "--threads")!, 10) } : {}),
        onProgress: (line) => process.stderr.write(`${line}\n`),
      });
      process.stderr.write(`${output.results.length} variants in ${((Date.now() - started) / 1000).toFixed(1)} s\n  ${output.files.csv}\n  ${output.files.json}\n  ${output.files.html}\n`);
      return 0;
    }
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: Error) => {
    const known = error instanceof RecordingError || error instanceof BacktestError || error instanceof OrderQueryError;
    process.stderr.write(`mms: ${known ? error.message : (error.stack ?? error.message)}\n`);
    process.exitCode = known ? 2 : 1;
  },
);
