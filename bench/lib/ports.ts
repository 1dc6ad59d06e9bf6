import { createServer } from "node:net";

/** Never hand out the machine's own NATS port. */
const RESERVED_PORTS = new Set([4222, 8222]);

/** A loopback TCP port that was free a moment ago (bind port 0, read it back, release). */
export async function getFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
        const address = server.address();
        if (address === null || typeof address === "string") {
          server.close(() => reject(new Error("unexpected server address")));
          return;
        }
        server.close((error) => (error ? reject(error) : resolve(address.port)));
      });
    });
    if (!RESERVED_PORTS.has(port)) return port;
  }
  throw new Error("getFreePort: only reserved ports were handed out");
}
