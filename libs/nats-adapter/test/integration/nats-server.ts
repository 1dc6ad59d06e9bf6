import { startNatsServer, startNatsServerProcess } from "@mms/test-support";

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
    console.warn(`Docker NATS unavailable, using the nats-server binary: ${(error as Error).message}`);
    return startNatsServerProcess({ extraArgs });
  }
}
