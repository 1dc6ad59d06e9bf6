// First: later imports are compiled through the cache.
import "./compile-cache";
import { createLogger, setTraceContextProvider } from "@mms/logging";
import { getActiveTraceIds, startTracing } from "@mms/telemetry";
import { configPathFrom, loadConfig } from "./config-file";
import { startHttpServer } from "./http-server";
import { startService } from "./service";

/** `mms --config PATH`: the Market Maker Service process. */
export async function runService(argv: readonly string[]): Promise<void> {
  const loaded = loadConfig(configPathFrom(argv, process.env), process.env);
  if (!loaded.ok) {
    // Nothing has connected yet, so nothing can have been sent.
    process.stderr.write(`mms: invalid config ${loaded.path ?? ""}\n${loaded.issues.map((issue) => `  ${issue.path}: ${issue.message}`).join("\n")}\n`);
    process.exitCode = 2;
    return;
  }
  const config = loaded.config;
  const logger = createLogger({ level: config.logging.level, service: "mms", instance: config.instanceName });
  logger.info("config loaded", { path: loaded.path, symbols: config.symbols.map((symbol) => symbol.symbol), instanceName: config.instanceName });

  const tracing = startTracing({ serviceName: "mms", instance: config.instanceName });
  if (tracing.enabled) setTraceContextProvider(getActiveTraceIds);
  logger.info(tracing.enabled ? "tracing on" : "tracing off", { reason: tracing.disabledReason });

  const service = await startService(config, { logger, useLeases: process.env.MMS_LEASES !== "off", recordingDirectory: process.env.MMS_RECORD_DIR || undefined, tracing: tracing.enabled });
  const http = await startHttpServer(config.http.port, config.http.host, {
    status: () => service.status(),
    isReady: () => service.isReady(),
    metrics: (request, response) => service.metrics.handleMetricsRequest(request, response),
  });
  logger.info("http listening", { port: http.port });

  let signals = 0;
  const onSignal = (signal: string) => {
    signals += 1;
    if (signals > 1) {
      logger.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    logger.info("signal received: stopping", { signal });
    // The contract's bound on the whole shutdown: each step keeps to its share, and this is the
    // backstop should one not (the orders' cancels went out first).
    setTimeout(() => {
      logger.warn("shutdownTimeoutMs reached: exiting", { shutdownTimeoutMs: config.shutdownTimeoutMs });
      process.exit(0);
    }, config.shutdownTimeoutMs).unref();
    void service.stop().then(async () => {
      await http.close();
      await tracing.shutdown().catch(() => undefined);
      process.exit(0);
    });
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
}

export function runServiceOrExit(argv: readonly string[]): void {
  runService(argv).catch((error: Error) => {
    process.stderr.write(`mms: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}

if (require.main === module) runServiceOrExit(process.argv.slice(2));

