import { waitFor } from "@mms/test-support";
import { STREAMS } from "@mms/contracts";
import type { AcceptedReport, ValidationIssue } from "@mms/contracts";
import { ensureStream } from "../../src/streams";
import { startExecutionReportFeed } from "../../src/execution-report-feed";
import type { ExecutionFeedStatus, ExecutionReportDelivery, ExecutionReportFeed } from "../../src/execution-report-feed";
import { useJetStreamSuite } from "./jetstream-suite";

const ACCOUNT = "SYSTEM_MARKET_MAKER";

jest.setTimeout(60_000);

const suite = useJetStreamSuite();

function accepted(symbol: string, execId: string, account = ACCOUNT): AcceptedReport {
  return { kind: "ACCEPTED", execId, account, symbol, ts: 1764000000000, clientOrderId: `c-${execId}`, orderId: `o-${execId}`, side: "BUY", px: "100.5", qty: "0.010" };
}

async function publishReport(report: AcceptedReport): Promise<number> {
  const ack = await suite.jetStream.publish(`exec.${report.account}.${report.symbol}`, JSON.stringify(report), { timeout: 1000 });
  return ack.seq;
}

interface Recorder {
  deliveries: ExecutionReportDelivery[];
  invalid: { issues: readonly ValidationIssue[]; subject: string; streamSequence: number }[];
  statuses: ExecutionFeedStatus[];
  /** Deliveries seen when onCaughtUp ran, or undefined before. */
  caughtUpAfter: number | undefined;
  caughtUpCalls: number;
}

function start(symbol: string): { feed: ExecutionReportFeed; recorder: Recorder } {
  const recorder: Recorder = { deliveries: [], invalid: [], statuses: [], caughtUpAfter: undefined, caughtUpCalls: 0 };
  const feed = startExecutionReportFeed(suite.jetStream, {
    account: ACCOUNT,
    symbol,
    retryDelayMs: 100,
    onReport: (delivery) => recorder.deliveries.push(delivery),
    onInvalid: (issues, subject, streamSequence) => recorder.invalid.push({ issues, subject, streamSequence }),
    onStatus: (status) => recorder.statuses.push(status),
    onCaughtUp: () => {
      recorder.caughtUpCalls++;
      recorder.caughtUpAfter = recorder.deliveries.length + recorder.invalid.length;
    },
  });
  suite.feeds.push(feed);
  return { feed, recorder };
}

test("waits for a missing EXEC stream, then an empty history is caught up at once", async () => {
  const { feed, recorder } = start("WAIT-PERP");
  await waitFor(() => recorder.statuses.some((status) => status.kind === "WAITING_FOR_STREAM"), { description: "WAITING_FOR_STREAM" });
  await ensureStream(suite.streamManager, { ...STREAMS.executionReports });
  await expect(feed.caughtUp).resolves.toBe(true);
  expect(recorder.caughtUpAfter).toBe(0);

  await publishReport(accepted("WAIT-PERP", "w-1"));
  await waitFor(() => recorder.deliveries.length === 1, { description: "live report" });
  expect(recorder.deliveries[0]).toMatchObject({ replay: false, report: { execId: "w-1" } });
});

test("replays history as replay:true, signals caught-up, then live reports, none missed or doubled", async () => {
  await ensureStream(suite.streamManager, { ...STREAMS.executionReports });
  const symbol = "BTCUSDT-PERP";
  const published: string[] = [];
  for (let index = 0; index < 300; index++) {
    const execId = `h-${index}`;
    await publishReport(accepted(symbol, execId));
    published.push(execId);
    // Noise on other subjects the filter must skip.
    if (index % 50 === 0) await publishReport(accepted("ETHUSDT-PERP", `other-${index}`));
    if (index % 100 === 0) await publishReport(accepted(symbol, `acct-${index}`, "SOMEONE_ELSE"));
  }
  const invalidSequence = (await suite.jetStream.publish(`exec.${ACCOUNT}.${symbol}`, '{"kind":"FILL","execId":"broken"}')).seq;

  const { feed, recorder } = start(symbol);
  // Live reports race the replay: published while it runs, and after it.
  const racing = (async () => {
    for (let index = 0; index < 100; index++) {
      const execId = `l-${index}`;
      await publishReport(accepted(symbol, execId));
      published.push(execId);
    }
  })();
  await expect(feed.caughtUp).resolves.toBe(true);
  await racing;
  for (let index = 0; index < 5; index++) {
    await publishReport(accepted(symbol, `after-${index}`));
    published.push(`after-${index}`);
  }
  await waitFor(() => recorder.deliveries.length === published.length, { description: `all ${published.length} reports` });

  expect(recorder.deliveries.map((delivery) => delivery.report.execId)).toEqual(published);
  expect(recorder.caughtUpCalls).toBe(1);
  // Caught-up lies between the last replayed report and the first live one.
  const replayed = recorder.deliveries.filter((delivery) => delivery.replay);
  const boundary = recorder.caughtUpAfter ?? -1;
  expect(replayed.length + recorder.invalid.length).toBe(boundary);
  expect(recorder.deliveries.slice(0, replayed.length).every((delivery) => delivery.replay)).toBe(true);
  expect(recorder.deliveries.slice(replayed.length).every((delivery) => !delivery.replay)).toBe(true);
  expect(replayed.length).toBeGreaterThanOrEqual(300);
  expect(recorder.deliveries.length - replayed.length).toBeGreaterThanOrEqual(5);
  const sequences = recorder.deliveries.map((delivery) => delivery.streamSequence);
  expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
  expect(new Set(sequences).size).toBe(sequences.length);

  expect(recorder.invalid).toHaveLength(1);
  expect(recorder.invalid[0]).toMatchObject({ subject: `exec.${ACCOUNT}.${symbol}`, streamSequence: invalidSequence });
  expect(recorder.invalid[0]?.issues.length).toBeGreaterThan(0);

  await feed.stop();
  await publishReport(accepted(symbol, "after-stop"));
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(recorder.deliveries.some((delivery) => delivery.report.execId === "after-stop")).toBe(false);

  // A new feed (a restart) replays everything, including what came after the first one stopped.
  const second = start(symbol);
  await expect(second.feed.caughtUp).resolves.toBe(true);
  await waitFor(() => second.recorder.deliveries.length === published.length + 1, { description: "full replay" });
  expect(second.recorder.deliveries.every((delivery) => delivery.replay)).toBe(true);
});

