import { jetstreamManager } from "@nats-io/jetstream";
import { STREAMS, type CancelAllIntent, type OrderIntent } from "@mms/contracts";
import { ScriptedExchange, symbolConfig, waitFor } from "@mms/test-support";
import { intentOfRun, OrdersTap } from "../support/crash-safety";
import { sleep, useMmsSuite } from "../support/mms-fixture";
import { serviceConfig, startTestService } from "../support/service-harness";

// A kill's CANCEL_ALLs go out from the coordinator's own connection at once, before the actors
// hear of it, and every CANCEL_ALL is sent again until the ORDERS stream acknowledges it.

const SYMBOLS = ["BTCUSDT-PERP", "ETHUSDT-PERP", "SOLUSDT-PERP", "XRPUSDT-PERP"];
const BTC = "BTCUSDT-PERP";
const encoder = new TextEncoder();

const suite = useMmsSuite();

/** The coordinator's intent ids end in -C<n>, an actor's in -I<n>. */
const fromCoordinator = (intent: OrderIntent): boolean => /-C\d+$/.test(intent.intentId);
const manualKill = (intent: OrderIntent): intent is CancelAllIntent => intent.kind === "CANCEL_ALL" && intent.reason === "MANUAL_KILL";

test("a kill-all sends every symbol's CANCEL_ALL at once, also for actors whose workers have not even started; each actor halts once it runs", async () => {
  const exchange = await ScriptedExchange.start(suite.nats.client, SYMBOLS);
  const tap = await OrdersTap.open(suite.nats.client);
  const config = serviceConfig(suite.nats.url, SYMBOLS.map((symbol) => symbolConfig(symbol)));
  // One worker loads at a time: the last symbol's actor starts only after three others have loaded (each well over 100 ms).
  const { service } = await startTestService(config, { workersStartingAtOnce: 1 });
  try {
    suite.nats.client.publish("mms.control.all.kill", new Uint8Array(0));
    const runId = service.runId;
    const killsOf = (symbol: string) => tap.of((intent) => intentOfRun(intent, runId) && intent.symbol === symbol && manualKill(intent) && fromCoordinator(intent));
    await waitFor(() => SYMBOLS.every((symbol) => killsOf(symbol).length === 1), { timeoutMs: 10_000, description: "the coordinator's CANCEL_ALL for every symbol" });

    // The last actor's first intent (its start-up CANCEL_ALL) is stored after the coordinator's kill.
    const last = SYMBOLS[SYMBOLS.length - 1]!;
    const actorIntents = () => tap.of((intent) => intentOfRun(intent, runId) && intent.symbol === last && !fromCoordinator(intent));
    await waitFor(() => actorIntents().length > 0, { timeoutMs: 30_000, description: `${last}: its actor's first intent` });
    expect(killsOf(last)[0]!.streamSeq).toBeLessThan(actorIntents()[0]!.streamSeq);

    // The held kill reaches each actor when its worker starts: every one HALTED, none sent a NEW.
    await waitFor(
      async () => {
        const status = await service.status();
        return SYMBOLS.every((symbol) => status.symbols.find((entry) => entry.symbol === symbol)?.state === "HALTED" && status.symbols.find((entry) => entry.symbol === symbol)?.reason === "MANUAL_KILL");
      },
      { timeoutMs: 30_000, description: "every symbol HALTED (MANUAL_KILL)" },
    );
    await sleep(500);
    expect(tap.of((intent) => intentOfRun(intent, runId) && intent.kind === "NEW")).toEqual([]);
  } finally {
    await service.stop();
    await tap.close();
    await exchange.stop();
  }
});

test("a kill's CANCEL_ALLs sent while the ORDERS stream is away are sent again until the stream, once back, acknowledges each, stored once", async () => {
  const mms = await suite.start({ symbols: [{ symbol: BTC }] });
  await mms.quoting(BTC);
  const manager = await jetstreamManager(suite.nats.client);
  const ordersConfig = (await manager.streams.info(STREAMS.orders.name)).config;
  await manager.streams.delete(STREAMS.orders.name);
  suite.nats.client.publish(`mms.control.${BTC}.kill`, encoder.encode(""));
  // Slack: the first attempts fail at once (no stream answers); both resend within 100-200 ms after.
  const resends = () => mms.lines().filter((line) => line.message === "cancel-all not acknowledged: sending it again");
  await waitFor(() => resends().length >= 2, { timeoutMs: 10_000, description: "both CANCEL_ALLs failed once and are being sent again" });
  await manager.streams.add({ ...ordersConfig });

  const tap = await OrdersTap.open(suite.nats.client);
  try {
    const runId = mms.service.runId;
    const kills = () => tap.of((intent) => intentOfRun(intent, runId) && manualKill(intent));
    await waitFor(() => kills().some((entry) => fromCoordinator(entry.intent)) && kills().some((entry) => !fromCoordinator(entry.intent)), { timeoutMs: 15_000, description: "the coordinator's and the actor's CANCEL_ALL stored" });
    await sleep(500);
    const ids = kills().map((entry) => entry.intent.intentId);
    expect(new Set(ids).size).toBe(ids.length);
    await mms.waitForState(BTC, "HALTED", "MANUAL_KILL");
  } finally {
    await tap.close();
  }
});
