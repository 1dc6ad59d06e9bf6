import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { StatusReply } from "@mms/contracts/runtime";

export interface HttpEndpoints {
  status(): Promise<StatusReply>;
  isReady(): { ready: boolean; reasons: string[] };
  /** Serves `/metrics`; absent when metrics are off. */
  metrics?: (request: IncomingMessage, response: ServerResponse) => void;
}

function json(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

/** /healthz (alive), /readyz (NATS, config, recovery), /metrics, /v1/status. */
export async function startHttpServer(port: number, host: string, endpoints: HttpEndpoints): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET") return json(response, 405, { error: "GET only" });
    switch (path) {
      case "/healthz":
        return json(response, 200, { status: "alive" });
      case "/readyz": {
        const readiness = endpoints.isReady();
        return json(response, readiness.ready ? 200 : 503, readiness);
      }
      case "/v1/status":
        void endpoints.status().then((status) => json(response, 200, status), (error: Error) => json(response, 500, { error: error.message }));
        return;
      case "/metrics":
        if (endpoints.metrics) return endpoints.metrics(request, response);
        return json(response, 404, { error: "metrics are off" });
      default:
        return json(response, 404, { error: "not found" });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  return { server, port: boundPort, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
