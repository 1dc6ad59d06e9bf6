export { createLogger, type Logger } from "./logger";
export { setTraceContextProvider } from "./trace-context";
