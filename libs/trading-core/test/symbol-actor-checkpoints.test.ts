import fc from "fast-check";
import type { CheckpointEvent, ExecutionReport } from "@mms/contracts";
import { describeSymbol, Ledger, type SymbolCommand } from "../src";
import { RecentIds } from "../src/recent-ids";
import { controlResult, Driver, eventsOf, newActor, OPERATOR } from "./harness";

const checkpointsOf = (commands: readonly SymbolCommand[]) => eventsOf(commands).filter((event): event is Extract<typeof event, { type: "checkpoint" }> => event.type === "checkpoint");
const figures = (driver: Driver) => driver.actor.ledger.figures();

function restored(driver: Driver, checkpoint: Pick<CheckpointEvent, "position" | "avgEntryPx" | "realizedPnl" | "fees" | "execSeq">): Driver {
  driver.step({ kind: "CHECKPOINT_RESTORED", checkpoint });
  return driver;
}

describe("ledger restore", () => {
  test("restores every figure exactly, and later fills continue from it as from the full history", () => {
    const full = new Ledger();
    full.applyFill({ side: "BUY", px: "50000.1", qty: "0.003", fee: "-0.0001" });
    full.applyFill({ side: "BUY", px: "49990.7", qty: "0.007", fee: "0.00033" });
    const copy = new Ledger();
    copy.restore(full.figures());
    expect(copy.figures()).toEqual(full.figures());
    expect(copy.averageEntryPrice!.eq(full.averageEntryPrice!)).toBe(true);
    for (const ledger of [full, copy]) ledger.applyFill({ side: "SELL", px: "50020.3", qty: "0.004", fee: "0.0002" });
    expect(copy.figures()).toEqual(full.figures());
  });

  test("a flat checkpoint restores no average entry price", () => {
    const ledger = new Ledger();
    ledger.restore({ position: "0", avgEntryPx: null, realizedPnl: "12.5", fees: "-0.3" });
    expect(ledger.averageEntryPrice).toBeUndefined();
    expect(ledger.figures()).toEqual({ position: "0", avgEntryPx: null, realizedPnl: "12.5", fees: "-0.3" });
  });
});

describe("checkpoint cadence", () => {
  test("after the replay, one checkpoint every checkpointEvery applied reports, with the stream sequence of the last", () => {
    const driver = new Driver(newActor({ checkpointEvery: 3 }));
    driver.ready();
    const written = [];
    for (let sequence = 1; sequence <= 7; sequence++) {
      written.push(...checkpointsOf(driver.step({ kind: "EXECUTION_REPORT", report: driver.fill("old-B", "BUY", "50000.0", "0.001", "0.009"), replay: false, streamSequence: sequence })));
    }
    expect(written.map((event) => event.execSeq)).toEqual([3, 6]);
    expect(written[1]).toMatchObject({ position: "0.006", avgEntryPx: "50000", realizedPnl: "0", fees: "0" });
  });

  test("none during the replay; the catch-up writes one, so the next start replays only what follows", () => {
    const driver = new Driver(newActor({ checkpointEvery: 2 }));
    const during: SymbolCommand[] = [];
    for (let sequence = 1; sequence <= 5; sequence++) during.push(...driver.step({ kind: "EXECUTION_REPORT", report: driver.fill("old-B", "BUY", "50000.0", "0.001", "0.009"), replay: true, streamSequence: sequence }));
    expect(checkpointsOf(during)).toEqual([]);
    const caughtUp = checkpointsOf(driver.step({ kind: "RECOVERY_COMPLETE", streamFirstSequence: 1 }));
    expect(caughtUp).toEqual([expect.objectContaining({ position: "0.005", execSeq: 5 })]);
  });

  test("SHUTDOWN writes a checkpoint of the current ledger", () => {
    const driver = restored(new Driver(), { position: "-0.02", avgEntryPx: "50100", realizedPnl: "3", fees: "0.1", execSeq: 40 });
    driver.ready();
    expect(checkpointsOf(driver.step({ kind: "SHUTDOWN" }))).toEqual([expect.objectContaining({ position: "-0.02", avgEntryPx: "50100", realizedPnl: "3", fees: "0.1", execSeq: 40 })]);
  });
});

