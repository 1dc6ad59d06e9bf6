import { createServer } from "node:net";

/** Ports never handed out: the machine's own NATS listens on 4222 (monitoring on 8222). */
const RESERVED_PORTS = new Set([4222, 8222]);

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: bound with port 0 (the kernel picks),
 * read back, released. Another process could take it before the caller binds it, so bind soon.
 */
export async function getFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
        const address = server.address();
        if (address === null || typeof address === "string") {
          server.close(() => reject(new Error(`unexpected server address: ${String(address)}`)));
          return;
        }
        server.close((err) => (err ? reject(err) : resolve(address.port)));
      });
    });
    if (!RESERVED_PORTS.has(port)) return port;
  }
  throw new Error("getFreePort: the kernel kept handing out reserved ports");
}
