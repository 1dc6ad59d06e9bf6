import type { ServiceConfig } from "@mms/contracts/runtime";
import { Coordinator, type ServiceOptions } from "./coordinator/coordinator";

export { Coordinator, type ServiceHandle, type ServiceOptions } from "./coordinator/coordinator";

/** Starts the coordinator; if start-up fails, whatever did start is stopped again. */
export async function startService(config: ServiceConfig, options: ServiceOptions): Promise<Coordinator> {
  const coordinator = new Coordinator(config, options);
  try {
    await coordinator.start();
  } catch (error) {
    await coordinator.stop().catch(() => undefined);
    throw error;
  }
  return coordinator;
}
