import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import fc from "fast-check";
import Big from "big.js";
import { validators, type ControlReply, type StatusReply } from "@mms/contracts";
import { startNatsServer, waitFor, type StartedNatsServer } from "@mms/test-support";
import { MmsFixture, WorkerOutput } from "../../support/mms-fixture";
import { counterValue } from "../../support/metrics-text";
import {
  MARKET_DATA_KINDS,
  controlMessage,
  invalidReport,
  marketData,
  marketDataIsValid,
  reportIsValid,
  seededRandom,
  shuffle,
  statusBody,
  toBytes,
  validFills,
  type Body,
  type MarketDataKind,
  type SymbolBook,
  type ValidFill,
} from "../../support/hostile-input";

// Hostile input on every inbound subject of a running MMS: market data, execution reports,
// control and status. Over 100,000 generated messages (fast-check, one seed for all of
// them and their order). The service must not crash, must apply nothing invalid, and must
// count and log every refusal; a kill must still work afterwards.
//
// Reproduce a run: FUZZ_SEED=<seed> npx jest --selectProjects integration --testPathPatterns crash-safety/hostile-input
// (FUZZ_PROGRESS=1 prints progress per batch on stderr.)

/** Fixed, so every run sends the same messages and a failure reproduces; FUZZ_SEED explores others. */
const DEFAULT_SEED = 20_260_101;
const SEED = process.env.FUZZ_SEED !== undefined && process.env.FUZZ_SEED !== "" ? Number(process.env.FUZZ_SEED) : DEFAULT_SEED;
if (!Number.isSafeInteger(SEED)) throw new Error(`FUZZ_SEED must be an integer, not ${process.env.FUZZ_SEED}`);

const BOOKS: readonly SymbolBook[] = [
  { symbol: "BTCUSDT-PERP", bid: "50000.0", ask: "50010.0", tick: "0.1" },
  { symbol: "ETHUSDT-PERP", bid: "3000.0", ask: "3001.0", tick: "0.1" },
  { symbol: "SOLUSDT-PERP", bid: "150.0", ask: "150.1", tick: "0.1" },
];
const SYMBOLS = BOOKS.map((book) => book.symbol);
/** Runs nowhere: its messages reach no actor, so they are not counted. */
const UNKNOWN: SymbolBook = { symbol: "XRPUSDT-PERP", bid: "0.5", ask: "0.6", tick: "0.1" };

const MD_PER_SYMBOL_AND_KIND = 6000;
const MD_UNROUTED = 1200;
const INVALID_REPORTS_PER_SYMBOL = 4000;
const VALID_FILLS_PER_SYMBOL = 60;
const CONTROL_MESSAGES = 12_000;
const STATUS_REQUESTS = 3000;
const BATCH = 1000;

type Category = "md" | "md-unrouted" | "exec" | "exec-valid" | "control" | "status";

interface Wire {
  readonly category: Category;
  readonly subject: string;
  readonly body: Body;
  readonly intent?: "invalid" | "valid";
  readonly how: string;
  readonly symbol?: string;
  readonly kind?: MarketDataKind;
  readonly reply?: boolean;
}

let nats: StartedNatsServer;
let client: NatsConnection;
const output = new WorkerOutput();
let mms: MmsFixture;
let generated: { wire: Wire[]; fills: Map<string, ValidFill[]>; ms: number };

beforeAll(async () => {
  console.log(`hostile-input fuzz seed ${SEED} (reproduce: FUZZ_SEED=${SEED} npx jest --selectProjects integration --testPathPatterns crash-safety/hostile-input)`);
  output.install();
  nats = await startNatsServer();
  try {
    client = await connect({ servers: nats.url, name: "crash-safety fuzz" });
    mms = await MmsFixture.start(client, nats.url, output, {
      symbols: BOOKS.map((book) => ({ symbol: book.symbol, config: { quoteSize: book.symbol === "BTCUSDT-PERP" ? "0.010" : "0.100", maxOrdersPerSecond: 20 }, bids: [[book.bid, "10"]], asks: [[book.ask, "10"]] })),
    });
    // Generated up front (it blocks this thread for a few seconds, and the test's market-data heartbeats with it).
    generated = generate(mms.account);
    // Two quoting, one still PAUSED from start-up.
    await mms.quoting(SYMBOLS[0]!);
    await mms.quoting(SYMBOLS[1]!);
  } catch (error) {
    await nats.stop();
    output.uninstall();
    throw error;
  }
});

