import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { exitWithParent } from "@mms/test-support";
import { REPO_ROOT } from "./machine";
import { stopChild } from "./teardown";

const MAIN = join(REPO_ROOT, "apps/exchange-sim/dist/main.js");

export interface ExchangeSimProcess {
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * The exchange simulator (apps/exchange-sim: matching, background makers and takers, so
 * the MMS's quotes get filled) as a child process of the bench, compiled JS under plain
 * node; it dies with the bench whatever the bench dies of (exitWithParent). Resolves once
 * it logged "exchange simulator started" (its streams exist then).
 */
export async function startExchangeSim(natsUrl: string, symbols: readonly string[], logPath: string, extraArguments: readonly string[] = []): Promise<ExchangeSimProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} missing: run npm run build`);
  const child = spawn(process.execPath, [MAIN, "--symbols", symbols.join(","), "--nats", natsUrl, "--seed", "1", "--run-id", `SOAK${Date.now().toString(36)}`, "--consumer", "bench-exchange-sim", ...extraArguments], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  exitWithParent(child);
  mkdirSync(dirname(logPath), { recursive: true });
  const log = createWriteStream(logPath);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`exchange simulator not started within 60 s: ${seen.slice(-2000)}`)), 60_000);
    child.stdout.on("data", (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-20_000);
      if (seen.includes("exchange simulator started")) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`exchange simulator exited: ${seen.slice(-2000)}`)));
  });
  return {
    pid: child.pid ?? -1,
    async stop() {
      await stopChild(child, exited, 10_000);
      await new Promise<void>((resolve) => log.end(() => resolve()));
    },
  };
}
