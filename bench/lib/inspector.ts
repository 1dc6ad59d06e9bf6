/**
 * A minimal Chrome DevTools Protocol client over the inspector of a node process started
 * with --inspect: the main thread directly, every worker thread through the NodeWorker
 * domain. For heap snapshots and post-GC heap figures of each thread.
 */
type Message = { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string } };

export interface ThreadTarget {
  /** `main`, or the worker's title. */
  readonly name: string;
  /** Undefined for the main thread. */
  readonly sessionId: string | undefined;
}

export class InspectorClient {
  private nextId = 1;
  private readonly waiting = new Map<string, (message: Message) => void>();
  private readonly listeners: Array<(sessionId: string | undefined, message: Message) => void> = [];
  readonly threads: ThreadTarget[] = [{ name: "main", sessionId: undefined }];

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener("message", (event) => this.received(undefined, JSON.parse(String(event.data)) as Message));
  }

  static async connect(port: number): Promise<InspectorClient> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
    const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve());
      socket.addEventListener("error", () => reject(new Error("inspector connection failed")));
    });
    const client = new InspectorClient(socket);
    await client.send(undefined, "NodeWorker.enable", { waitForDebuggerOnStart: false });
    // The attachedToWorker events come right after enable.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return client;
  }

  private received(sessionId: string | undefined, message: Message): void {
    if (message.method === "NodeWorker.attachedToWorker") {
      const params = message.params as { sessionId: string; workerInfo: { title: string; url: string } };
      this.threads.push({ name: `${params.workerInfo.title} ${params.sessionId}`, sessionId: params.sessionId });
      return;
    }
    if (message.method === "NodeWorker.receivedMessageFromWorker") {
      const params = message.params as { sessionId: string; message: string };
      this.received(params.sessionId, JSON.parse(params.message) as Message);
      return;
    }
    if (message.id !== undefined) {
      const key = `${sessionId ?? "main"}:${message.id}`;
      this.waiting.get(key)?.(message);
      this.waiting.delete(key);
      return;
    }
    for (const listener of this.listeners) listener(sessionId, message);
  }

  send(sessionId: string | undefined, method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const payload = JSON.stringify({ id, method, params });
    return new Promise((resolve, reject) => {
      this.waiting.set(`${sessionId ?? "main"}:${id}`, (message) => (message.error ? reject(new Error(`${method}: ${message.error.message}`)) : resolve(message.result ?? {})));
      if (sessionId === undefined) this.socket.send(payload);
      else this.socket.send(JSON.stringify({ id: this.nextId++, method: "NodeWorker.sendMessageToWorker", params: { sessionId, message: payload } }));
    });
  }

  /** `coordinator`, `symbol:<name>`, `risk` (from the worker's workerData) or `worker:<title>`. */
  async threadLabel(thread: ThreadTarget): Promise<string> {
    if (thread.sessionId === undefined) return "coordinator";
    const expression = `(() => { const data = process.getBuiltinModule("node:worker_threads").workerData; if (data && data.symbol && data.symbol.symbol) return "symbol:" + data.symbol.symbol; return data && data.risk ? "risk" : ""; })()`;
    const evaluated = await this.send(thread.sessionId, "Runtime.evaluate", { expression, returnByValue: true }).catch(() => undefined);
    const value = (evaluated?.result as { value?: unknown } | undefined)?.value;
    return typeof value === "string" && value !== "" ? value : `worker:${thread.name}`;
  }

  /** Heap in use right after a full collection, bytes. */
  async heapAfterGc(thread: ThreadTarget): Promise<number> {
    await this.send(thread.sessionId, "HeapProfiler.enable");
    await this.send(thread.sessionId, "HeapProfiler.collectGarbage");
    const usage = await this.send(thread.sessionId, "Runtime.getHeapUsage");
    return usage.usedSize as number;
  }

  /** A heap snapshot of the thread, as the .heapsnapshot JSON text. */
  async heapSnapshot(thread: ThreadTarget): Promise<string> {
    const chunks: string[] = [];
    const listener = (sessionId: string | undefined, message: Message) => {
      if (sessionId === thread.sessionId && message.method === "HeapProfiler.addHeapSnapshotChunk") chunks.push((message.params as { chunk: string }).chunk);
    };
    this.listeners.push(listener);
    try {
      await this.send(thread.sessionId, "HeapProfiler.enable");
      await this.send(thread.sessionId, "HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    } finally {
      this.listeners.splice(this.listeners.indexOf(listener), 1);
    }
    return chunks.join("");
  }

  close(): void {
    this.socket.close();
  }
}

/** Self size and count per constructor (objects) or per kind (strings, arrays, code...) of a snapshot. */
export function sizesByConstructor(snapshotText: string): Map<string, { count: number; bytes: number }> {
  const snapshot = JSON.parse(snapshotText) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const totals = new Map<string, { count: number; bytes: number }>();
  for (let index = 0; index < snapshot.nodes.length; index += width) {
    const type = types[snapshot.nodes[index + typeAt]!]!;
    const name = snapshot.strings[snapshot.nodes[index + nameAt]!]!;
    const key = type === "object" || type === "closure" ? `${type} ${name}` : type === "native" || type === "hidden" || type === "array" || type === "code" ? `${type} ${name.slice(0, 60)}` : type;
    const entry = totals.get(key) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += snapshot.nodes[index + sizeAt]!;
    totals.set(key, entry);
  }
  return totals;
}
