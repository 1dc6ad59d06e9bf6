import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/nats-core";
import type { ControlReply, StatusReply } from "@mms/contracts";
import { waitFor } from "@mms/test-support";
import { control, requestStatus, RESUME_BODY, type LogLine } from "./mms-fixture";

const REPOSITORY_ROOT = join(__dirname, "../../../..");

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * The MMS as on-call runs it: `node apps/mms/dist/main.js --config FILE` in a
 * child process (jest's own Node, 24), with its log lines and stderr kept for assertions.
 */
export class MmsProcess {
  readonly lines: LogLine[] = [];
  stderr = "";
  readonly exited: Promise<ProcessExit>;
  private stdoutRest = "";

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      const parts = (this.stdoutRest + chunk).split("\n");
      this.stdoutRest = parts.pop() ?? "";
      for (const part of parts) {
        if (!part.trim()) continue;
        try {
          this.lines.push(JSON.parse(part) as LogLine);
        } catch {
          this.lines.push({ level: "raw", message: part });
        }
      }
    });
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => (this.stderr += chunk));
  }

  static start(configPath: string, env: Record<string, string> = {}): MmsProcess {
    const child = spawn(process.execPath, ["apps/mms/dist/main.js", "--config", configPath], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new MmsProcess(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  /** For cleanup: SIGTERM (which releases the leases), SIGKILL if that takes too long. */
  async stop(): Promise<void> {
    this.kill("SIGTERM");
    const timer = setTimeout(() => this.kill("SIGKILL"), 8000);
    await this.exited;
    clearTimeout(timer);
  }

  errors(): LogLine[] {
    return this.lines.filter((line) => line.level === "error" || line.level === "raw");
  }

  describe(): string {
    return `stderr:\n${this.stderr}\nstdout:\n${this.lines.map((line) => JSON.stringify(line)).join("\n")}`;
  }
}

/** The status reply of a run whose instance starts with `instanceName` and is not one of `previous`. */
export async function waitForRun(client: NatsConnection, instanceName: string, previous: readonly string[] = [], timeoutMs = 30_000): Promise<StatusReply> {
  return waitFor(
    async () => {
      const reply = await requestStatus(client, 1000);
      return reply.instance.startsWith(`${instanceName}-`) && !previous.includes(reply.instance) ? reply : undefined;
    },
    { timeoutMs, intervalMs: 200, description: `a run of ${instanceName} answering mms.status` },
  );
}

/** Resume once start-up (replay, lease, first book and status) is through. */
export async function resumeWhenStarted(client: NatsConnection, symbol: string, timeoutMs = 20_000): Promise<ControlReply> {
  return waitFor(
    async () => {
      const reply = await control(client, `mms.control.${symbol}.resume`, RESUME_BODY, 2000);
      const result = reply.results?.[0];
      if (result?.accepted) return reply;
      if (!["STARTUP", "NO_BOOK", "NO_MARKET_STATUS", "OWNED_ELSEWHERE"].includes(result?.reason ?? "")) throw new Error(`resume refused: ${JSON.stringify(reply)}`);
      return undefined;
    },
    { timeoutMs, intervalMs: 200, description: `${symbol} resumed` },
  );
}
