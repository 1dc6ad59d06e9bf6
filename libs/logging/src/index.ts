export { createLogger, isLogLevel, LOG_LEVELS, LOG_LEVEL_ENVIRONMENT_VARIABLE, type LogFields, type LogLevel, type Logger, type LoggerOptions } from "./logger";
export { isSecretKey, redact, redactText, REDACTED } from "./redaction";
export { setTraceContextProvider, type TraceContextProvider, type TraceIds } from "./trace-context";
