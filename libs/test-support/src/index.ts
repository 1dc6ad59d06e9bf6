export { DEFAULT_NATS_IMAGE, startNatsServer } from "./nats-container";
export type { NatsOutageOptions, NatsServerOptions, StartedNatsServer } from "./nats-container";
export { getFreePort } from "./ports";
export { waitFor } from "./wait-for";
export type { WaitForOptions } from "./wait-for";
export { useNatsServer } from "./nats-suite";
export type { NatsSuite } from "./nats-suite";
