export { connectNats, watchConnectionStatus, type StatusWatch } from "./connection";
export { ensureEventsStream } from "./streams";
export { StreamPublisher, type StreamPublishOptions, type StreamPublishResult } from "./stream-publisher";
export { publishIntent, type PublishIntentOptions, type PublishIntentResult } from "./intent-publisher";
export { publishIntentUntilAcked } from "./intent-resender";
export { startExecutionReportFeed, type CaughtUpInfo, type ExecutionReportFeed } from "./execution-report-feed";
export { LeaseManager, type LeaseEvent } from "./ownership-lease";
export { readLatestCheckpoint, type LatestCheckpoint } from "./checkpoint-store";
export { readStream, type StoredMessage } from "./stream-reader";