afterAll(async () => {
  try {
    await mms?.stop();
    await client?.close();
  } finally {
    try {
      await nats?.stop();
    } finally {
      output.uninstall();
    }
  }
});

// Generation --------------------------------------------------------------------

function generate(account: string): { wire: Wire[]; fills: Map<string, ValidFill[]>; ms: number } {
  const startedAt = Date.now();
  let stream = 0;
  const sample = <T>(arbitrary: fc.Arbitrary<T>, numRuns: number): T[] => fc.sample(arbitrary, { seed: SEED + ++stream * 7919, numRuns });
  const random = seededRandom(SEED);
  const main: Wire[] = [];

  BOOKS.forEach((book, index) => {
    const other = BOOKS[(index + 1) % BOOKS.length]!;
    for (const kind of MARKET_DATA_KINDS) {
      for (const generated of sample(marketData(book, kind, other), MD_PER_SYMBOL_AND_KIND)) main.push({ category: "md", subject: `md.${book.symbol}.${kind}`, symbol: book.symbol, kind, ...generated });
    }
    for (const generated of sample(invalidReport({ account, book, other }), INVALID_REPORTS_PER_SYMBOL)) main.push({ category: "exec", subject: `exec.${account}.${book.symbol}`, symbol: book.symbol, ...generated });
  });
  // Subjects no actor of this instance listens to: a symbol it does not run, a kind that is not market data.
  for (const generated of sample(marketData(UNKNOWN, "delta", BOOKS[0]!), MD_UNROUTED / 2)) main.push({ category: "md-unrouted", subject: `md.${UNKNOWN.symbol}.delta`, ...generated });
  for (const generated of sample(marketData(BOOKS[0]!, "trade", BOOKS[1]!), MD_UNROUTED / 2)) main.push({ category: "md-unrouted", subject: `md.${BOOKS[0]!.symbol}.bogus`, ...generated });
  for (const message of sample(controlMessage(SYMBOLS, UNKNOWN.symbol), CONTROL_MESSAGES)) main.push({ category: "control", subject: message.subject, body: message.body, how: message.how, reply: random() < 0.2 });
  for (const body of sample(statusBody, STATUS_REQUESTS)) main.push({ category: "status", subject: "mms.status", body, how: "status", reply: true });
  shuffle(main, random);

  // The valid FILLs: originals out of order, exact copies anywhere, altered copies (same execId) after their original.
  const fills = new Map<string, ValidFill[]>();
  const fillWire: Wire[] = [];
  BOOKS.forEach((book, index) => {
    const known = validFills({ account, book, other: BOOKS[(index + 1) % BOOKS.length]! }, SEED + index, VALID_FILLS_PER_SYMBOL);
    fills.set(book.symbol, known);
    const sequence: Wire[] = shuffle(
      known.map((fill) => ({ category: "exec-valid" as const, subject: `exec.${account}.${book.symbol}`, symbol: book.symbol, body: { json: fill.body, stampTs: true }, intent: "valid" as const, how: `valid fill ${fill.execId}` })),
      random,
    );
    for (const fill of known) {
      const originalAt = () => sequence.findIndex((wire) => wire.how === `valid fill ${fill.execId}`);
      const copies = Math.floor(random() * 3);
      for (let copy = 0; copy < copies; copy++) {
        const at = Math.floor(random() * (sequence.length + 1));
        sequence.splice(at, 0, { category: "exec-valid", subject: `exec.${account}.${book.symbol}`, symbol: book.symbol, body: { json: fill.body, stampTs: true }, intent: "valid", how: `exact copy of ${fill.execId}` });
      }
      if (random() < 0.5) {
        const from = originalAt() + 1;
        const at = from + Math.floor(random() * (sequence.length - from + 1));
        // The same execId with other figures: a report seen twice must change nothing the second time.
        const altered = { ...fill.body, qty: "0.009", fee: "9.99", side: fill.side === "BUY" ? "SELL" : "BUY" };
        sequence.splice(at, 0, { category: "exec-valid", subject: `exec.${account}.${book.symbol}`, symbol: book.symbol, body: { json: altered, stampTs: true }, intent: "valid", how: `altered copy of ${fill.execId}` });
      }
    }
    fillWire.push(...sequence);
  });

  // Merge, keeping the order within each list.
  const wire: Wire[] = [];
  let a = 0;
  let b = 0;
  while (a < main.length || b < fillWire.length) {
    const takeFill = b < fillWire.length && (a >= main.length || random() < (fillWire.length - b) / (main.length - a + fillWire.length - b));
    wire.push(takeFill ? fillWire[b++]! : main[a++]!);
  }
  return { wire, fills, ms: Date.now() - startedAt };
}

