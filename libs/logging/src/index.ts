export { createLogger, createLogRecordWriter, type Logger, type LogRecord, type LogRecordWriter } from "./logger";
export { setTraceContextProvider } from "./trace-context";