describe("INVENTORY_UNVERIFIED and POSITION_MISMATCH", () => {
  test.each([
    ["no checkpoint, a stream that never held a message: recovered", undefined, 0, false],
    ["no checkpoint, history from sequence 1: recovered", undefined, 1, false],
    ["no checkpoint, history purged up to 1: HALTED", undefined, 2, true],
    ["checkpoint at 10, history from 11: recovered", 10, 11, false],
    ["checkpoint at 10, history from 12: HALTED", 10, 12, true],
  ])("%s", (_name, execSeq, streamFirstSequence, halted) => {
    const driver = new Driver();
    if (execSeq !== undefined) restored(driver, { position: "0.01", avgEntryPx: "50000", realizedPnl: "0", fees: "0", execSeq });
    const commands = driver.step({ kind: "RECOVERY_COMPLETE", streamFirstSequence });
    expect(driver.actor.state).toEqual(halted ? { name: "HALTED", reason: "INVENTORY_UNVERIFIED" } : { name: "PAUSED", reason: "STARTUP" });
    expect(eventsOf(commands).some((event) => event.type === "alert" && event.reason === "INVENTORY_UNVERIFIED")).toBe(halted);
    // A truncated history never becomes a checkpoint: the next start would take it for the truth.
    expect(checkpointsOf(commands)).toHaveLength(halted ? 0 : 1);
  });

  function unverified(): Driver {
    const driver = restored(new Driver(), { position: "0.01", avgEntryPx: "50000", realizedPnl: "0", fees: "0", execSeq: 10 });
    driver.step({ kind: "EXECUTION_REPORT", report: driver.fill("old-B", "BUY", "50000.0", "0.002", "0.008"), replay: true, streamSequence: 30 });
    driver.step({ kind: "RECOVERY_COMPLETE", streamFirstSequence: 30 });
    expect(driver.actor.state).toEqual({ name: "HALTED", reason: "INVENTORY_UNVERIFIED" });
    return driver;
  }

  test("reset without a position, or with another one, is refused with POSITION_MISMATCH", () => {
    const driver = unverified();
    expect(controlResult(driver.control("reset"))).toMatchObject({ accepted: false, reason: "POSITION_MISMATCH", to: "HALTED" });
    expect(controlResult(driver.control("reset", { ...OPERATOR, position: "0.01" }))).toMatchObject({ accepted: false, reason: "POSITION_MISMATCH", to: "HALTED" });
    expect(driver.actor.checkpoints.inventoryUnverified).toBe(true);
  });

  test("reset with the reported position (compared as decimals) is accepted and writes a checkpoint", () => {
    const driver = unverified();
    const commands = driver.control("reset", { ...OPERATOR, position: "0.0120" });
    expect(controlResult(commands)).toMatchObject({ accepted: true, to: "PAUSED" });
    expect(checkpointsOf(commands)).toEqual([expect.objectContaining({ position: "0.012", execSeq: 30 })]);
  });

  test("another halt's reset does not ask for a position", () => {
    const driver = new Driver().ready();
    driver.control("kill");
    expect(controlResult(driver.control("reset"))).toMatchObject({ accepted: true, to: "PAUSED" });
  });
});

describe("status during recovery", () => {
  test("inventory figures are null until the replay is done, never 0", () => {
    const driver = new Driver();
    driver.step({ kind: "EXECUTION_REPORT", report: driver.fill("old-B", "BUY", "50000.0", "0.002", "0.008"), replay: true, streamSequence: 1 });
    expect(describeSymbol(driver.actor, driver.now)).toMatchObject({ position: null, avgEntryPx: null, realizedPnl: null, unrealizedPnl: null, fees: null });
    driver.recoveryComplete();
    expect(describeSymbol(driver.actor, driver.now)).toMatchObject({ position: "0.002", avgEntryPx: "50000", realizedPnl: "0", fees: "0" });
  });
});

describe("bounded deduplication", () => {
  test("the recent-id window forgets the oldest beyond its capacity", () => {
    const ids = new RecentIds(3);
    for (const id of ["a", "b", "c", "d", "e", "f", "g"]) ids.add(id);
    expect(["a", "b", "c", "d", "e", "f", "g"].map((id) => ids.has(id))).toEqual([false, false, false, false, true, true, true]);
    expect(ids.size).toBe(3);
  });

  test("adding an id already in the window keeps the window as it was and says so", () => {
    const ids = new RecentIds(2);
    expect([ids.add("a"), ids.add("b"), ids.add("a")]).toEqual([true, true, false]);
    ids.add("c");
    expect(["a", "b", "c"].map((id) => ids.has(id))).toEqual([false, true, true]);
  });

  // A delivery is redelivered at its own sequence, or republished under a new one.
  type Delivery = { readonly index: number; readonly again: "NONE" | "SAME_SEQUENCE" | "NEW_SEQUENCE" };
  const deliveries = fc.array(fc.record({ index: fc.nat(), again: fc.constantFrom("NONE" as const, "SAME_SEQUENCE" as const, "NEW_SEQUENCE" as const) }), { minLength: 1, maxLength: 60 });

  test("property: a report seen twice changes nothing, whatever its sequence", () => {
    fc.assert(
      fc.property(deliveries, fc.boolean(), (plan: Delivery[], replay) => {
        const template = new Driver();
        const reports: ExecutionReport[] = plan.map((_, index) => template.fill("old-B", index % 3 === 0 ? "SELL" : "BUY", `${50000 + (index % 7)}.5`, "0.001", "0", { fee: "0.01" }));
        const once = new Driver();
        const twice = new Driver();
        if (!replay) {
          once.ready();
          twice.ready();
        }
        let sequence = 0;
        let delivered: { report: ExecutionReport; sequence: number } | undefined;
        plan.forEach((step, index) => {
          sequence += 1;
          once.step({ kind: "EXECUTION_REPORT", report: reports[index]!, replay, streamSequence: sequence });
          twice.step({ kind: "EXECUTION_REPORT", report: reports[index]!, replay, streamSequence: sequence });
          delivered = { report: reports[step.index % (index + 1)]!, sequence: step.again === "SAME_SEQUENCE" ? sequence : (sequence += 1) };
          if (step.again !== "NONE") twice.step({ kind: "EXECUTION_REPORT", report: step.again === "SAME_SEQUENCE" ? reports[index]! : delivered.report, replay, streamSequence: delivered.sequence });
        });
        expect(figures(twice)).toEqual(figures(once));
        expect(twice.actor.ledger.fillCount).toBe(once.actor.ledger.fillCount);
      }),
      { numRuns: 200 },
    );
  });
});
