// Runs deploy/nats/nats-server.conf, unchanged except for where it listens and stores, in a
// real nats-server child process on a free loopback port. Shared by the permission tests and
// the tests that run the real MMS under the `mms` user.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect, errors } from "@nats-io/transport-node";
import type { NatsConnection, PermissionViolationError } from "@nats-io/transport-node";
import { startNatsServerProcess, waitFor, type NatsServerProcess } from "@mms/test-support";

export const CONFIG_PATH = resolve(__dirname, "..", "nats-server.conf");

/** The users of nats-server.conf; each password comes from NATS_<ROLE>_PASSWORD. */
export const ROLES = ["mms", "oncall", "viewer", "exchange"] as const;
export type Role = (typeof ROLES)[number];

export interface PermissionedNats {
  /** nats://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** The random passwords this run gave each user (what a Secret would hold in production). */
  readonly passwords: Readonly<Record<Role, string>>;
  /** Everything the server logged so far. */
  log(): string;
  /** Connects as `role`; the caller closes the connection (or calls stop()). */
  connectAs(role: Role): Promise<WatchedConnection>;
  /** Closes every connection made by connectAs, stops the server, deletes its store. Idempotent. */
  stop(): Promise<void>;
}

export interface WatchedConnection {
  readonly nc: NatsConnection;
  /** Permission violations the server reported to this connection, oldest first. */
  readonly violations: PermissionViolationError[];
  /** Resolves with the first violation for `operation` on `subject` (rejects after timeoutMs). */
  violation(operation: "publish" | "subscription", subject: string, timeoutMs?: number): Promise<PermissionViolationError>;
}

/**
 * Starts nats-server with deploy/nats/nats-server.conf. The only changes: listen on
 * 127.0.0.1 at a free port (never 4222), monitoring on another free loopback port, and a
 * temporary JetStream store (nats-server refuses `-sd` next to a `store_dir` in the file,
 * so the store_dir line of a copy is rewritten).
 */
export async function startPermissionedNats(): Promise<PermissionedNats> {
  const workDir = await mkdtemp(join(tmpdir(), "mms-nats-perms-"));
  const storeDir = join(workDir, "store");
  const original = await readFile(CONFIG_PATH, "utf8");
  const storeDirLine = /^(\s*store_dir:\s*).*$/m;
  if (!storeDirLine.test(original)) throw new Error(`${CONFIG_PATH} has no store_dir line to override`);
  const configPath = join(workDir, "nats-server.conf");
  await writeFile(configPath, original.replace(storeDirLine, `$1${JSON.stringify(storeDir)}`));

  const passwords = Object.fromEntries(ROLES.map((role) => [role, randomBytes(12).toString("hex")])) as Record<Role, string>;
  const env: NodeJS.ProcessEnv = { ...process.env };
  // nats-server parses a variable's value as a config value: "3f2a..." unquoted is a parse
  // error, so the value is passed as a quoted string (as the README tells operators to do).
  for (const role of ROLES) env[`NATS_${role.toUpperCase()}_PASSWORD`] = JSON.stringify(passwords[role]);

  let server: NatsServerProcess;
  try {
    server = await startNatsServerProcess({ configFile: configPath, monitoring: true, env });
  } catch (err) {
    await rm(workDir, { recursive: true, force: true });
    throw new Error(`could not start nats-server with ${CONFIG_PATH}: ${(err as Error).message}`, { cause: err });
  }
  const { url, port } = server;
  const connections: NatsConnection[] = [];
  let stopped = false;

  return {
    url,
    port,
    passwords,
    log: () => server.log(),
    async connectAs(role) {
      const nc = await connect({ servers: url, user: role, pass: passwords[role], name: `perm-test-${role}`, maxReconnectAttempts: 0 });
      connections.push(nc);
      const violations: PermissionViolationError[] = [];
      void (async () => {
        for await (const status of nc.status()) {
          if (status.type === "error" && status.error instanceof errors.PermissionViolationError) violations.push(status.error);
        }
      })();
      return {
        nc,
        violations,
        violation: (operation, subject, timeoutMs = 5000) =>
          waitFor(() => violations.find((v) => v.operation === operation && v.subject === subject), {
            timeoutMs,
            description: `${role}: permissions violation for ${operation} to ${subject}`,
          }),
      };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
      await server.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
