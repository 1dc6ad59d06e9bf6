import { DeliverPolicy } from "@nats-io/jetstream";
import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg, OrderedConsumerOptions } from "@nats-io/jetstream";
import { ClosedConnectionError } from "@nats-io/nats-core";
import { decodeAndValidate, STREAMS, subjects, validators } from "@mms/contracts/runtime";
import type { ExecutionReport, ValidationIssue } from "@mms/contracts/runtime";
import { isStreamNotFound } from "./streams";

export interface ExecutionReportDelivery {
  readonly report: ExecutionReport;
  /** True while replaying what the stream held when the feed started. */
  readonly replay: boolean;
  readonly streamSequence: number;
  readonly subject: string;
  /** The message headers, e.g. the exchange's `traceparent`. */
  readonly headers: { get(key: string): string } | undefined;
}

export interface CaughtUpInfo {
  /** Highest stream sequence of the subject at start; 0 for an empty history. */
  readonly replayEndSequence: number;
  /**
   * The stream's first sequence at start (0 for a stream that never held a message). Above
   * `fromSequence`, reports the replay needed were already gone: the history is truncated.
   */
  readonly streamFirstSequence: number;
  /** The stream's last sequence at start: every report of the subject up to it was delivered. */
  readonly streamLastSequence: number;
  /** Messages (valid or not) delivered before the catch-up. */
  readonly replayedCount: number;
}

/** Notices the feed gives on its own health; none of them needs an answer. */
export type ExecutionFeedStatus =
  | { readonly kind: "WAITING_FOR_STREAM"; readonly stream: string; readonly attempt: number }
  | { readonly kind: "CONSUMING"; readonly fromSequence: number }
  | { readonly kind: "RESTARTING"; readonly fromSequence: number; readonly message: string }
  | { readonly kind: "CONSUMER_NOTICE"; readonly notice: string }
  | { readonly kind: "HANDLER_FAILED"; readonly streamSequence: number; readonly error: unknown }
  | { readonly kind: "CONNECTION_CLOSED" };

export interface ExecutionReportFeedOptions {
  readonly account: string;
  readonly symbol: string;
  readonly onReport: (delivery: ExecutionReportDelivery) => void;
  /** Called once, after the last replayed report and before the first live one. */
  readonly onCaughtUp?: (info: CaughtUpInfo) => void;
  /** A body that failed decoding or validation: never delivered as a report. */
  readonly onInvalid?: (issues: readonly ValidationIssue[], subject: string, streamSequence: number) => void;
  readonly onStatus?: (status: ExecutionFeedStatus) => void;
  /** Pause before retrying a missing stream or a broken consumer. Default 1000 ms. */
  readonly retryDelayMs?: number;
  /** Default `EXEC`. */
  readonly stream?: string;
  /** First stream sequence to replay (a checkpoint's `execSeq + 1`). Default 1: the whole history. */
  readonly fromSequence?: number;
  /** Silence of the consumer (no message, heartbeat or pull expiry) that makes the feed start a new one. Default 10 s. */
  readonly silenceLimitMs?: number;
}

export interface ExecutionReportFeed {
  /** Resolves true once caught up, false if stopped first. */
  readonly caughtUp: Promise<boolean>;
  /**
   * Replaces the consumer with a new one after the last delivered sequence, e.g. after the
   * connection came back: the old consumer may live on a server that is gone. No-op between consumers.
   */
  restart(reason: string): void;
  stop(): Promise<void>;
}

/** Messages a pull asks for: the live flow is a few reports a second, a replay can be millions. */
const LIVE_BATCH = 256;
const REPLAY_BATCH = 4096;
/**
 * Lifetime of each pull; the server's idle heartbeat is half of it, and two missed heartbeats
 * make nats.js recreate the ordered consumer. With the library's 30 s, a consumer lost with a
 * cluster node (the client reconnected elsewhere) went unnoticed for 30 s or more: no reports.
 * 5 s finds it within about 5 s, at the cost of one pull request per symbol every 5 s.
 */
