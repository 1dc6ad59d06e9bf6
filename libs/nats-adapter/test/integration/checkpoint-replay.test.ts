import { waitFor } from "@mms/test-support";
import { STREAMS, subjects } from "@mms/contracts";
import type { AcceptedReport, CheckpointEvent } from "@mms/contracts";
import { readLatestCheckpoint } from "../../src/checkpoint-store";
import { startExecutionReportFeed, type CaughtUpInfo, type ExecutionReportDelivery } from "../../src/execution-report-feed";
import { ensureEventsStream, ensureStream } from "../../src/streams";
import { useJetStreamSuite } from "./jetstream-suite";

const ACCOUNT = "SYSTEM_MARKET_MAKER";

jest.setTimeout(60_000);

const suite = useJetStreamSuite();

function accepted(symbol: string, execId: string): AcceptedReport {
  return { kind: "ACCEPTED", execId, account: ACCOUNT, symbol, ts: 1764000000000, clientOrderId: `MM-${execId}`, orderId: `o-${execId}`, side: "BUY", px: "100.5", qty: "0.010" };
}

async function publishReport(report: AcceptedReport): Promise<number> {
  return (await suite.jetStream.publish(subjects.executionReports(report.account, report.symbol), JSON.stringify(report), { timeout: 1000 })).seq;
}

async function replay(stream: string, symbol: string, fromSequence?: number): Promise<{ deliveries: ExecutionReportDelivery[]; info: CaughtUpInfo }> {
  const deliveries: ExecutionReportDelivery[] = [];
  let info: CaughtUpInfo | undefined;
  const feed = startExecutionReportFeed(suite.jetStream, {
    account: ACCOUNT,
    symbol,
    stream,
    retryDelayMs: 100,
    ...(fromSequence !== undefined ? { fromSequence } : {}),
    onReport: (delivery) => deliveries.push(delivery),
    onCaughtUp: (caughtUp) => (info = caughtUp),
  });
  suite.feeds.push(feed);
  await expect(feed.caughtUp).resolves.toBe(true);
  if (!info) throw new Error("caught up without info");
  return { deliveries, info };
}

test("a replay from a checkpoint's sequence delivers only the reports after it, then stays live", async () => {
  await ensureStream(suite.streamManager, { ...STREAMS.executionReports });
  const symbol = "FROM-PERP";
  const sequences: number[] = [];
  for (let index = 0; index < 10; index++) sequences.push(await publishReport(accepted(symbol, `f-${index}`)));
  const checkpointAt = sequences[5] ?? 0;

  const { deliveries, info } = await replay(STREAMS.executionReports.name, symbol, checkpointAt + 1);
  expect(deliveries.map((delivery) => delivery.report.execId)).toEqual(["f-6", "f-7", "f-8", "f-9"]);
  expect(deliveries.every((delivery) => delivery.replay)).toBe(true);
  expect(info.replayedCount).toBe(4);
  expect(info.streamLastSequence).toBeGreaterThanOrEqual(sequences[9] ?? 0);

  await publishReport(accepted(symbol, "live-1"));
  await waitFor(() => deliveries.length === 5, { description: "the live report" });
  expect(deliveries.map((delivery) => [delivery.report.execId, delivery.replay]).at(-1)).toEqual(["live-1", false]);
});

test("a checkpoint at the newest report is caught up at once with nothing replayed", async () => {
  await ensureStream(suite.streamManager, { ...STREAMS.executionReports });
  const symbol = "CURRENT-PERP";
  let last = 0;
  for (let index = 0; index < 3; index++) last = await publishReport(accepted(symbol, `c-${index}`));
  const { deliveries, info } = await replay(STREAMS.executionReports.name, symbol, last + 1);
  expect(deliveries).toHaveLength(0);
  expect(info.replayedCount).toBe(0);
});

