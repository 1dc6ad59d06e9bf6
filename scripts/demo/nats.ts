// NATS for the demo: the server at NATS_URL when it answers with JetStream, else a private
// nats-server (test-support's launcher: free loopback port, temporary store).
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServerProcess, type NatsServerProcess } from "@mms/test-support";
import { DemoError, say } from "./output";

export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface NatsChoice {
  readonly url: string;
  readonly nc: NatsConnection;
  readonly origin: string;
  readonly server?: NatsServerProcess;
}

/** Debian installs nats-server to /usr/sbin, which a normal user's PATH often lacks. */
export function findExecutable(name: string): string | undefined {
  const directories = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/usr/local/bin"];
  for (const directory of directories.filter((entry) => entry.length > 0)) {
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function request<T>(nc: NatsConnection, subject: string, body: unknown, timeout = 2000): Promise<T> {
  const payload = body === undefined ? new Uint8Array(0) : encoder.encode(JSON.stringify(body));
  const reply = await nc.request(subject, payload, { timeout });
  return JSON.parse(decoder.decode(reply.data)) as T;
}

async function connectWithJetStream(url: string): Promise<NatsConnection> {
  const nc = await connect({ servers: url, timeout: 2000, name: "mms-demo" });
  try {
    await jetstreamManager(nc);
  } catch (error) {
    await nc.close();
    throw new DemoError(`the NATS server at ${url} answers but JetStream is off (${(error as Error).message})`);
  }
  return nc;
}

export async function chooseNats(): Promise<NatsChoice> {
  const url = process.env.NATS_URL?.trim() || DEFAULT_NATS_URL;
  let why: string;
  try {
    const nc = await connectWithJetStream(url);
    return { url, nc, origin: `${process.env.NATS_URL ? "NATS_URL" : "default"} server, JetStream on` };
  } catch (error) {
    why = error instanceof DemoError ? error.message : `nothing answers at ${url}`;
  }
  const binary = findExecutable("nats-server");
  if (!binary) {
    throw new DemoError(
      `${why}, and no nats-server is on the PATH.\n` +
        "Install one, then run the demo again:\n" +
        "  Debian/Ubuntu:  sudo apt-get install nats-server\n" +
        "  macOS:          brew install nats-server\n" +
        "  any OS:         download a release from https://github.com/nats-io/nats-server/releases and put it on the PATH\n" +
        "or point NATS_URL at a NATS server started with JetStream (nats-server -js).",
    );
  }
  say(`${why}: starting ${binary} -js on a free loopback port with a temporary store`);
  let server: NatsServerProcess;
  try {
    server = await startNatsServerProcess({ binary, detached: true });
  } catch (error) {
    throw new DemoError((error as Error).message);
  }
  try {
    const nc = await connectWithJetStream(server.url);
    return { url: server.url, nc, origin: `private nats-server pid ${server.pid}, temporary store`, server };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
