import { connectNats } from "@mms/nats-adapter";
import { natsWithEnvironment } from "../config-file";
import { readOrderHistory, type OrderQuery } from "./order-history";
import { formatTimeline } from "./order-timeline";

export interface OrderCommandOptions extends OrderQuery {
  /** `--servers`; default NATS_URL, else the local server. Credentials come from NATS_USER, NATS_PASSWORD, ... as for the service. */
  readonly servers: string | undefined;
}

const DEFAULT_SERVER = "nats://127.0.0.1:4222";

/** `mms order <clientOrderId>`: the order's whole life, printed; exit code 1 when nothing is known of it. */
export async function runOrderCommand(options: OrderCommandOptions, env: NodeJS.ProcessEnv, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const servers = (options.servers ?? env.NATS_URL ?? DEFAULT_SERVER).split(",").map((server) => server.trim());
  const connection = await connectNats({ ...natsWithEnvironment({ servers }, env), name: "mms-order-cli" }, { connectTimeoutMs: 5000 });
  try {
    const history = await readOrderHistory(connection, options);
    for (const problem of history.problems) err(`mms order: ${problem}\n`);
    out(`${formatTimeline(options.clientOrderId, history.symbol, history.records)}\n`);
    return history.records.length > 0 ? 0 : 1;
  } finally {
    await connection.close();
  }
}
