import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getFreePort } from "./ports";

export const NATS_SERVER_BINARY = process.env.BENCH_NATS_SERVER ?? "/usr/sbin/nats-server";

export function natsServerVersion(): string {
  try {
    return execFileSync(NATS_SERVER_BINARY, ["--version"], { encoding: "utf8" }).trim();
  } catch (error) {
    return `unknown (${(error as Error).message})`;
  }
}

export interface BenchNatsServer {
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
  readonly pid: number;
  /** GET on the monitoring port (loopback only), e.g. `/connz?subs=0`. */
  monitor<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = createConnection({ host: "127.0.0.1", port });
      socket.once("connect", () => {
        socket.destroy();
        resolve();
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nats-server did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * A private JetStream server on loopback for one benchmark: free ports, its own store
 * directory (removed on stop). Never the machine's NATS on 4222.
 */
export async function startNatsServer(): Promise<BenchNatsServer> {
  const port = await getFreePort();
  const monitorPort = await getFreePort();
  const storeDirectory = mkdtempSync(join(tmpdir(), "mms-bench-nats-"));
  const child: ChildProcess = spawn(NATS_SERVER_BINARY, ["-js", "-a", "127.0.0.1", "-p", String(port), "-m", String(monitorPort), "-sd", storeDirectory], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await Promise.race([waitForPort(port, 10_000), exited.then(() => Promise.reject(new Error(`nats-server exited at start: ${stderr}`)))]);
    await waitForPort(monitorPort, 5_000);
  } catch (error) {
    child.kill("SIGKILL");
    rmSync(storeDirectory, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorPort,
    pid: child.pid ?? -1,
    async monitor<T>(path: string): Promise<T> {
      const response = await fetch(`http://127.0.0.1:${monitorPort}${path}`);
      return (await response.json()) as T;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(storeDirectory, { recursive: true, force: true });
    },
  };
}