/** A few large ones: near and at the 1 MiB limit, huge arrays, deep nesting. */
function specials(account: string): Wire[] {
  const [btc, eth, sol] = SYMBOLS as [string, string, string];
  const text = (value: string): Body => ({ raw: new TextEncoder().encode(value) });
  const manyLevels = Array.from({ length: 60_000 }, (_, index) => [new Big("40000.0").plus(new Big("0.1").times(index % 90_000)).toFixed(1), "1"]);
  const numberLevels = Array.from({ length: 90_000 }, () => [1, 1]);
  const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
  return [
    { category: "md", subject: `md.${btc}.snapshot`, symbol: btc, kind: "snapshot", body: { json: { symbol: btc, seq: 1, ts: 0, bids: manyLevels, asks: [] }, stampTs: true }, intent: "invalid", how: "60,000 bid levels (~1 MiB)" },
    { category: "md", subject: `md.${sol}.delta`, symbol: sol, kind: "delta", body: { json: { symbol: sol, seq: 1, ts: 0, bids: numberLevels, asks: [] }, stampTs: true }, intent: "invalid", how: "90,000 levels of numbers" },
    { category: "md", subject: `md.${sol}.trade`, symbol: sol, kind: "trade", body: { json: { symbol: sol, tradeId: "t", ts: 0, px: "1".repeat(1_040_000), qty: "1", takerSide: "BUY" }, stampTs: true }, intent: "invalid", how: "a 1 MB price" },
    { category: "md", subject: `md.${btc}.status`, symbol: btc, kind: "status", body: text("x".repeat(1024 * 1024)), intent: "invalid", how: "exactly 1 MiB of junk" },
    { category: "md", subject: `md.${eth}.snapshot`, symbol: eth, kind: "snapshot", body: text(deep(200_000)), intent: "invalid", how: "arrays nested 200,000 deep" },
    { category: "md", subject: `md.${sol}.snapshot`, symbol: sol, kind: "snapshot", body: text(`{"symbol":"${sol}","seq":1,"ts":1,"bids":${deep(50_000)},"asks":[]}`), intent: "invalid", how: "bids nested 50,000 deep" },
    { category: "exec", subject: `exec.${account}.${btc}`, symbol: btc, body: { json: { kind: "FILL", execId: "FZ-BIG", account, symbol: btc, ts: 0, clientOrderId: "c", orderId: "o", side: "BUY", fillId: "f", px: "50000.0", qty: "1", leavesQty: "0", fee: "1".repeat(1_000_000), liquidity: "MAKER" }, stampTs: true }, intent: "invalid", how: "a 1 MB fee" },
    { category: "exec", subject: `exec.${account}.${eth}`, symbol: eth, body: text(deep(100_000)), intent: "invalid", how: "a report nested 100,000 deep" },
    { category: "control", subject: `mms.control.${btc}.resume`, body: text(`{"operator":${deep(20_000)},"reason":"x"}`), how: "control body nested 20,000 deep", reply: true },
    { category: "control", subject: "mms.control.all.reset", body: text(deep(20_000)), how: "control body for all nested 20,000 deep", reply: true },
    { category: "control", subject: `mms.control.${eth}.shadow`, body: text("y".repeat(1024 * 1024 - 64)), how: "control body near 1 MiB" },
    { category: "status", subject: "mms.status", body: text(deep(50_000)), how: "status body nested 50,000 deep", reply: true },
  ];
}

// Observation -------------------------------------------------------------------

function workerLines(message: string, symbol: string): number {
  return mms.lines().filter((line) => line.message === message && line.symbol === symbol).length;
}

const sent = {
  total: 0,
  bySubjectKind: new Map<string, number>(),
  invalidMarketData: new Map<string, number>(),
  validMarketData: new Map<string, number>(),
  invalidReports: new Map<string, number>(),
  validReports: new Map<string, number>(),
  control: 0,
  status: 0,
  refusedByClient: [] as string[],
  /** Generated as invalid but accepted by the contract's schema (or the other way round). */
  misjudged: [] as string[],
};
const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