const PULL_EXPIRES_MS = 5000;
/**
 * A live consumer shows itself at least every idle heartbeat (half a pull's lifetime): a
 * message, a heartbeat or a pull's expiry. Silence this long (four heartbeats, two pulls) means
 * the consumer is gone in a way nats.js does not recover from: its ordered consumer, on a
 * cluster node that died, answers no info request, and the library retries the info forever
 * (it recreates the consumer only on "consumer not found"). The feed then starts a new
 * consumer after the last sequence delivered. This is the backstop: missed heartbeats (5 s) or
 * the caller's restart() after a reconnect replace the consumer sooner.
 */
const DEFAULT_SILENCE_LIMIT_MS = 2 * PULL_EXPIRES_MS;
const SILENCE_CHECK_PERIOD_MS = 500;
/**
 * Every pull ends by its expiry at the latest, and the client then hears of it (a 408 with what
 * was left: "discard") and pulls again ("next"). nats-server 2.9.10 now and then expires a pull
 * without the 408 (fixed upstream in 2.9.16, nats-server#3942): nats.js then believes its pull
 * is still open while the server holds none, sends no new one, and only two missed heartbeats
 * (a pull's lifetime, 5 s) wake it. Reports waited that long: every one of them then paused the
 * symbol BUS_LAG. Neither sign of pulling for a pull's lifetime plus this grace: the feed
 * replaces the consumer at once.
 */
const PULL_ANSWER_GRACE_MS = 750;
const PULL_SIGNS = new Set(["next", "discard"]);
/**
 * Consumers asked for at once when replacing one. After a SIGKILL the survivors still count the
 * dead node as a peer for a while, and nats-server 2.9.10 placed about one in four new R1
 * consumers on it: that create times out (5 s). All three land there far less often.
 */
const RECOVERY_CANDIDATES = 3;

/** Notices that only a live consumer causes (not e.g. "heartbeats_missed", which the client makes up). */
const SIGNS_OF_LIFE = new Set(["heartbeat", "discard", "ordered_consumer_recreated"]);

/** Consumer notices worth telling the caller; heartbeats and pull bookkeeping are noise. */
const REPORTED_NOTICES = new Set(["heartbeats_missed", "stream_not_found", "consumer_not_found", "consumer_deleted", "ordered_consumer_recreated", "no_responders", "exceeded_limits"]);

/**
 * One report as delivered. A class rather than an object literal with a getter: a replay
 * makes a million of them, and a literal's getter is a new closure each time. Headers are
 * parsed only if read (the trace parent, with tracing on).
 */
class Delivery implements ExecutionReportDelivery {
  constructor(
    readonly report: ExecutionReport,
    readonly replay: boolean,
    readonly streamSequence: number,
    private readonly message: JsMsg,
  ) {}

  get subject(): string {
    return this.message.subject;
  }

  get headers(): { get(key: string): string } | undefined {
    return this.message.headers;
  }
}

/**
 * Replays the history of `exec.<ACCOUNT>.<SYMBOL>` from stream EXEC (all of it, or from a
 * checkpoint's sequence on), then stays live.
 * One ordered consumer (single filter subject, deliver-all) carries both phases, so nothing
 * falls between them; the boundary is the subject's last sequence read before it starts.
 * If the consumer breaks, a new one resumes after the last sequence seen.
 */
