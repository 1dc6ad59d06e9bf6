import { validateServiceConfig, type ServiceConfig, type ServiceConfigInput, type SymbolConfigInput } from "@mms/contracts";
import { createLogger } from "@mms/logging";
import { serviceConfigInput } from "@mms/test-support";
import { startService, type Coordinator } from "../../src/service";
import { Writable } from "node:stream";

export function serviceConfig(natsUrl: string, symbols: SymbolConfigInput[], overrides: Partial<ServiceConfigInput> = {}): ServiceConfig {
  const result = validateServiceConfig(serviceConfigInput(natsUrl, symbols, overrides), { defaultInstanceName: "mms-test" });
  if (!result.ok) throw new Error(`bad test config: ${JSON.stringify(result.issues)}`);
  return result.value;
}

/** Log lines of an in-process service, kept for assertions and printed only on failure. */
export class CapturedLogs extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    for (const line of chunk.toString().split("\n")) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  }
}

export async function startTestService(config: ServiceConfig, options: { useLeases?: boolean; recordingDirectory?: string; workerSilenceMs?: number; tracing?: boolean; workersStartingAtOnce?: number } = {}): Promise<{ service: Coordinator; logs: CapturedLogs }> {
  const logs = new CapturedLogs();
  const logger = createLogger({ level: config.logging.level, service: "mms", instance: config.instanceName, output: logs });
  const service = await startService(config, { logger, useLeases: options.useLeases ?? false, ...options });
  return { service, logs };
}
