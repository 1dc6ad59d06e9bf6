import { createConnection, createServer, type Server, type Socket } from "node:net";

// A TCP proxy on loopback between clients and one server, for tests that must stop a client at
// an exact point of what the server sends it. A held connection keeps reading from the server
// (so the server sees no back-pressure, no slow consumer) and keeps the bytes until released.

export interface HeldConnection {
  /** Markers the client was sent before the hold: at least the count asked for (whole chunks pass). */
  readonly passed: number;
  /** Sends what was held, and whatever comes after, to the client again. */
  release(): void;
}

interface Armed {
  readonly marker: Buffer;
  readonly count: number;
  readonly resolve: (held: HeldConnection) => void;
}

/**
 * Where to hold, shared by several proxies (one per cluster node: the client may be on any).
 * Armed, the first connection to pass `count` occurrences of `marker` from its server to its
 * client is held from that chunk on; one hold per arming.
 */
export class HoldPoint {
  private armed: Armed | undefined;

  arm(marker: string, count: number): Promise<HeldConnection> {
    if (this.armed !== undefined) return Promise.reject(new Error("the hold point is armed already"));
    return new Promise((resolve) => (this.armed = { marker: Buffer.from(marker), count, resolve }));
  }

  /** The arming in force, if any (each connection counts its markers for it). */
  current(): Armed | undefined {
    return this.armed;
  }

  /** Taken by `armed`'s first connection to reach its count. */
  take(armed: Armed, held: HeldConnection): void {
    if (this.armed !== armed) return;
    this.armed = undefined;
    armed.resolve(held);
  }
}

/** Occurrences of `marker` in `tail` + `chunk`, where `tail` (the previous chunk's end) is shorter than the marker. */
function countMarkers(marker: Buffer, tail: Buffer, chunk: Buffer): number {
  const text = tail.length === 0 ? chunk : Buffer.concat([tail, chunk]);
  let found = 0;
  for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + marker.length)) found++;
  return found;
}

/** Decides, for each whole NATS protocol frame the server sends (a control line, or MSG/HMSG with its payload), whether the client gets it. */
export type ServerFrameFilter = (frame: Buffer) => "PASS" | "DROP";

/**
 * Splits what a NATS server sends into whole frames: a line ending in CRLF, except MSG and
 * HMSG, whose line names the size of the payload (and its CRLF) that follows.
 */
class ServerFrames {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      const lineEnd = this.pending.indexOf("\r\n");
      if (lineEnd === -1) break;
      const line = this.pending.subarray(0, lineEnd).toString("latin1");
      let length = lineEnd + 2;
      if (line.startsWith("MSG ") || line.startsWith("HMSG ")) {
        const size = Number(line.slice(line.lastIndexOf(" ") + 1));
        length += size + 2;
      }
      if (this.pending.length < length) break;
      frames.push(this.pending.subarray(0, length));
      this.pending = this.pending.subarray(length);
    }
    return frames;
  }
}

/** One client connection and its own connection to the server. */
class ProxiedConnection {
  private held: Buffer[] | undefined;
  private serverClosed = false;
  private countedFor: Armed | undefined;
  private passed = 0;
  private tail: Buffer = Buffer.alloc(0);
  private readonly frames = new ServerFrames();

  constructor(
    private readonly client: Socket,
    private readonly server: Socket,
    private readonly holdPoint: HoldPoint | undefined,
    private readonly filter: ServerFrameFilter | undefined,
  ) {
    client.on("data", (chunk: Buffer) => server.write(chunk));
    server.on("data", (chunk: Buffer) => (filter ? this.fromServerFiltered(chunk) : this.fromServer(chunk)));
    // A server that dies ends its client's connection too, but only after what is held.
    server.on("close", () => {
      this.serverClosed = true;
      if (this.held === undefined) client.end();
    });
    server.on("error", () => undefined);
    client.on("close", () => server.destroy());
    client.on("error", () => server.destroy());
  }

  private fromServer(chunk: Buffer): void {
    if (this.held !== undefined) {
      this.held.push(chunk);
      return;
    }
    this.client.write(chunk);
    const armed = this.holdPoint?.current();
    if (armed === undefined) return;
    if (this.countedFor !== armed) {
      this.countedFor = armed;
      this.passed = 0;
      this.tail = Buffer.alloc(0);
    }
    this.passed += countMarkers(armed.marker, this.tail, chunk);
    this.tail = chunk.subarray(Math.max(0, chunk.length - (armed.marker.length - 1)));
    if (this.passed < armed.count) return;
    this.held = [];
    this.holdPoint!.take(armed, { passed: this.passed, release: () => this.release() });
  }

  /** Whole frames only, so a dropped one leaves the stream well formed. */
  private fromServerFiltered(chunk: Buffer): void {
    const passed = this.frames.push(chunk).filter((frame) => this.filter!(frame) === "PASS");
    if (passed.length > 0) this.fromServer(Buffer.concat(passed));
  }

  private release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const chunk of held) this.client.write(chunk);
    if (this.serverClosed) this.client.end();
  }

  destroy(): void {
    this.client.destroy();
    this.server.destroy();
  }
}

export interface TcpProxy {
  /** nats://127.0.0.1:PORT (the scheme is only a label: any TCP protocol passes). */
  readonly url: string;
  readonly port: number;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

/**
 * Listens on a free 127.0.0.1 port and forwards each connection to 127.0.0.1:`targetPort`
 * (a server that is down: the client's connection is closed at once, as a refused connect).
 * With `filter`, the server's bytes pass frame by frame (NATS protocol only).
 */
export async function startTcpProxy(targetPort: number, holdPoint?: HoldPoint, filter?: ServerFrameFilter): Promise<TcpProxy> {
  const connections = new Set<ProxiedConnection>();
  const server: Server = createServer({ noDelay: true }, (client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: targetPort, noDelay: true });
    const connection = new ProxiedConnection(client, upstream, holdPoint, filter);
    connections.add(connection);
    client.on("close", () => connections.delete(connection));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no TCP port");
  return {
    url: `nats://127.0.0.1:${address.port}`,
    port: address.port,
    async close() {
      for (const connection of connections) connection.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
