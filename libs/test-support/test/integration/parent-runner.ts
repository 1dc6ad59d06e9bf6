// A parent that starts one child the way the demo and the bench do, prints its pid, and
// waits to be killed: `node --import tsx parent-runner.ts nats` or `... mms CONFIG_PATH`.
import { MmsProcess, startNatsServerProcess } from "../../src";

async function main(): Promise<void> {
  const [kind, configPath] = process.argv.slice(2);
  if (kind === "nats") {
    const server = await startNatsServerProcess();
    process.stdout.write(`child ${server.pid}\n`);
  } else if (kind === "mms" && configPath !== undefined) {
    const mms = MmsProcess.start(configPath, { env: { MMS_LEASES: "off" }, detached: true });
    process.stdout.write(`child ${mms.pid}\n`);
  } else {
    throw new Error(`usage: parent-runner.ts nats | mms CONFIG_PATH (got ${process.argv.slice(2).join(" ")})`);
  }
  setInterval(() => undefined, 60_000);
}

void main();
