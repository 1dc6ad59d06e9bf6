import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getFreePort, startNatsServer, waitFor } from "@mms/test-support";
import { connect } from "@nats-io/transport-node";

export interface TestNatsServer {
  readonly url: string;
  restart(options?: { downForMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/** A real nats-server: the Docker one from test-support, else the local binary (no Docker here). */
export async function startTestNatsServer(extraArgs: string[] = []): Promise<TestNatsServer> {
  try {
    return await startNatsServer({ extraArgs });
  } catch (error) {
    if (process.env.MMS_REQUIRE_DOCKER === "true") throw error;
    console.warn(`Docker NATS unavailable, using /usr/sbin/nats-server: ${(error as Error).message}`);
    return startLocalNatsServer(extraArgs);
  }
}

async function startLocalNatsServer(extraArgs: string[]): Promise<TestNatsServer> {
  const port = await getFreePort();
  const storeDir = await mkdtemp(join(tmpdir(), "nats-adapter-store-"));
  const url = `nats://127.0.0.1:${port}`;
  let child: ReturnType<typeof spawn> | undefined;
  const bringUp = async (): Promise<void> => {
    child = spawn("/usr/sbin/nats-server", ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storeDir, ...extraArgs], { stdio: "ignore" });
    await waitFor(async () => {
      // Any answer proves it listens, even an auth refusal.
      const probe = await connect({ servers: url, reconnect: false }).catch((error: Error) => (error.name === "ConnectionError" ? Promise.reject(error) : undefined));
      await probe?.close();
      return true;
    }, { timeoutMs: 10_000, description: `nats-server on ${url}` });
  };
  const takeDown = async (): Promise<void> => {
    const current = child;
    child = undefined;
    if (current === undefined || current.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      current.once("exit", () => resolve());
      current.kill("SIGTERM");
    });
  };
  await bringUp();
  return {
    url,
    async restart({ downForMs = 0 } = {}) {
      await takeDown();
      if (downForMs > 0) await new Promise((resolve) => setTimeout(resolve, downForMs));
      await bringUp();
    },
    async stop() {
      await takeDown();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