/** A fresh EXEC: the truncation tests need the stream's own first sequence, not what earlier tests left. */
async function freshExecStream(): Promise<void> {
  await suite.streamManager.streams.delete(STREAMS.executionReports.name).catch(() => false);
  await ensureStream(suite.streamManager, { ...STREAMS.executionReports });
}

test("the stream's first sequence tells a truncated history from a whole one", async () => {
  await freshExecStream();
  const symbol = "TRUNC-PERP";
  const sequences: number[] = [];
  for (let index = 0; index < 6; index++) sequences.push(await publishReport(accepted(symbol, `t-${index}`)));
  // The retention limits drop the oldest messages: here, by hand.
  await suite.streamManager.streams.purge(STREAMS.executionReports.name, { keep: 2 });

  const { deliveries, info } = await replay(STREAMS.executionReports.name, symbol);
  expect(deliveries.map((delivery) => delivery.report.execId)).toEqual(["t-4", "t-5"]);
  // Replay from 1 was needed; the stream starts at the 5th: history is gone.
  expect(info.streamFirstSequence).toBe(sequences[4]);
  expect(info.streamFirstSequence).toBeGreaterThan(1);
});

test("a stream that never held a message reports first sequence 0, so nothing is missing", async () => {
  await freshExecStream();
  const { info } = await replay(STREAMS.executionReports.name, "NONE-PERP");
  expect(info).toMatchObject({ streamFirstSequence: 0, streamLastSequence: 0, replayedCount: 0 });
});

test("the latest valid checkpoint of a symbol is read back, whoever wrote it", async () => {
  await ensureEventsStream(suite.streamManager, { maxAgeMs: 60_000 });
  const symbol = "CKPT-PERP";
  expect(await readLatestCheckpoint(suite.streamManager, symbol, ACCOUNT)).toEqual({ kind: "NONE" });
  const checkpoint = (seq: number, instance: string, execSeq: number): CheckpointEvent => ({
    type: "checkpoint", symbol, instance, seq, ts: 1764000000000 + seq, mode: "live", account: ACCOUNT,
    position: "0.020", avgEntryPx: "100.5", realizedPnl: "1.25", fees: "-0.01", execSeq,
  });
  await suite.jetStream.publish(subjects.event(symbol, "checkpoint"), JSON.stringify(checkpoint(1, "mms-a", 10)));
  await suite.jetStream.publish(subjects.event("OTHER-PERP", "checkpoint"), JSON.stringify({ ...checkpoint(1, "mms-a", 99), symbol: "OTHER-PERP" }));
  await suite.jetStream.publish(subjects.event(symbol, "checkpoint"), JSON.stringify(checkpoint(7, "mms-b", 42)));
  await suite.jetStream.publish(subjects.event(symbol, "state"), JSON.stringify({ not: "a checkpoint" }));

  const latest = await readLatestCheckpoint(suite.streamManager, symbol, ACCOUNT);
  expect(latest).toMatchObject({ kind: "FOUND", checkpoint: { instance: "mms-b", execSeq: 42, position: "0.020" } });

  // Another account's deployment on the same stream: its inventory is not ours to restore.
  await suite.jetStream.publish(subjects.event(symbol, "checkpoint"), JSON.stringify({ ...checkpoint(8, "other-0", 50), account: "SOMEONE_ELSE" }));
  expect(await readLatestCheckpoint(suite.streamManager, symbol, ACCOUNT)).toMatchObject({ kind: "OTHER_ACCOUNT", account: "SOMEONE_ELSE" });
});

test("a checkpoint that fails its schema is reported INVALID, never restored", async () => {
  await ensureEventsStream(suite.streamManager, { maxAgeMs: 60_000 });
  const symbol = "BADCKPT-PERP";
  await suite.jetStream.publish(subjects.event(symbol, "checkpoint"), JSON.stringify({ type: "checkpoint", symbol, position: 1 }));
  const latest = await readLatestCheckpoint(suite.streamManager, symbol, ACCOUNT);
  expect(latest.kind).toBe("INVALID");
});
