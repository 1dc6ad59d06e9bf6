import type { ConsumerInfo } from "@nats-io/jetstream";
import { STREAMS, type AuditEvent, type SymbolStatus } from "@mms/contracts";
import { getFreePort, resumeWhenStarted, ScriptedExchange, symbolConfig, waitFor, waitForRun, type HeldConnection } from "@mms/test-support";
import { fillHistory, HISTORY_REPORT_MARKER, publishHistory } from "../support/fill-history";
import { counterValue } from "../support/metrics-text";
import { useMmsCluster } from "../support/mms-cluster";

// The MMS on a three-node JetStream cluster, started over a long EXEC history: the node that
// serves the replay's consumer is SIGKILLed and started again while the replay is half done.
//
// Caught mid-way by construction, not by timing: the MMS reaches the nodes only through TCP
// proxies, and the proxy that carries the symbol worker's connection holds everything the
// server sends once HOLD_AFTER reports of the history have gone through (counted in the bytes,
// by a marker every report body starts with, whatever way the MMS reads them). The MMS cannot finish the
// replay while held; the test reads its own view (the replay counter, the STARTUP status),
// freezes the process (SIGSTOP, so its timers do not notice the stall), lets the held bytes
// go, restarts the node and thaws the MMS: from its side, the node died and came back in the
// middle of the replay.

const SYMBOL = "BTCUSDT-PERP";
/** 10,000 reports: replayed in about a second on a quiet machine; the hold makes the length irrelevant to catching it. */
const ORDERS = 5000;
const HOLD_AFTER = 2000;
/**
 * Lease window. The MMS is frozen over the restart, and MMS_OWNERS may lose its leader with the
 * node (an election of about 6 s); the lease rides out an outage of leaseMs / 2 (see the node-kill
 * test), and the freeze counts against it too.
 */
const LEASE_MS = 60_000;
const REPLAYED_METRIC = "mms_execution_reports_replayed_total";

const suite = useMmsCluster({ leaseMs: LEASE_MS, proxied: true });