test(`≥100,000 hostile messages on every inbound subject: the service keeps running, applies nothing invalid, counts and logs every refusal (seed ${SEED})`, async () => {
  const { wire, fills, ms: generatedIn } = generated;
  const extra = specials(mms.account);
  // First, while BTC and ETH still quote: messages with many issues each (the alert of the pause quotes them).
  const [btc, eth] = SYMBOLS as [string, string];
  wire.unshift(
    { category: "md", subject: `md.${eth}.delta`, symbol: eth, kind: "delta", body: { json: { symbol: eth, seq: 1, ts: 0, bids: Array.from({ length: 90_000 }, () => [1, 1]), asks: [] }, stampTs: true }, intent: "invalid", how: "90,000 levels of numbers" },
    { category: "md", subject: `md.${btc}.snapshot`, symbol: btc, kind: "snapshot", body: { json: { symbol: btc, seq: 1, ts: 0, bids: Array.from({ length: 40 }, () => [50000.5, 1]), asks: [] }, stampTs: true }, intent: "invalid", how: "40 levels of numbers" },
  );
  // The large ones go in spread over the run.
  extra.forEach((message, index) => wire.splice(Math.floor(((index + 1) * wire.length) / (extra.length + 1)), 0, message));

  const statusReplies: string[] = [];
  const controlReplies: string[] = [];
  const statusInbox = client.subscribe("fuzz.status.replies", { callback: (_error, message) => void statusReplies.push(new TextDecoder().decode(message.data)) });
  const controlInbox = client.subscribe("fuzz.control.replies", { callback: (_error, message) => void controlReplies.push(new TextDecoder().decode(message.data)) });
  let controlWithReply = 0;
  let controlAnswerable = 0;

  const publishing = Date.now();
  for (let start = 0; start < wire.length; start += BATCH) {
    for (const message of wire.slice(start, start + BATCH)) {
      const bytes = toBytes(message.body, Date.now());
      const reply = message.reply ? (message.category === "status" ? "fuzz.status.replies" : "fuzz.control.replies") : undefined;
      try {
        client.publish(message.subject, bytes, reply ? { reply } : undefined);
      } catch (error) {
        sent.refusedByClient.push(`${message.subject} ${message.how}: ${(error as Error).message}`);
        continue;
      }
      sent.total += 1;
      bump(sent.bySubjectKind, message.category);
      if (message.category === "md") {
        const valid = marketDataIsValid(bytes, message.kind!, message.symbol!);
        bump(valid ? sent.validMarketData : sent.invalidMarketData, message.symbol!);
        if (valid !== (message.intent === "valid")) sent.misjudged.push(`${message.subject} (${message.how}): meant ${message.intent}, schema says ${valid ? "valid" : "invalid"}: ${new TextDecoder().decode(bytes.slice(0, 200))}`);
      } else if (message.category === "exec" || message.category === "exec-valid") {
        const valid = reportIsValid(bytes, mms.account, message.symbol!);
        bump(valid ? sent.validReports : sent.invalidReports, message.symbol!);
        if (valid !== (message.intent === "valid")) sent.misjudged.push(`${message.subject} (${message.how}): meant ${message.intent}, schema says ${valid ? "valid" : "invalid"}: ${new TextDecoder().decode(bytes.slice(0, 200))}`);
      } else if (message.category === "control") {
        sent.control += 1;
        if (reply) controlWithReply += 1;
        // Only a four-token subject for a symbol it runs (or `all`) is answered; the rest stay silent.
        const tokens = message.subject.split(".");
        if (reply && tokens.length === 4 && (tokens[2] === "all" || SYMBOLS.includes(tokens[2]!))) controlAnswerable += 1;
      } else if (message.category === "status") {
        sent.status += 1;
      }
    }
    await client.flush();
    if (process.env.FUZZ_PROGRESS) process.stderr.write(`fuzz: ${start + BATCH}/${wire.length} sent after ${Date.now() - publishing} ms; refused-md lines ${SYMBOLS.map((symbol) => `${workerLines("invalid market data refused", symbol)}/${sent.invalidMarketData.get(symbol) ?? 0}`).join(" ")}\n`);
    // Bounded rate: the actors keep up to within a batch or two of what was sent.
    await waitFor(() => SYMBOLS.every((symbol) => workerLines("invalid market data refused", symbol) >= (sent.invalidMarketData.get(symbol) ?? 0) - 2 * BATCH), {
      timeoutMs: 30_000,
      intervalMs: 20,
      description: "the symbol actors keeping up with the flood",
    });
  }
  const publishedIn = Date.now() - publishing;

  expect(sent.misjudged.slice(0, 10)).toEqual([]);
  expect(sent.total).toBeGreaterThanOrEqual(100_000);
  for (const category of ["md", "md-unrouted", "exec", "exec-valid", "control", "status"] as const) expect(sent.bySubjectKind.get(category) ?? 0).toBeGreaterThan(0);
  expect(sent.refusedByClient).toEqual([]);

  // Never applied: the position and fees are exactly what the valid FILLs say, duplicates and order notwithstanding.
  const expected = new Map(
    SYMBOLS.map((symbol) => {
      const known = fills.get(symbol)!;
      const position = known.reduce((sum, fill) => (fill.side === "BUY" ? sum.plus(fill.qty) : sum.minus(fill.qty)), new Big(0));
      const fees = known.reduce((sum, fill) => sum.plus(fill.fee), new Big(0));
      return [symbol, { position, fees }];
    }),
  );
  const final = await waitFor(
    async () => {
      const status = await mms.status();
      return SYMBOLS.every((symbol) => {
        const entry = status.symbols.find((candidate) => candidate.symbol === symbol);
        return entry && entry.position !== null && entry.fees !== null && new Big(entry.position).eq(expected.get(symbol)!.position) && new Big(entry.fees).eq(expected.get(symbol)!.fees);
      })
        ? status
        : undefined;
    },
    { timeoutMs: 20_000, description: "positions and fees equal to the valid fills" },
  ).catch(async (error: Error) => {
    const status = await mms.status();
    throw new Error(`${error.message}\nexpected ${JSON.stringify([...expected].map(([symbol, value]) => [symbol, value.position.toFixed(), value.fees.toFixed()]))}\nstatus ${JSON.stringify(status.symbols.map((entry) => [entry.symbol, entry.position, entry.fees]))}`);
  });

  // Every refusal logged and counted: one warn line per invalid message, and the MD_INVALID counter.
  for (const symbol of SYMBOLS) {
    await waitFor(() => workerLines("invalid market data refused", symbol) >= sent.invalidMarketData.get(symbol)!, { timeoutMs: 30_000, description: `${symbol}: a log line per invalid market-data message` });
    await waitFor(() => workerLines("invalid execution report refused", symbol) >= sent.invalidReports.get(symbol)!, { timeoutMs: 30_000, description: `${symbol}: a log line per invalid execution report (sent ${sent.invalidReports.get(symbol)}, logged ${workerLines("invalid execution report refused", symbol)})` });
  }
  // Exactly one refusal per invalid message: a refused valid message would show as one too many.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(SYMBOLS.map((symbol) => [symbol, workerLines("invalid market data refused", symbol), workerLines("invalid execution report refused", symbol)])).toEqual(
    SYMBOLS.map((symbol) => [symbol, sent.invalidMarketData.get(symbol) ?? 0, sent.invalidReports.get(symbol) ?? 0]),
  );
  const metrics = await waitFor(
    async () => {
      const text = await mms.service.metrics.collectText();
      return SYMBOLS.every((symbol) => counterValue(text, "mms_market_data_faults_total", { symbol, reason: "MD_INVALID" }) >= sent.invalidMarketData.get(symbol)!) ? text : undefined;
    },
    { timeoutMs: 15_000, description: "mms_market_data_faults_total{reason=MD_INVALID} at least the invalid market data sent" },
  );
  // Failure series exist from the start at zero (pre-created); none may have counted.
  expect(metrics).not.toMatch(/^mms_worker_failures_total\{.*\} [1-9]/m);

  // Alive: every actor answers, none failed; everything PAUSED by what it was sent, nothing HALTED.
  expect(final.symbols.map((entry) => entry.symbol).sort()).toEqual([...SYMBOLS].sort());
  for (const entry of final.symbols) {
    expect({ symbol: entry.symbol, state: entry.state, halted: entry.state === "HALTED" }).toEqual({ symbol: entry.symbol, state: "PAUSED", halted: false });
    expect(entry.reason).not.toBe("WORKER_FAILED");
  }
  // Every junk status request was answered with a proper status.
  await waitFor(() => statusReplies.length >= sent.status, { timeoutMs: 20_000, description: `a reply to each of ${sent.status} status requests (have ${statusReplies.length})` });
  const lastStatus = JSON.parse(statusReplies.at(-1)!) as StatusReply;
  expect(validators.statusReply(lastStatus)).toMatchObject({ ok: true });
  expect(lastStatus.instance).toBe(mms.service.instance);
  expect(lastStatus.symbols.map((entry) => entry.symbol).sort()).toEqual([...SYMBOLS].sort());
  // Every control request it should answer got a well-formed reply; none was accepted but pause.
  await waitFor(() => controlReplies.length >= controlAnswerable, { timeoutMs: 20_000, description: `a reply to each of ${controlAnswerable} answerable control requests (have ${controlReplies.length})` });
  const parsedControl = controlReplies.map((text) => JSON.parse(text) as ControlReply);
  expect(parsedControl.filter((reply) => !validators.controlReply(reply).ok).slice(0, 3)).toEqual([]);
  expect(parsedControl.flatMap((reply) => reply.results ?? []).filter((result) => result.accepted && result.to !== "PAUSED")).toEqual([]);
  statusInbox.unsubscribe();
  controlInbox.unsubscribe();

  // The audit trail survived too: every event stored and valid, seq 1..n per symbol without a gap (an
  // alert quoting a huge message once could not be stored, and held every later event of its symbol).
  expect(mms.audit.invalid.slice(0, 3)).toEqual([]);
  for (const symbol of SYMBOLS) {
    await waitFor(
      () => {
        const seqs = mms.audit.events.filter((event) => event.symbol === symbol).map((event) => event.seq).sort((x, y) => x - y);
        return seqs.length > 0 && seqs.every((seq, index) => seq === index + 1);
      },
      { timeoutMs: 15_000, description: `${symbol}: audit events seq 1..n without a gap` },
    );
  }

  const unexpectedErrors = mms.errors().filter((line) => line.message !== "symbol HALTED");
  expect(unexpectedErrors.slice(0, 5)).toEqual([]);
  const longest = Math.max(...mms.lines().map((line) => JSON.stringify(line).length));
  console.log(
    [
      `hostile-input seed ${SEED}: ${sent.total} messages in ${publishedIn} ms (generated in ${generatedIn} ms)`,
      `  market data: invalid ${JSON.stringify(Object.fromEntries(sent.invalidMarketData))}, valid ${JSON.stringify(Object.fromEntries(sent.validMarketData))}, to no actor ${sent.bySubjectKind.get("md-unrouted")}`,
      `  execution reports: invalid ${JSON.stringify(Object.fromEntries(sent.invalidReports))}, valid (fills and copies) ${JSON.stringify(Object.fromEntries(sent.validReports))}`,
      `  control ${sent.control} (${controlWithReply} with a reply subject, ${controlAnswerable} answerable, ${controlReplies.length} replies), status ${sent.status} (${statusReplies.length} replies)`,
      `  MD_INVALID counted: ${SYMBOLS.map((symbol) => `${symbol} ${counterValue(metrics, "mms_market_data_faults_total", { symbol, reason: "MD_INVALID" })}`).join(", ")}`,
      `  refusals logged: md ${SYMBOLS.map((symbol) => workerLines("invalid market data refused", symbol)).join("/")}, exec ${SYMBOLS.map((symbol) => workerLines("invalid execution report refused", symbol)).join("/")}; longest log line ${longest} bytes`,
      `  final: ${final.symbols.map((entry) => `${entry.symbol} ${entry.state}/${entry.reason} position ${entry.position} fees ${entry.fees}`).join("; ")}`,
    ].join("\n"),
  );
}, 120_000);

test("after the flood, mms.control.all.kill still halts every symbol (MANUAL_KILL), CANCEL_ALL on ORDERS, nothing resting", async () => {
  const reply = await mms.control("mms.control.all.kill", undefined, 10_000);
  expect(reply.ok).toBe(true);
  expect(reply.results?.map((result) => [result.symbol, result.accepted, result.to]).sort()).toEqual(SYMBOLS.map((symbol) => [symbol, true, "HALTED"]).sort());
  for (const symbol of SYMBOLS) {
    await mms.waitForCancelAll(symbol, "MANUAL_KILL");
    expect(await mms.waitForState(symbol, "HALTED", "MANUAL_KILL")).toMatchObject({ openOrders: [] });
    expect(mms.exchange.openOrders(symbol)).toEqual([]);
  }
}, 60_000);
