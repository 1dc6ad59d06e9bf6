import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GenericContainer, Wait } from "testcontainers";
import type { StartedTestContainer } from "testcontainers";
import { getFreePort } from "./ports";

/** Built by scripts/build-nats-image.sh (`docker import` of Debian's nats-server). */
export const DEFAULT_NATS_IMAGE = "mms-nats:local";

/** JetStream store directory inside the container; a host temp dir is bind-mounted here. */
const CONTAINER_STORE_DIR = "/data";

export interface NatsServerOptions {
  /** Image to run. Default: env MMS_NATS_IMAGE, else "mms-nats:local". */
  image?: string;
  /** Port on 127.0.0.1. Default: a free one from getFreePort(). Never 4222 (the machine's own NATS). */
  port?: number;
  /** Run with JetStream (`-js`). Default true. */
  jetStream?: boolean;
  /** How long to wait for "Server is ready", per start. Default 30 s. */
  startupTimeoutMs?: number;
  /** Extra nats-server arguments, appended to the command line. */
  extraArgs?: string[];
}

export interface NatsOutageOptions {
  /** How long the server stays down before it is started again. Default 0. */
  downForMs?: number;
  /** Kill the server (SIGKILL) instead of letting it shut down cleanly (SIGTERM). Default false. */
  abrupt?: boolean;
}

export interface StartedNatsServer {
  /** nats://127.0.0.1:PORT, stable across restarts. */
  readonly url: string;
  /** Stable across restarts. */
  readonly port: number;
  /** Host directory holding the JetStream store; survives restarts, deleted by stop(). */
  readonly storeDir: string;
  /** Whether a server container is currently up. */
  readonly isRunning: boolean;
  /**
   * Stops the server and starts it again on the same port with the same JetStream store, so
   * clients see an outage and reconnect to the same URL; streams and stored messages remain.
   */
  restart(options?: NatsOutageOptions): Promise<void>;
  /** First half of restart(): takes the server down (keeping port and store) until bringUp(). */
  takeDown(options?: Pick<NatsOutageOptions, "abrupt">): Promise<void>;
  /** Second half of restart(): starts the server again on the same port with the same store. */
  bringUp(): Promise<void>;
  /** Stops and removes the container for good and deletes the store directory. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Environment testcontainers needs on these machines, unless the caller set it: no registry
 * is reachable (so its Ryuk reaper image cannot be pulled; every container is stopped by the
 * test instead), and containers run in host network mode, reached on localhost.
 */
function applyTestcontainersDefaults(): void {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "localhost";
}

/**
 * Starts a real nats-server in a container (testcontainers' GenericContainer, host network
 * mode, listening on 127.0.0.1:PORT only) and waits for "Server is ready". The caller must
 * call stop(), in a finally or afterAll.
 *
 * Host network mode: port mapping does not exist there, so the server listens on a port the
 * test picked. Restarts start a fresh container on that same port with the same bind-mounted
 * store directory, so JetStream data survives them.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<StartedNatsServer> {
  applyTestcontainersDefaults();
  const image = options.image ?? process.env.MMS_NATS_IMAGE ?? DEFAULT_NATS_IMAGE;
  const port = options.port ?? (await getFreePort());
  if (port === 4222) throw new Error("startNatsServer: port 4222 belongs to the machine's own NATS; use another port");
  const jetStream = options.jetStream ?? true;
  const startupTimeoutMs = options.startupTimeoutMs ?? 30_000;
  const command = [
    "-a", "127.0.0.1",
    "-p", String(port),
    ...(jetStream ? ["-js", "-sd", CONTAINER_STORE_DIR] : []),
    ...(options.extraArgs ?? []),
  ];
  const storeDir = await mkdtemp(join(tmpdir(), "mms-nats-store-"));

  const launch = (): Promise<StartedTestContainer> =>
    new GenericContainer(image)
      .withNetworkMode("host")
      .withCommand(command)
      .withBindMounts([{ source: storeDir, target: CONTAINER_STORE_DIR, mode: "rw" }])
      .withLabels({ "mms.test-support": "nats" })
      .withWaitStrategy(Wait.forLogMessage("Server is ready"))
      .withStartupTimeout(startupTimeoutMs)
      .start();

  let container: StartedTestContainer | undefined;
  try {
    container = await launch();
  } catch (err) {
    await rm(storeDir, { recursive: true, force: true }).catch(() => undefined);
    throw new Error(
      `startNatsServer: could not start ${image} on 127.0.0.1:${port} (is Docker running and the image built? ` +
        `run: bash scripts/setup-test-env.sh): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  let stopped = false;

  const takeDown = async ({ abrupt = false }: Pick<NatsOutageOptions, "abrupt"> = {}): Promise<void> => {
    if (stopped) throw new Error("NATS server was stopped for good");
    const current = container;
    container = undefined;
    // timeout: ms before SIGKILL follows SIGTERM; nats-server flushes JetStream on SIGTERM.
    await current?.stop({ timeout: abrupt ? 0 : 10_000, remove: true });
  };

  const bringUp = async (): Promise<void> => {
    if (stopped) throw new Error("NATS server was stopped for good");
    if (container) return;
    container = await launch();
  };

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get isRunning() {
      return container !== undefined;
    },
    takeDown,
    bringUp,
    async restart({ downForMs = 0, abrupt = false }: NatsOutageOptions = {}) {
      await takeDown({ abrupt });
      if (downForMs > 0) await new Promise((resolve) => setTimeout(resolve, downForMs));
      await bringUp();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const current = container;
      container = undefined;
      try {
        await current?.stop({ timeout: 0, remove: true });
      } finally {
        // Files are written by the container's root user: on a rootless setup this may fail; it is only a temp dir.
        await rm(storeDir, { recursive: true, force: true }).catch(() => undefined);
      }
    },
  };
}
