import type * as Winston from "winston";
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
  /** Writes a record another thread's logger finished (its level already judged), as it is. */
  write(record: LogRecord): void;
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
  /**
   * Where finished records go instead of a winston logger of this thread's own: a worker
   * thread hands them to the coordinator, whose winston writes every thread's lines.
   */
  readonly write?: LogRecordWriter;
}

/** One finished log line as a record: ts, level, message, service, instance, trace ids and fields. */
export type LogRecord = Readonly<Record<string, unknown>>;
export type LogRecordWriter = (record: LogRecord) => void;

export const LOG_LEVEL_ENVIRONMENT_VARIABLE = "MMS_LOG_LEVEL";

const LEVEL_PRIORITY: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };
const RESERVED_KEYS = new Set(["ts", "level", "message", "service", "instance", "trace_id", "span_id"]);

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

// triple-beam's MESSAGE symbol: the string a winston transport writes.
const MESSAGE = Symbol.for("message");

function stringify(record: object): string {
  try {
    return JSON.stringify(record);
  } catch (error) {
    return JSON.stringify({ ts: new Date().toISOString(), level: "error", message: "log line could not be serialized", error: String(error) });
  }
}

// The CommonJS loader's own function: winston loads only in a thread that writes lines itself.
declare const require: (id: string) => unknown;

/**
 * A winston logger writing one JSON object per line to `output` (standard output by default):
 * the records come finished (level already judged), from this thread's loggers or from a
 * worker thread's (see LoggerOptions.write).
 */
export function createLogRecordWriter(output: NodeJS.WritableStream = process.stdout): LogRecordWriter {
  const winston = require("winston") as typeof Winston;
  const jsonLine = winston.format((info) => {
    (info as Record<symbol, unknown>)[MESSAGE] = stringify(info);
    return info;
  });
  const root = winston.createLogger({
    levels: LEVEL_PRIORITY,
    level: "debug",
    format: jsonLine(),
    transports: [new winston.transports.Stream({ stream: output })],
    exitOnError: false,
  });
  return (record) => void root.log(record as Winston.LogEntry);
}

export function createLogger(options: LoggerOptions): Logger {
  const environment = options.environment ?? process.env;
  const requested = environment[LOG_LEVEL_ENVIRONMENT_VARIABLE]?.trim().toLowerCase();
  const level = requested !== undefined && requested !== "" && isLogLevel(requested) ? requested : options.level;
  const root = options.write ?? createLogRecordWriter(options.output);
  const base: Record<string, unknown> = { service: options.service };
  if (options.instance !== undefined) base.instance = options.instance;
  const logger = new JsonLogger(root, level, base, {}, options.traceContext);
  if (requested !== undefined && requested !== "" && !isLogLevel(requested)) {
    logger.warn(`${LOG_LEVEL_ENVIRONMENT_VARIABLE} is not a log level; using ${level}`, { value: requested, allowed: LOG_LEVELS });
  }
  return logger;
}

class JsonLogger implements Logger {
  private readonly threshold: number;

  constructor(
    private readonly root: LogRecordWriter,
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

  write(record: LogRecord): void {
    this.root(record);
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