test("garbage bodies go to onInvalid and never become reports", async () => {
  await ensureStream(suite.streamManager, { ...STREAMS.executionReports });
  const symbol = "JUNK-PERP";
  await suite.jetStream.publish(`exec.${ACCOUNT}.${symbol}`, "not json");
  await suite.jetStream.publish(`exec.${ACCOUNT}.${symbol}`, JSON.stringify({ ...accepted(symbol, "num"), px: 100.5 }));
  const { feed, recorder } = start(symbol);
  await expect(feed.caughtUp).resolves.toBe(true);
  expect(recorder.deliveries).toHaveLength(0);
  expect(recorder.invalid.map((entry) => entry.issues[0]?.message)).toEqual([expect.stringContaining("not JSON"), expect.stringContaining("never a JSON number")]);
});

test("a suite.server restart mid-feed loses and repeats nothing", async () => {
  await ensureStream(suite.streamManager, { ...STREAMS.executionReports });
  const symbol = "RESTART-PERP";
  await publishReport(accepted(symbol, "r-0"));
  const { feed, recorder } = start(symbol);
  await expect(feed.caughtUp).resolves.toBe(true);
  await suite.server.restart({ downForMs: 300 });
  const startedAt = Date.now();
  for (let index = 1; index <= 10; index++) {
    await waitFor(() => publishReport(accepted(symbol, `r-${index}`)).then(() => true), { timeoutMs: 20_000, description: "publish after restart" });
  }
  await waitFor(() => recorder.deliveries.length === 11, { timeoutMs: 60_000, description: "11 reports after restart" });
  console.log(`caught up again ${Date.now() - startedAt} ms after restart; statuses: ${recorder.statuses.map((status) => status.kind + ("notice" in status ? ":" + status.notice : "")).join(", ")}`);
  expect(recorder.deliveries.map((delivery) => delivery.report.execId)).toEqual(Array.from({ length: 11 }, (_, index) => `r-${index}`));
});

test("restart() replaces the consumer after the last delivered sequence: reports before, during and after it each arrive once, in order", async () => {
  await ensureStream(suite.streamManager, { ...STREAMS.executionReports });
  const symbol = "REPLACE-PERP";
  const { feed, recorder } = start(symbol);
  await expect(feed.caughtUp).resolves.toBe(true);
  for (let index = 0; index < 3; index++) await publishReport(accepted(symbol, `p-${index}`));
  await waitFor(() => recorder.deliveries.length === 3, { description: "3 reports before the restart" });
  const consumersBefore = (await suite.streamManager.consumers.list(STREAMS.executionReports.name).next()).map((info) => info.name);

  feed.restart("test");
  for (let index = 3; index < 6; index++) await publishReport(accepted(symbol, `p-${index}`));
  await waitFor(() => recorder.statuses.filter((status) => status.kind === "CONSUMING").length === 2, { description: "a second consumer" });
  for (let index = 6; index < 9; index++) await publishReport(accepted(symbol, `p-${index}`));
  await waitFor(() => recorder.deliveries.length >= 9, { description: "9 reports" });

  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(recorder.deliveries.map((delivery) => delivery.report.execId)).toEqual(Array.from({ length: 9 }, (_, index) => `p-${index}`));
  expect(recorder.statuses).toContainEqual({ kind: "RESTARTING", fromSequence: recorder.deliveries[2]!.streamSequence + 1, message: "test" });
  // The replaced consumer is deleted (other tests' feeds keep theirs).
  await waitFor(async () => {
    const consumersAfter = (await suite.streamManager.consumers.list(STREAMS.executionReports.name).next()).map((info) => info.name);
    return consumersBefore.filter((name) => !consumersAfter.includes(name)).length === 1;
  }, { description: "the replaced consumer deleted" });
});
