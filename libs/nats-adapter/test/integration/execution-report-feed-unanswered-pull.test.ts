import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { STREAMS, type AcceptedReport } from "@mms/contracts";
import { startTcpProxy, waitFor, type TcpProxy } from "@mms/test-support";
import { connectNats } from "../../src/connection";
import { startExecutionReportFeed, type ExecutionFeedStatus, type ExecutionReportDelivery } from "../../src/execution-report-feed";
import { ensureStream } from "../../src/streams";
import { useJetStreamSuite } from "./jetstream-suite";

// nats-server 2.9.10 now and then expires a pull without the 408 status that says so
// (nats-server#3942, fixed in 2.9.16); nats.js then holds no pull open and waits for two
// missed heartbeats, and reports arrive seconds late. Here a proxy drops every 408 the
// server sends the feed's connection, so every pull expires unanswered: the feed must see
// it within a pull's lifetime plus its grace and pull again on a new consumer, losing nothing.

jest.setTimeout(60_000);

const ACCOUNT = "SYSTEM_MARKET_MAKER";
const SYMBOL = "STALL-PERP";
const suite = useJetStreamSuite();

let proxy: TcpProxy;
let proxied: NatsConnection;
let dropped = 0;

beforeAll(async () => {
  await ensureStream(suite.streamManager, { ...STREAMS.executionReports });
  proxy = await startTcpProxy(Number(new URL(suite.server.url).port), undefined, (frame) => {
    if (!frame.includes("408 Request Timeout")) return "PASS";
    dropped += 1;
    return "DROP";
  });
  proxied = await connectNats({ servers: [proxy.url] });
});

afterAll(async () => {
  await proxied?.close();
  await proxy?.close();
});

function accepted(execId: string): AcceptedReport {
  return { kind: "ACCEPTED", execId, account: ACCOUNT, symbol: SYMBOL, ts: Date.now(), clientOrderId: `c-${execId}`, orderId: `o-${execId}`, side: "BUY", px: "100.5", qty: "0.010" };
}

test("a pull the server expires without its 408 makes the feed pull again on a new consumer, and the reports after it arrive once each", async () => {
  const deliveries: ExecutionReportDelivery[] = [];
  const statuses: ExecutionFeedStatus[] = [];
  // Silence alone would replace the consumer only after 30 s here: what the test sees is the unanswered pull.
  const feed = startExecutionReportFeed(jetstream(proxied), { account: ACCOUNT, symbol: SYMBOL, retryDelayMs: 100, silenceLimitMs: 30_000, onReport: (delivery) => deliveries.push(delivery), onStatus: (status) => statuses.push(status) });
  suite.feeds.push(feed);
  await expect(feed.caughtUp).resolves.toBe(true);
  await suite.jetStream.publish(`exec.${ACCOUNT}.${SYMBOL}`, JSON.stringify(accepted("before")));
  await waitFor(() => deliveries.length === 1, { timeoutMs: 10_000, description: "the first report" });

  // A pull lives 5 s, the grace is 750 ms, the check runs every second: the replacement comes within about 7 s.
  const replaced = () => statuses.find((status) => status.kind === "RESTARTING" && status.message === "pull expired unanswered");
  await waitFor(replaced, { timeoutMs: 20_000, description: `the feed replacing its consumer for an unanswered pull (statuses ${JSON.stringify(statuses)})` });
  expect(dropped).toBeGreaterThan(0);

  await suite.jetStream.publish(`exec.${ACCOUNT}.${SYMBOL}`, JSON.stringify(accepted("after")));
  await waitFor(() => deliveries.length === 2, { timeoutMs: 10_000, description: "the report after the replacement" });
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(deliveries.map((delivery) => delivery.report.execId)).toEqual(["before", "after"]);
  expect(statuses.some((status) => status.kind === "RESTARTING" && /silent/.test(status.message))).toBe(false);
});
