import { createConnection, createServer, type Server, type Socket } from "node:net";
import { HoldPoint, startTcpProxy, type TcpProxy } from "../src/tcp-proxy";
import { waitFor } from "../src/wait-for";

// The proxy on loopback, between a client and a server this test drives byte by byte.

let server: Server;
let serverSide: Promise<Socket>;
let proxy: TcpProxy;
let holdPoint: HoldPoint;
const sockets: Socket[] = [];

beforeEach(async () => {
  let accepted: (socket: Socket) => void = () => undefined;
  serverSide = new Promise((resolve) => (accepted = resolve));
  server = createServer((socket) => {
    sockets.push(socket);
    accepted(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  holdPoint = new HoldPoint();
  proxy = await startTcpProxy((server.address() as { port: number }).port, holdPoint);
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await proxy.close();
  await new Promise((resolve) => server.close(resolve));
});

/** A client of the proxy and everything it has received. */
async function client(): Promise<{ socket: Socket; received: () => string; ended: Promise<void> }> {
  const socket = createConnection({ host: "127.0.0.1", port: proxy.port });
  sockets.push(socket);
  let text = "";
  socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const ended = new Promise<void>((resolve) => socket.on("end", resolve));
  await new Promise((resolve) => socket.once("connect", resolve));
  return { socket, received: () => text, ended };
}

const receivedExactly = (received: () => string, expected: string) => waitFor(() => received() === expected, { timeoutMs: 2000, description: `client received ${JSON.stringify(expected)} (has ${JSON.stringify(received())})` });

test("bytes pass unchanged both ways while nothing is held", async () => {
  const { socket, received } = await client();
  const upstream = await serverSide;
  let atServer = "";
  upstream.on("data", (chunk: Buffer) => (atServer += chunk.toString()));
  socket.write("PING\r\n");
  await waitFor(() => atServer === "PING\r\n", { timeoutMs: 2000, description: "the server got the client's bytes" });
  upstream.write("PONG\r\n");
  await receivedExactly(received, "PONG\r\n");
});

test("the chunk that completes the count passes, what the server sends after it waits for release, then arrives in order", async () => {
  const holding = holdPoint.arm("MSG a ", 2);
  const { received } = await client();
  const upstream = await serverSide;
  upstream.write("MSG a 1\r\nMSG a 2\r\nMSG a 3\r\n");
  const held = await holding;
  expect(held.passed).toBe(3);
  upstream.write("MSG a 4\r\n");
  await receivedExactly(received, "MSG a 1\r\nMSG a 2\r\nMSG a 3\r\n");
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(received()).toBe("MSG a 1\r\nMSG a 2\r\nMSG a 3\r\n");
  held.release();
  upstream.write("MSG a 5\r\n");
  await receivedExactly(received, "MSG a 1\r\nMSG a 2\r\nMSG a 3\r\nMSG a 4\r\nMSG a 5\r\n");
});

test("a marker split over two chunks counts once", async () => {
  const holding = holdPoint.arm("MSG a ", 1);
  const { received } = await client();
  const upstream = await serverSide;
  upstream.write("xx MS");
  await receivedExactly(received, "xx MS");
  upstream.write("G a 1\r\n");
  await expect(holding).resolves.toMatchObject({ passed: 1 });
});

test("a server that closes while its client is held: the client gets what was held, then the end", async () => {
  const holding = holdPoint.arm("MSG a ", 1);
  const { received, ended } = await client();
  const upstream = await serverSide;
  upstream.write("MSG a 1\r\n");
  const held = await holding;
  upstream.end("MSG a 2\r\n");
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(received()).toBe("MSG a 1\r\n");
  held.release();
  await ended;
  expect(received()).toBe("MSG a 1\r\nMSG a 2\r\n");
});

test("a frame filter drops whole NATS frames, however the server's bytes are split, and passes the rest in order", async () => {
  const filtered = await startTcpProxy((server.address() as { port: number }).port, undefined, (frame) => (frame.includes("408 Request Timeout") ? "DROP" : "PASS"));
  try {
    const socket = createConnection({ host: "127.0.0.1", port: filtered.port });
    sockets.push(socket);
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
    await new Promise((resolve) => socket.once("connect", resolve));
    const upstream = await serverSide;
    const status = "NATS/1.0 408 Request Timeout\r\n\r\n";
    const kept = "NATS/1.0 100 Idle Heartbeat\r\n\r\n";
    const bytes = `PING\r\nHMSG _INBOX.a 1 ${status.length} ${status.length}\r\n${status}\r\nMSG exec.A.B 2 5\r\nhello\r\nHMSG _INBOX.a 1 ${kept.length} ${kept.length}\r\n${kept}\r\n+OK\r\n`;
    // Split at every few bytes, so frames cross chunk boundaries (a payload's CRLF included).
    for (let at = 0; at < bytes.length; at += 7) {
      upstream.write(bytes.slice(at, at + 7));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const expected = `PING\r\nMSG exec.A.B 2 5\r\nhello\r\nHMSG _INBOX.a 1 ${kept.length} ${kept.length}\r\n${kept}\r\n+OK\r\n`;
    await waitFor(() => text === expected, { timeoutMs: 5000, description: `the client got everything but the 408 (got ${JSON.stringify(text)})` });
  } finally {
    await filtered.close();
  }
});
