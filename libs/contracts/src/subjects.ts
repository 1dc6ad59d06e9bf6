/** Every NATS subject of the contract, in one place. */
export const subjects = {
  snapshot: (symbol: string) => `md.${symbol}.snapshot`,
  delta: (symbol: string) => `md.${symbol}.delta`,
  trade: (symbol: string) => `md.${symbol}.trade`,
  status: (symbol: string) => `md.${symbol}.status`,
  snapshotRequest: (symbol: string) => `md.${symbol}.snapshot.get`,
  orders: (symbol: string) => `orders.${symbol}`,
  executionReports: (account: string, symbol: string) => `exec.${account}.${symbol}`,
  control: (target: string, command: string) => `mms.control.${target}.${command}`,
  /** An MMS addition: a command to one whole instance, by its instance name (`drain`). */
  instanceControl: (instanceName: string, command: string) => `mms.control.instance.${instanceName}.${command}`,
  controlWildcard: "mms.control.>",
  statusRequest: "mms.status",
  event: (symbol: string, type: string) => `mms.events.${symbol}.${type}`,
} as const;

export const STREAMS = {
  orders: { name: "ORDERS", subjects: ["orders.>"] },
  executionReports: { name: "EXEC", subjects: ["exec.>"] },
  events: { name: "MMS_EVENTS", subjects: ["mms.events.>"] },
} as const;

export const OWNERS_BUCKET = "MMS_OWNERS";

/** The control target that means every symbol of every instance. */
export const ALL_SYMBOLS = "all";

/** The control target that addresses one instance (`mms.control.instance.<instanceName>.<command>`); never a symbol (symbols are upper case). */
export const INSTANCE_TARGET = "instance";
