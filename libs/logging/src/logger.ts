import { redact, redactText } from "./redaction";
import { currentTraceIds, type TraceContextProvider } from "./trace-context";

export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured fields of a line: symbol, reason codes, ids... */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  readonly level: LogLevel;
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  log(level: LogLevel, message: string, fields?: LogFields): void;
  /** Lets a hot path skip building fields for a line that would be dropped. */
  isLevelEnabled(level: LogLevel): boolean;
  /** A logger that adds `fields` to every line; the parent is unchanged. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly service: string;
  readonly instance?: string;
  /** Where JSON lines go; standard output by default (also inside a worker thread). */
  readonly output?: NodeJS.WritableStream;
  /** Read for MMS_LOG_LEVEL; the process environment by default. */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** Overrides the thread-wide hook of setTraceContextProvider for this logger. */
  readonly traceContext?: TraceContextProvider;
}

export const LOG_LEVEL_ENVIRONMENT_VARIABLE = "MMS_LOG_LEVEL";

const LEVEL_PRIORITY: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };
const RESERVED_KEYS = new Set(["ts", "level", "message", "service", "instance", "trace_id", "span_id"]);

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

/** One JSON object per line: ts, level, message, then service, instance, trace ids and fields. */
function stringify(record: object): string {
  try {
    return JSON.stringify(record);
  } catch (error) {
    return JSON.stringify({ ts: new Date().toISOString(), level: "error", message: "log line could not be serialized", error: String(error) });
  }
}

export function createLogger(options: LoggerOptions): Logger {
  const environment = options.environment ?? process.env;
  const requested = environment[LOG_LEVEL_ENVIRONMENT_VARIABLE]?.trim().toLowerCase();
  const level = requested !== undefined && requested !== "" && isLogLevel(requested) ? requested : options.level;
  // Written straight to the stream, as winston's Stream transport did: every worker thread has a
  // logger, and winston with its dependencies cost each one about 6 MB and 0.3 CPU s to load.
  const output = options.output ?? process.stdout;
  const root: LineWriter = (record) => void output.write(`${stringify(record)}\n`);
  const base: Record<string, unknown> = { service: options.service };
  if (options.instance !== undefined) base.instance = options.instance;
  const logger = new JsonLogger(root, level, base, {}, options.traceContext);
  if (requested !== undefined && requested !== "" && !isLogLevel(requested)) {
    logger.warn(`${LOG_LEVEL_ENVIRONMENT_VARIABLE} is not a log level; using ${level}`, { value: requested, allowed: LOG_LEVELS });
  }
  return logger;
}

type LineWriter = (record: Record<string, unknown>) => void;

class JsonLogger implements Logger {
  private readonly threshold: number;

  constructor(
    private readonly root: LineWriter,
    readonly level: LogLevel,
    private readonly base: Readonly<Record<string, unknown>>,
    /** Already redacted: bound once, written many times. */
    private readonly bound: Readonly<Record<string, unknown>>,
    private readonly traceContext: TraceContextProvider | undefined,
  ) {
    this.threshold = LEVEL_PRIORITY[level];
  }

  error(message: string, fields?: LogFields): void {
    this.log("error", message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.log("warn", message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.log("info", message, fields);
  }

  debug(message: string, fields?: LogFields): void {
    this.log("debug", message, fields);
  }

  isLevelEnabled(level: LogLevel): boolean {
    return LEVEL_PRIORITY[level] <= this.threshold;
  }

  child(fields: LogFields): Logger {
    return new JsonLogger(this.root, this.level, this.base, { ...this.bound, ...renameReserved(redactFields(fields)) }, this.traceContext);
  }

  log(level: LogLevel, message: string, fields?: LogFields): void {
    if (!this.isLevelEnabled(level)) return;
    const record: Record<string, unknown> = { ts: new Date().toISOString(), level, message: redactText(String(message)), ...this.base };
    const trace = currentTraceIds(this.traceContext);
    if (trace !== undefined) {
      record.trace_id = trace.trace_id;
      record.span_id = trace.span_id;
    }
    Object.assign(record, this.bound);
    if (fields !== undefined) Object.assign(record, renameReserved(redactFields(fields)));
    this.root(record);
  }
}

function redactFields(fields: LogFields): Record<string, unknown> {
  const redacted = redact(fields);
  return typeof redacted === "object" && redacted !== null && !Array.isArray(redacted) ? (redacted as Record<string, unknown>) : { fields: redacted };
}

/** A field may not overwrite the line's own keys; it is kept under `field_<key>`. */
function renameReserved(fields: Record<string, unknown>): Record<string, unknown> {
  let result = fields;
  for (const key of Object.keys(fields)) {
    if (!RESERVED_KEYS.has(key)) continue;
    if (result === fields) result = { ...fields };
    result[`field_${key}`] = result[key];
    delete result[key];
  }
  return result;
}
