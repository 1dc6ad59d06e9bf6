import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exitWithParent } from "./exit-with-parent";
import { getFreePort } from "./ports";
import { waitFor } from "./wait-for";

/** nats-server binary: $NATS_SERVER_BIN, else Debian's /usr/sbin/nats-server, else the PATH. */
export function natsServerBinary(): string {
  const fromEnv = process.env.NATS_SERVER_BIN;
  if (fromEnv) return fromEnv;
  return existsSync("/usr/sbin/nats-server") ? "/usr/sbin/nats-server" : "nats-server";
}

export function natsServerVersion(binary = natsServerBinary()): string {
  try {
    return execFileSync(binary, ["--version"], { encoding: "utf8" }).trim();
  } catch (error) {
    return `unknown (${(error as Error).message})`;
  }
}

export interface NatsProcessOptions {
  /** The binary; default natsServerBinary(). */
  readonly binary?: string;
  /** A config file (`-c`); without one the server runs `-js` with a temporary store. */
  readonly configFile?: string;
  /** Also listen for monitoring (`-m`) on a free loopback port. */
  readonly monitoring?: boolean;
  /** Appended to the command line. */
  readonly extraArgs?: readonly string[];
  /** The server's environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Its own process group, so a Ctrl-C at the terminal reaches only the parent (the demo). */
  readonly detached?: boolean;
  /** How long to wait for "Server is ready", per start. Default 15 s. */
  readonly startupTimeoutMs?: number;
}

export interface NatsServerProcess {
  /** nats://127.0.0.1:PORT, stable across restarts. */
  readonly url: string;
  readonly port: number;
  /** The monitoring port (`monitoring: true`), else undefined. */
  readonly monitorPort: number | undefined;
  /** The pid of the current server process. */
  readonly pid: number;
  /** The binary used. */
  readonly binary: string;
  /** Everything the server logged so far (the last 1 MB). */
  log(): string;
  /** GET on the monitoring port, e.g. `/connz?subs=0`. */
  monitor<T>(path: string): Promise<T>;
  /** The temporary JetStream store (without a config file), else undefined. */
  readonly storeDir: string | undefined;
  /** Whether the server process is up. */
  readonly running: boolean;
  /** Stops the server (SIGTERM, or SIGKILL when `abrupt`) and starts it again on the same port with the same store. */
  restart(options?: { downForMs?: number; abrupt?: boolean }): Promise<void>;
  /** First half of restart(): the server goes down (SIGTERM, or SIGKILL when `abrupt`); port and store stay for bringUp(). */
  takeDown(options?: { abrupt?: boolean }): Promise<void>;
  /** Second half of restart(): starts the server again on the same port with the same store. No-op while it runs. */
  bringUp(): Promise<void>;
  /** Stops the server and deletes its temporary store. Idempotent. */
  stop(): Promise<void>;
}

/**
 * A real nats-server child process on a free 127.0.0.1 port (never 4222), for tests, the
 * bench and the demo that need the binary itself (a config file, no Docker). The child ends
 * when this process ends, whatever it dies of (exitWithParent).
 */
export async function startNatsServerProcess(options: NatsProcessOptions = {}): Promise<NatsServerProcess> {
  const binary = options.binary ?? natsServerBinary();
  const port = await getFreePort();
  const monitorPort = options.monitoring ? await getFreePort() : undefined;
  const storeDir = options.configFile === undefined ? await mkdtemp(join(tmpdir(), "mms-nats-store-")) : undefined;
  const args = [
    ...(options.configFile === undefined ? ["-js", "-sd", storeDir!] : ["-c", options.configFile]),
    "-a", "127.0.0.1", "-p", String(port),
    ...(monitorPort === undefined ? [] : ["-m", String(monitorPort)]),
    ...(options.extraArgs ?? []),
  ];
  let output = "";
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let running = false;

  const bringUp = async (): Promise<void> => {
    const current = spawn(binary, args, { env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: options.detached ?? false });
    exitWithParent(current);
    child = current;
    running = true;
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-1_000_000));
    current.stdout?.on("data", keep);
    current.stderr?.on("data", keep);
    exited = new Promise<void>((done) => {
      current.once("exit", () => ((running = false), done()));
      current.once("error", (error) => ((output += `\nspawn error: ${error.message}`), (running = false), done()));
    });
    const from = output.length;
    await waitFor(
      () => {
        if (!running) throw new Error(`nats-server exited:\n${output}`);
        return output.slice(Math.max(0, from - 64)).includes("Server is ready");
      },
      { timeoutMs: options.startupTimeoutMs ?? 15_000, description: `${binary} on 127.0.0.1:${port} ready` },
    );
  };
  const takeDown = async ({ abrupt = false }: { abrupt?: boolean } = {}): Promise<void> => {
    if (child === undefined || !running) return;
    const current = child;
    current.kill(abrupt ? "SIGKILL" : "SIGTERM");
    const killer = setTimeout(() => current.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(killer);
  };
  const removeStore = async () => {
    if (storeDir !== undefined) await rm(storeDir, { recursive: true, force: true });
  };

  try {
    await bringUp();
  } catch (error) {
    await takeDown();
    await removeStore();
    throw new Error(`could not start ${binary} ${args.join(" ")}: ${(error as Error).message}`, { cause: error });
  }
  let stopped = false;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorPort,
    get pid() {
      return child?.pid ?? -1;
    },
    binary,
    log: () => output,
    async monitor<T>(path: string): Promise<T> {
      if (monitorPort === undefined) throw new Error("started without monitoring");
      const response = await fetch(`http://127.0.0.1:${monitorPort}${path}`);
      return (await response.json()) as T;
    },
    storeDir,
    get running() {
      return running;
    },
    async restart({ downForMs = 0, abrupt = false } = {}) {
      await takeDown({ abrupt });
      if (downForMs > 0) await new Promise((resolve) => setTimeout(resolve, downForMs));
      await bringUp();
    },
    takeDown,
    async bringUp() {
      if (stopped) throw new Error("nats-server was stopped for good");
      if (!running) await bringUp();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await takeDown();
      await removeStore();
    },
  };
}
