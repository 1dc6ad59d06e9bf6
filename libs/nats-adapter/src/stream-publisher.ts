import { createInbox, headers as createHeaders, type Msg, type NatsConnection, type Subscription } from "@nats-io/nats-core";
import { performance } from "node:perf_hooks";

export type PublishFailureReason = "TIMEOUT" | "NO_STREAM" | "PERMISSION_DENIED" | "ERROR";

export type StreamPublishResult =
  | { readonly kind: "ACKED"; readonly stream: string; readonly seq: number; readonly duplicate: boolean }
  | { readonly kind: "FAILED"; readonly reason: PublishFailureReason; readonly message: string };

export interface StreamPublishOptions {
  /** `Nats-Msg-Id`: the stream stores a message whose id it has already seen only once. */
  readonly messageId: string;
  /** No ack within this is a TIMEOUT (the message may still have been stored). */
  readonly timeoutMs: number;
  /** Extra headers, e.g. a W3C `traceparent`; a `Nats-Msg-Id` among them is ignored. */
  readonly headers?: Readonly<Record<string, string>>;
}

interface AwaitedAck {
  readonly settle: (result: StreamPublishResult) => void;
  readonly deadline: number;
  readonly subject: string;
}

const MESSAGE_ID_HEADER = "Nats-Msg-Id";
const NO_RESPONDERS_STATUS = 503;
const decoder = new TextDecoder();

function failed(reason: PublishFailureReason, message: string): StreamPublishResult {
  return { kind: "FAILED", reason, message };
}

/** A stream's answer on the reply subject: a PubAck, a JetStream error, or the server's "no responders". */
function readAck(message: Msg): StreamPublishResult {
  // Nothing listens on the subject: the server answers at once with an empty 503 status.
  if (message.data.length === 0 && message.headers?.code === NO_RESPONDERS_STATUS) return failed("NO_STREAM", "no stream captures the subject, or JetStream is off (jetstream is not enabled)");
  let ack: { stream?: unknown; seq?: unknown; duplicate?: unknown; error?: { description?: unknown } };
  try {
    ack = JSON.parse(decoder.decode(message.data)) as typeof ack;
  } catch {
    return failed("ERROR", "invalid ack response");
  }
  if (ack.error) return failed("ERROR", String(ack.error.description ?? "JetStream error"));
  if (typeof ack.stream !== "string" || ack.stream === "" || typeof ack.seq !== "number") return failed("ERROR", "invalid ack response");
  return { kind: "ACKED", stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate === true };
}

/** nats.js's PermissionViolationError for a publish, by its fields (another build of nats-core may have made it, so not by instanceof). */
function publishViolation(error: Error): { readonly subject: string; readonly message: string } | undefined {
  const fields = error as Error & { operation?: unknown; subject?: unknown };
  if (error.name !== "PermissionViolationError" || fields.operation !== "publish" || typeof fields.subject !== "string") return undefined;
  return { subject: fields.subject, message: error.message };
}

/**
 * JetStream publishes on one connection, each a core publish with its own reply subject and
 * awaited for the stream's ack: the same exchange as nats.js's `js.publish` (one attempt), at a
 * fraction of its cost. Every ack comes back to one wildcard subscription and is matched by its
 * token; one timer, set for the earliest deadline, times out the unanswered ones. nats.js makes a
 * request object, a timer, several promises and an Error with a stack (to reject a request it
 * has already resolved) for every publish; at thousands of publishes a second that was a tenth
 * of a symbol worker's CPU. Never rejects: every failure is a result.
 */
export class StreamPublisher {
  private replies: Subscription | undefined;
  private replyPrefix = "";
  private readonly awaited = new Map<string, AwaitedAck>();
  private nextToken = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private readonly expire = () => this.expireDue();

  constructor(
    private readonly connection: NatsConnection,
    private readonly clock: () => number = () => performance.now(),
  ) {
    // As nats.js does for its requests: whatever is still awaited when the connection closes fails at once.
    void connection.closed().then(() => this.failAll("connection closed"));
    void this.watchPermissionViolations();
  }

  /**
   * A publish the user may not make is dropped by the server, which says so only with an
   * asynchronous -ERR naming the subject: no ack would ever come. Every publish awaited on that
   * subject fails at once (PERMISSION_DENIED) instead of as a TIMEOUT at its deadline.
   */
  private async watchPermissionViolations(): Promise<void> {
    for await (const status of this.connection.status()) {
      const violation = status.type === "error" ? publishViolation(status.error) : undefined;
      if (!violation) continue;
      const { subject, message } = violation;
      for (const [token, waiting] of this.awaited) {
        if (waiting.subject !== subject) continue;
        this.awaited.delete(token);
        waiting.settle(failed("PERMISSION_DENIED", message));
      }
    }
  }

  /** Acks not yet answered nor timed out. */
  get awaitedCount(): number {
    return this.awaited.size;
  }

  publish(subject: string, data: Uint8Array, options: StreamPublishOptions): Promise<StreamPublishResult> {
    if (this.connection.isClosed()) return Promise.resolve(failed("ERROR", "connection closed"));
    return new Promise<StreamPublishResult>((settle) => {
      const token = (this.nextToken++).toString(36);
      try {
        const messageHeaders = createHeaders();
        if (options.headers) {
          for (const name in options.headers) if (name.toLowerCase() !== "nats-msg-id") messageHeaders.set(name, options.headers[name]!);
        }
        messageHeaders.set(MESSAGE_ID_HEADER, options.messageId);
        this.connection.publish(subject, data, { reply: this.replySubject(token), headers: messageHeaders });
      } catch (error) {
        settle(failed("ERROR", error instanceof Error ? error.message : String(error)));
        return;
      }
      const deadline = this.clock() + options.timeoutMs;
      this.awaited.set(token, { settle, deadline, subject });
      if (deadline < this.timerAt) this.armTimer(deadline);
    });
  }

  private replySubject(token: string): string {
    if (!this.replies) {
      this.replyPrefix = `${createInbox()}.`;
      this.replies = this.connection.subscribe(`${this.replyPrefix}*`, { callback: (error, message) => (error ? undefined : this.onReply(message)) });
    }
    return this.replyPrefix + token;
  }

  private onReply(message: Msg): void {
    const token = message.subject.slice(this.replyPrefix.length);
    const waiting = this.awaited.get(token);
    // An ack after its timeout: the caller was already told TIMEOUT.
    if (!waiting) return;
    this.awaited.delete(token);
    waiting.settle(readAck(message));
  }

  private armTimer(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.expire, Math.max(1, Math.ceil(at - this.clock())));
    // The connection keeps the process alive while anything can still be answered.
    this.timer.unref?.();
  }

  private expireDue(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.clock();
    let next = Number.POSITIVE_INFINITY;
    for (const [token, waiting] of this.awaited) {
      if (waiting.deadline <= now) {
        this.awaited.delete(token);
        waiting.settle(failed("TIMEOUT", "timeout"));
      } else if (waiting.deadline < next) next = waiting.deadline;
    }
    if (next !== Number.POSITIVE_INFINITY) this.armTimer(next);
  }

  private failAll(message: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const waiting = [...this.awaited.values()];
    this.awaited.clear();
    for (const ack of waiting) ack.settle(failed("ERROR", message));
  }
}