export function startExecutionReportFeed(jetStream: JetStreamClient, options: ExecutionReportFeedOptions): ExecutionReportFeed {
  const stream = options.stream ?? STREAMS.executionReports.name;
  const subject = subjects.executionReports(options.account, options.symbol);
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const silenceLimitMs = options.silenceLimitMs ?? DEFAULT_SILENCE_LIMIT_MS;

  let stopped = false;
  let messages: ConsumerMessages | undefined;
  let replayEndSequence: number | undefined;
  let streamFirstSequence = 0;
  let streamLastSequence = 0;
  // The replay starts after a checkpoint as if everything before it had been seen.
  let lastSequence: number | undefined = options.fromSequence !== undefined && options.fromSequence > 1 ? options.fromSequence - 1 : undefined;
  let replayedCount = 0;
  let lastSignOfLife = Date.now();
  let lastPullSign = Date.now();
  let isCaughtUp = false;
  let wakeRetry: (() => void) | undefined;
  let resolveCaughtUp: (value: boolean) => void = () => undefined;
  const caughtUp = new Promise<boolean>((resolve) => (resolveCaughtUp = resolve));

  const status = (event: ExecutionFeedStatus): void => {
    try {
      options.onStatus?.(event);
    } catch {
      // A failing status listener must not stop the feed.
    }
  };

  const markCaughtUp = (): void => {
    if (isCaughtUp) return;
    isCaughtUp = true;
    try {
      options.onCaughtUp?.({ replayEndSequence: replayEndSequence ?? 0, streamFirstSequence, streamLastSequence, replayedCount });
    } catch (error) {
      status({ kind: "HANDLER_FAILED", streamSequence: lastSequence ?? 0, error });
    }
    resolveCaughtUp(true);
  };

  const handle = (message: JsMsg): void => {
    lastSignOfLife = Date.now();
    const sequence = message.seq;
    // A resumed consumer starts after lastSequence; this guard makes "never twice" local and certain.
    if (lastSequence !== undefined && sequence <= lastSequence) return;
    lastSequence = sequence;
    const replay = !isCaughtUp;
    if (replay) replayedCount++;
    try {
      const decoded = decodeAndValidate(message.data, validators.executionReport);
      if (decoded.ok) options.onReport(new Delivery(decoded.value, replay, sequence, message));
      else options.onInvalid?.(decoded.issues, message.subject, sequence);
    } catch (error) {
      status({ kind: "HANDLER_FAILED", streamSequence: sequence, error });
    }
    // pending 0: nothing newer matched when this was sent, covering a deleted boundary message.
    if (!isCaughtUp && (sequence >= (replayEndSequence ?? 0) || message.info.pending === 0)) markCaughtUp();
  };

  const pause = (): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, retryDelayMs);
      wakeRetry = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const forwardNotices = async (current: ConsumerMessages): Promise<void> => {
    for await (const notice of current.status()) {
      if (SIGNS_OF_LIFE.has(notice.type)) lastSignOfLife = Date.now();
      if (PULL_SIGNS.has(notice.type)) lastPullSign = Date.now();
      // nats.js answers this with a consumer info that never returns if the consumer's server died.
      if (notice.type === "heartbeats_missed" && messages === current) replace("heartbeats missed");
      if (REPORTED_NOTICES.has(notice.type)) status({ kind: "CONSUMER_NOTICE", notice: notice.type });
    }
  };

  /** Why the current consumer is being replaced (set by restart() or the silence watch). */
  let replacing: string | undefined;

  const replace = (reason: string): void => {
    if (stopped || messages === undefined || replacing !== undefined) return;
    replacing = reason;
    messages.stop();
  };

  /** Replaces the consumer after silenceLimitMs without a sign of life, or when a pull went unanswered (see PULL_ANSWER_GRACE_MS). */
  const watchForSilence = (): (() => void) => {
    lastSignOfLife = Date.now();
    lastPullSign = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      if (now - lastSignOfLife >= silenceLimitMs) replace(`consumer silent for ${silenceLimitMs} ms`);
      else if (now - lastPullSign >= PULL_EXPIRES_MS + PULL_ANSWER_GRACE_MS) replace("pull expired unanswered");
    }, Math.min(SILENCE_CHECK_PERIOD_MS, silenceLimitMs));
    timer.unref?.();
    return () => clearInterval(timer);
  };

  /**
   * One ordered consumer; with `candidates` > 1 that many are asked for at once, the first
   * created is kept and the others deleted (never consumed, so nothing is delivered twice).
   */
  const createConsumer = async (config: Partial<OrderedConsumerOptions>, candidates: number): Promise<Consumer> => {
    // A copy each: nats.js writes the generated name_prefix into the options it is given.
    if (candidates === 1) return jetStream.consumers.get(stream, { ...config });
    const attempts = Array.from({ length: candidates }, () => jetStream.consumers.get(stream, { ...config }));
    const chosen = await Promise.any(attempts).catch((error: unknown) => {
      throw error instanceof AggregateError ? error.errors[0] : error;
    });
    for (const attempt of attempts) {
      void attempt.then((other) => (other === chosen ? undefined : other.delete()), () => undefined).catch(() => undefined);
    }
    return chosen;
  };
  /** The next consumer replaces a lost or failed one: ask for several (see RECOVERY_CANDIDATES). */
  let recovering = false;

  const run = async (): Promise<void> => {
    // No API check here: it would need the server, and a server outage is retried below.
    const streamManager = await jetStream.jetstreamManager(false);
    let missingStreamAttempts = 0;
    while (!stopped) {
      try {
        if (replayEndSequence === undefined) {
          const { state } = await streamManager.streams.info(stream);
          streamFirstSequence = state.first_seq;
          streamLastSequence = state.last_seq;
          const last = await streamManager.streams.getMessage(stream, { last_by_subj: subject });
          replayEndSequence = last?.seq ?? 0;
          if (replayEndSequence <= (lastSequence ?? 0)) markCaughtUp();
        }
        missingStreamAttempts = 0;
        const fromSequence = lastSequence === undefined ? 1 : lastSequence + 1;
        const consumer = await createConsumer(
          lastSequence === undefined
            ? { filter_subjects: subject, deliver_policy: DeliverPolicy.All }
            : { filter_subjects: subject, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSequence },
          recovering ? RECOVERY_CANDIDATES : 1,
        );
        recovering = false;
        if (stopped) {
          await consumer.delete().catch(() => false);
          break;
        }
        // A callback, not the async iterator: no promise per message. A long history is pulled
        // in large batches (fewer round trips, each of which waits for a CPU on a loaded box).
        const backlog = Math.max(0, (replayEndSequence ?? 0) - fromSequence + 1);
        const current = await consumer.consume({ max_messages: backlog > REPLAY_BATCH ? REPLAY_BATCH : LIVE_BATCH, expires: PULL_EXPIRES_MS, callback: handle });
        messages = current;
        if (stopped) current.stop();
        void forwardNotices(current).catch(() => undefined);
        status({ kind: "CONSUMING", fromSequence });
        const stopWatching = watchForSilence();
        const ended = await current.closed().finally(stopWatching);
        messages = undefined;
        const replaced = replacing;
        replacing = undefined;
        recovering = true;
        if (ended instanceof Error && replaced === undefined) throw ended;
        if (replaced !== undefined) {
          // Its server may be gone: a delete would wait for the request timeout. At once, no pause.
          void consumer.delete().catch(() => false);
          if (stopped) break;
          status({ kind: "RESTARTING", fromSequence: (lastSequence ?? 0) + 1, message: replaced });
          continue;
        }
        await consumer.delete().catch(() => false);
        if (stopped) break;
        status({ kind: "RESTARTING", fromSequence: (lastSequence ?? 0) + 1, message: "consumer ended" });
      } catch (error) {
        messages = undefined;
        recovering = true;
        if (stopped) break;
        if (error instanceof ClosedConnectionError) {
          status({ kind: "CONNECTION_CLOSED" });
          break;
        }
        if (isStreamNotFound(error)) {
          missingStreamAttempts++;
          status({ kind: "WAITING_FOR_STREAM", stream, attempt: missingStreamAttempts });
        } else {
          status({ kind: "RESTARTING", fromSequence: (lastSequence ?? 0) + 1, message: error instanceof Error ? error.message : String(error) });
        }
      }
      if (!stopped) await pause();
    }
  };

  const finished = run()
    .catch((error: unknown) => {
      if (error instanceof ClosedConnectionError) status({ kind: "CONNECTION_CLOSED" });
      else status({ kind: "RESTARTING", fromSequence: (lastSequence ?? 0) + 1, message: `feed failed: ${String(error)}` });
    })
    .finally(() => resolveCaughtUp(false));

  return {
    caughtUp,
    restart: replace,
    async stop() {
      if (stopped) return finished;
      stopped = true;
      wakeRetry?.();
      messages?.stop();
      await finished;
    },
  };
}
