import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { exitWithParent } from "./exit-with-parent";

/** The repository root (this file is libs/test-support/src/mms-process.ts). */
export const REPOSITORY_ROOT = join(__dirname, "../../..");

export type LogLine = Record<string, unknown> & { level?: string; message?: string; instance?: string };

/** The one place that says how the MMS is started: compiled JS under plain node, as production runs it. */
export function mmsCommand(configPath: string, nodeArgs: readonly string[] = []): { command: string; args: string[] } {
  return { command: process.execPath, args: [...nodeArgs, join(REPOSITORY_ROOT, "apps/mms/dist/main.js"), "--config", configPath] };
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface MmsProcessOptions {
  /** Added to this process's environment (undefined removes a variable). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra node flags, e.g. for profiling. */
  readonly nodeArgs?: readonly string[];
  /** Also write stdout and stderr, as they come, to this file. */
  readonly logPath?: string;
  /** Keep the parsed stdout lines in `lines` (default true; a long bench run turns it off). */
  readonly keepLines?: boolean;
  /** Called with every stdout line that parsed as JSON, with its arrival time (performance.now()). */
  readonly onLogLine?: (line: LogLine, receivedAt: number) => void;
  /** Its own process group, so a Ctrl-C at the terminal reaches only the parent (the demo). */
  readonly detached?: boolean;
  /** The HTTP port of its config, for ready() and waitReady(). */
  readonly httpPort?: number;
}

/**
 * The MMS in a child process (`mmsCommand`), its log lines and stderr kept for assertions.
 * It ends when this process ends, whatever this one dies of (exitWithParent).
 */
export class MmsProcess {
  readonly lines: LogLine[] = [];
  stderr = "";
  readonly exited: Promise<ProcessExit>;
  private stdoutRest = "";
  private readonly log: WriteStream | undefined;

  private constructor(
    readonly child: ChildProcess,
    /** performance.now() just before the spawn. */
    readonly startedAt: number,
    private readonly options: MmsProcessOptions,
  ) {
    this.log = options.logPath === undefined ? undefined : createWriteStream(options.logPath);
    this.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    child.stdout!.on("data", (chunk: Buffer) => this.onStdout(chunk));
    child.stderr!.on("data", (chunk: Buffer) => {
      this.log?.write(chunk);
      this.stderr = (this.stderr + chunk.toString()).slice(-1_000_000);
    });
  }

  static start(configPath: string, options: MmsProcessOptions = {}): MmsProcess {
    const { command, args } = mmsCommand(configPath, options.nodeArgs);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    const startedAt = performance.now();
    const child = spawn(command, args, { cwd: REPOSITORY_ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: options.detached ?? false });
    exitWithParent(child);
    return new MmsProcess(child, startedAt, options);
  }

  private onStdout(chunk: Buffer): void {
    const receivedAt = performance.now();
    this.log?.write(chunk);
    const parts = (this.stdoutRest + chunk.toString()).split("\n");
    this.stdoutRest = parts.pop() ?? "";
    for (const part of parts) {
      if (!part.trim()) continue;
      let line: LogLine;
      try {
        line = JSON.parse(part) as LogLine;
      } catch {
        line = { level: "raw", message: part };
      }
      if (this.options.keepLines ?? true) this.lines.push(line);
      if (line.level !== "raw") this.options.onLogLine?.(line, receivedAt);
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM (the service cancels its orders and releases its leases), SIGKILL after `killAfterMs`. */
  async stop(killAfterMs = 8000): Promise<ProcessExit> {
    this.kill("SIGTERM");
    const timer = setTimeout(() => this.kill("SIGKILL"), killAfterMs);
    const exit = await this.exited;
    clearTimeout(timer);
    await new Promise<void>((resolve) => (this.log ? this.log.end(() => resolve()) : resolve()));
    return exit;
  }

  /** GET /readyz: true when 200. */
  async ready(): Promise<boolean> {
    if (this.options.httpPort === undefined) throw new Error("MmsProcess started without httpPort");
    try {
      const response = await fetch(`http://127.0.0.1:${this.options.httpPort}/readyz`);
      await response.arrayBuffer();
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** Polls /readyz; resolves with the time it answered 200 (performance.now()). */
  async waitReady(timeoutMs: number, pollMs = 10): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (!this.running) throw new Error(`the MMS exited before it was ready\n${this.describe()}`);
      if (await this.ready()) return performance.now();
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    throw new Error(`the MMS was not ready within ${timeoutMs} ms\n${this.describe()}`);
  }

  /** Resident set of the whole process (worker threads included), MB; NaN once gone. */
  rssMb(): number {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, "utf8"));
      return match ? Number(match[1]) / 1024 : Number.NaN;
    } catch {
      return Number.NaN;
    }
  }

  errors(): LogLine[] {
    return this.lines.filter((line) => line.level === "error" || line.level === "raw");
  }

  describe(): string {
    return `stderr:\n${this.stderr.slice(-20_000)}\nstdout:\n${this.lines.slice(-200).map((line) => JSON.stringify(line)).join("\n")}`;
  }
}
