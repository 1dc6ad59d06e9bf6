/**
 * A study of the EXEC feed's pulls (issue 12 kill set-up, issue 14 faults): 50 execution-report
 * feeds on one connection, as 50 symbol workers would have, against a private nats-server,
 * with bursts of 10-20 reports per symbol every 1-2 s. nats-server 2.9.10 now and then expires a
 * pull without telling the client (nats-server#3942, fixed in 2.9.16); nats.js then waits two
 * missed heartbeats (5 s) before it pulls again, and the feed's guard ("pull expired
 * unanswered") replaces the consumer within about a second instead. Prints the largest delay
 * from a report's ts to its delivery, how many were later than maxLagMs (2 s), and the feed's
 * consumer replacements.
 *   npx tsx bench/pull-stall.ts [--seconds 180]
 */
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startExecutionReportFeed } from "@mms/nats-adapter";
import { startNatsServer } from "./lib/nats-server";
import { sleep } from "./lib/threads";

const SYMBOLS = 50;
const LATE_MS = 2000;

async function main(): Promise<void> {
  const index = process.argv.indexOf("--seconds");
  const seconds = index >= 0 ? Number(process.argv[index + 1]) : 180;
  const server = await startNatsServer();
  const consumerConnection = await connect({ servers: server.url });
  const publisherConnection = await connect({ servers: server.url });
  try {
    await (await jetstreamManager(consumerConnection)).streams.add({ name: "EXEC", subjects: ["exec.>"] });
    const symbols = Array.from({ length: SYMBOLS }, (_, i) => `S${String(i).padStart(3, "0")}-PERP`);
    let delivered = 0;
    let largestDelayMs = 0;
    let late = 0;
    const replacements: string[] = [];
    const feeds = symbols.map((symbol) =>
      startExecutionReportFeed(jetstream(consumerConnection), {
        account: "STALL_STUDY",
        symbol,
        onReport: (delivery) => {
          delivered++;
          const delayMs = Date.now() - delivery.report.ts;
          largestDelayMs = Math.max(largestDelayMs, delayMs);
          if (delayMs > LATE_MS) late++;
        },
        onStatus: (status) => {
          if (status.kind === "RESTARTING") replacements.push(`${symbol}: ${status.message}`);
        },
      }),
    );
    const publisher = jetstream(publisherConnection);
    const encoder = new TextEncoder();
    const end = Date.now() + seconds * 1000;
    let published = 0;
    while (Date.now() < end) {
      for (const symbol of symbols) {
        const burst = 10 + Math.floor(Math.random() * 10);
        for (let k = 0; k < burst; k++) {
          published++;
          const report = { kind: "CANCELED", account: "STALL_STUDY", symbol, clientOrderId: `MM-study-${symbol}-O${published}`, orderId: `X${published}`, execId: `E${published}`, ts: Date.now(), reason: "USER" };
          await publisher.publish(`exec.STALL_STUDY.${symbol}`, encoder.encode(JSON.stringify(report)));
        }
      }
      await sleep(1000 + Math.random() * 1000);
    }
    await sleep(7000);
    await Promise.all(feeds.map((feed) => feed.stop()));
    process.stdout.write(`${JSON.stringify({ seconds, symbols: SYMBOLS, published, delivered, largestDelayMs, laterThanMaxLag: late, replacements })}\n`);
  } finally {
    await publisherConnection.close();
    await consumerConnection.close();
    await server.stop();
  }
}

void main();