function within<T>(promise: Promise<T>, timeoutMs: number, description: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${description} not within ${timeoutMs} ms`)), timeoutMs)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function replayedByMetric(httpPort: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
  return counterValue(await response.text(), REPLAYED_METRIC, { symbol: SYMBOL });
}

test("a cluster node restarted in the middle of the start-up replay: the replay finishes from where it was, every fill counted once (position, entry, PnL and fees exact), the symbol PAUSED and resumable", async () => {
  await suite.explained(async () => {
    const { cluster, client, manager } = suite;
    const httpPort = await getFreePort();
    const { path, config } = suite.configFor([symbolConfig(SYMBOL)], { http: { port: httpPort, host: "127.0.0.1" } });
    const account = config.account!;
    const history = fillHistory(account, SYMBOL, ORDERS);
    const loadStarted = Date.now();
    const lastSequence = await publishHistory(client, history);
    const loadMs = Date.now() - loadStarted;

    const holding = suite.holdPoint.arm(HISTORY_REPORT_MARKER, HOLD_AFTER);
    const mms = suite.startMms(path);
    const startedAt = Date.now();
    const instance = (await waitForRun(client, config.instanceName!)).instance;
    let held: HeldConnection | undefined;
    try {
      held = await within(holding, 60_000, `the worker's connection held after ${HOLD_AFTER} replayed reports`);
      const heldAt = Date.now();

      // The MMS's own view while held: the replay has begun and is not through.
      const midway = await waitFor(
        async () => {
          const replayed = await replayedByMetric(httpPort);
          const status = await suite.symbolStatus(instance, SYMBOL);
          return replayed > 0 && status ? { replayed, status } : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 100, description: `${REPLAYED_METRIC} above 0 while the replay is held` },
      );
      expect(midway.status).toMatchObject({ state: "PAUSED", reason: "STARTUP", position: null });
      expect(midway.status.resumeBlockers).toContain("STARTUP");
      expect(midway.replayed).toBeLessThan(history.reports.length);
      expect(mms.lines.filter((line) => line.message === "execution history replayed")).toEqual([]);

      mms.kill("SIGSTOP");
      const frozenAt = Date.now();
      // The node serving the replay (the server's view): its consumer's, else EXEC's leader.
      const consumers: ConsumerInfo[] = [];
      for await (const info of manager.consumers.list(STREAMS.executionReports.name)) if (info.config.filter_subject === history.subject || info.config.filter_subjects?.includes(history.subject)) consumers.push(info);
      const servingNode = consumers[0]?.cluster?.leader ?? (await manager.streams.info(STREAMS.executionReports.name)).cluster?.leader;
      const victim = cluster.indexOf(servingNode);
      if (victim === undefined) throw new Error(`no node serves the replay: consumers ${JSON.stringify(consumers.map((info) => info.cluster))}`);
      const workerNode = await suite.nodeOfConnection(`${instance}-${SYMBOL}`);
      const delivered = consumers[0]?.delivered.stream_seq;
      held.release();
      held = undefined;

      await cluster.restartNode(victim, { abrupt: true });
      const restartedAt = Date.now();
      mms.kill("SIGCONT");

      const replayedLine = await waitFor(() => mms.lines.find((line) => line.message === "execution history replayed"), { timeoutMs: 60_000, intervalMs: 100, description: "the replay through after the restart" });
      const caughtUpAt = Date.now();
      expect(replayedLine).toMatchObject({ replayed: history.reports.length, fromSequence: 1 });
      const status = await waitFor(async () => {
        const current = await suite.symbolStatus(instance, SYMBOL);
        return current?.position !== null ? current : undefined;
      }, { timeoutMs: 15_000, intervalMs: 200, description: "the rebuilt position in mms.status" });
      expect(status).toMatchObject<Partial<SymbolStatus>>({ state: "PAUSED", position: history.expected.position, avgEntryPx: history.expected.avgEntryPx, realizedPnl: history.expected.realizedPnl, fees: history.expected.fees });
      expect(["STARTUP", "NATS_DISCONNECTED"]).toContain(status.reason);
      expect(await waitFor(async () => ((await replayedByMetric(httpPort)) === history.reports.length ? true : undefined), { timeoutMs: 5000, description: `${REPLAYED_METRIC} at ${history.reports.length}` })).toBe(true);
      // The restart cost the replay its consumer, and the next one started after what was delivered.
      const replacements = mms.lines.filter((line) => line.message === "execution report consumer replaced" || (line.message === "execution report consumer notice" && line.notice === "ordered_consumer_recreated"));
      expect(replacements.length).toBeGreaterThan(0);
      for (const line of replacements) if (line.fromSequence !== undefined) expect(line.fromSequence).toBeGreaterThan(midway.replayed);

      // Resumable: with a book and a trading status it quotes both sides.
      await suite.allCurrent();
      const exchange = await ScriptedExchange.start(client, [SYMBOL]);
      suite.onTeardown(() => exchange.stop());
      const stopHeartbeat = exchange.heartbeat(SYMBOL);
      suite.onTeardown(async () => stopHeartbeat());
      exchange.publishSnapshot(SYMBOL, [["50000.0", "1"]], [["50010.0", "1"]]);
      await resumeWhenStarted(client, SYMBOL, 20_000);
      await waitFor(() => exchange.openOrders(SYMBOL).length === 2, { timeoutMs: 20_000, description: "both quotes resting after the resume" });

      // The checkpoint written at the catch-up holds the same figures at the history's last sequence;
      // the lease held through the freeze and the restart.
      const events = (await suite.readStoredMessages<AuditEvent>(STREAMS.events.name, `mms.events.${SYMBOL}.>`)).map((entry) => entry.value).filter((event) => event.instance === instance);
      expect(events.find((event) => event.type === "checkpoint")).toMatchObject({ account, execSeq: lastSequence, ...history.expected });
      expect(events.filter((event) => "reason" in event && event.reason === "OWNERSHIP_LOST")).toEqual([]);
      console.log(
        `${history.reports.length} reports (EXEC last sequence ${lastSequence}) stored in ${loadMs} ms; held after ${midway.replayed} replayed (metric) ${heldAt - startedAt} ms after the start; ` +
          `held to frozen ${frozenAt - heldAt} ms; replay served by n${victim + 1} (consumer delivered to ${delivered ?? "-"}), worker on n${workerNode + 1}; frozen ${restartedAt - frozenAt} ms over the restart; ` +
          `replay through ${caughtUpAt - restartedAt} ms after the thaw, ${status.reason}; consumer changes: ${replacements.map((line) => `${String(line.cause ?? line.notice)} from ${String(line.fromSequence ?? "-")}`).join("; ") || "none"}`,
      );
      expect(await mms.stop()).toEqual({ code: 0, signal: null });
    } finally {
      held?.release();
      mms.kill("SIGCONT");
    }
  });
}, 150_000);
