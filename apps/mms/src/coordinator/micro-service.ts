import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Msg, NatsConnection } from "@nats-io/nats-core";
import { Svcm, type Service, type ServiceMsg } from "@nats-io/services";

export const MICRO_SERVICE_NAME = "mms";

export interface MicroEndpoint {
  /** A simple token: what `nats micro info` lists. */
  readonly name: string;
  readonly subject: string;
  readonly handle: (message: Msg) => void;
}

export interface MicroServiceSettings {
  readonly instance: string;
  readonly endpoints: readonly MicroEndpoint[];
}

/**
 * Registers the MMS as a NATS micro service (`$SRV.PING|INFO|STATS`), its control and status
 * subjects as the endpoints. No queue group anywhere (`queue: ""`): `mms.control.all.*` must
 * reach every instance and `mms.status` is answered by each, exactly as plain subscriptions.
 */
export function startMicroService(connection: NatsConnection, settings: MicroServiceSettings): Promise<Service> {
  // The services package pins its own nats-core build; the connection's surface it uses is the same.
  const micro = new Svcm(connection as unknown as ConstructorParameters<typeof Svcm>[0]);
  return micro
    .add({
      name: MICRO_SERVICE_NAME,
      version: serviceVersion(),
      description: "Market Maker Service: control and status of the exchange's own quoting",
      metadata: { instance: settings.instance },
      queue: "",
    })
    .then((service) => {
      for (const endpoint of settings.endpoints) {
        service.addEndpoint(endpoint.name, { subject: endpoint.subject, queue: "", handler: (_error, message: ServiceMsg) => endpoint.handle(asCoreMsg(message)) });
      }
      return service;
    });
}

/** A wrapper round a message of our own connection, typed against the package's pinned nats-core. */
function asCoreMsg(message: ServiceMsg): Msg {
  return message as unknown as Msg;
}

/** The package's own version: src/coordinator and dist/coordinator sit at the same depth. */
function serviceVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
  return manifest.version;
}
