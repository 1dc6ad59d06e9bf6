import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import type { ServiceConfig } from "@mms/contracts/runtime";
import { connectNats, ensureEventsStream, StreamPublisher, watchConnectionStatus, type StatusWatch } from "@mms/nats-adapter";
import type { Logger } from "@mms/logging";
import type { MetricsRegistry } from "@mms/telemetry";
import type { Service } from "@nats-io/services";
import { startMicroService, type MicroServiceSettings } from "./micro-service";

/** The coordinator's own NATS connection (control, status, leases, events for dead symbols). */
export class CoordinatorNats {
  private connection: NatsConnection | undefined;
  private client: JetStreamClient | undefined;
  private streamPublisher: StreamPublisher | undefined;
  private statusWatch: StatusWatch | undefined;
  private readonly subscriptions: Subscription[] = [];
  private microService: Service | undefined;
  private isConnected = false;

  constructor(
    private readonly logger: Logger,
    private readonly metrics: MetricsRegistry,
  ) {}

  async open(nats: ServiceConfig["nats"], name: string): Promise<JetStreamClient> {
    const connection = await connectNats({ ...nats, name });
    this.connection = connection;
    this.setConnected(true);
    const client = jetstream(connection);
    this.client = client;
    this.streamPublisher = new StreamPublisher(connection);
    this.statusWatch = watchConnectionStatus(connection, (status) => {
      if (status.kind === "DISCONNECTED") {
        this.setConnected(false);
        this.logger.warn("coordinator lost NATS", { server: status.server });
      } else if (status.kind === "RECONNECTED") {
        this.setConnected(true);
        this.logger.info("coordinator reconnected to NATS", { server: status.server });
      }
    });
    await ensureEventsStream(await jetstreamManager(connection));
    return client;
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /** Closed, or never opened: nothing can be sent any more. */
  get closed(): boolean {
    return this.connection?.isClosed() ?? true;
  }

  get jetStream(): JetStreamClient | undefined {
    return this.client;
  }

  /** JetStream publishes with a message id (the kill's CANCEL_ALLs). */
  get publisher(): StreamPublisher | undefined {
    return this.streamPublisher;
  }

  /** A throw in `onMessage` would close the connection: handlers catch their own. */
  subscribe(subject: string, onMessage: (message: Msg) => void, onError: (error: Error) => void = () => undefined): void {
    if (!this.connection) return;
    this.subscriptions.push(this.connection.subscribe(subject, { callback: (error, message) => (error ? onError(error) : onMessage(message)) }));
  }

  /** The control and status subjects as a NATS micro service: `nats micro ls|info|stats` see them. */
  async serve(settings: MicroServiceSettings): Promise<void> {
    if (!this.connection) return;
    const service = await startMicroService(this.connection, settings);
    this.microService = service;
    // Round trip: once start-up returns, the server holds the subscriptions, so a kill sent
    // right after "started" is heard rather than lost on core NATS.
    await this.connection.flush();
    // The library stops the whole service when one of its subscriptions fails (a permission
    // denied on $SRV.>, say): control and status go with it, so that must be loud.
    void service.stopped.then((error) => {
      if (error) this.logger.error("NATS micro service stopped: control and status no longer answered", { error: error.message });
    });
  }

  unsubscribeAll(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
    void this.microService?.stop().catch(() => undefined);
    this.microService = undefined;
  }

  async close(): Promise<void> {
    this.unsubscribeAll();
    this.statusWatch?.stop();
    await this.connection?.drain().catch(() => undefined);
  }

  private setConnected(connected: boolean): void {
    this.isConnected = connected;
    this.metrics.set("nats_connected", connected ? 1 : 0);
  }
}
