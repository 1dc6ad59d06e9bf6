// Cancel-alls owed to a reconnect: however stops and disconnects interleave, one reconnect
// pays at most one, and pays it exactly when a stop that would have cancelled came while away.
import fc from "fast-check";
import { isConnected, type SymbolEvent } from "../src";
import { Driver } from "./harness";

type Step = "LOSE" | "RESTORE" | "KILL" | "PAUSE" | "SLOW_CONSUMER" | "RESUME" | "TIMER";

const steps = fc.array(fc.constantFrom<Step>("LOSE", "RESTORE", "KILL", "PAUSE", "SLOW_CONSUMER", "RESUME", "TIMER"), { maxLength: 40 });

test("a reconnect sends at most one owed CANCEL_ALL, and one exactly when a cancelling stop came while disconnected", () => {
  fc.assert(
    fc.property(steps, (sequence) => {
      const driver = new Driver();
      driver.active();
      let owed = false;
      for (const step of sequence) {
        driver.advance(100);
        const wasConnected = isConnected(driver.actor);
        const stateBefore = driver.actor.state;
        const commands = run(driver, step);
        const cancelAlls = commands.flatMap((command) => (command.kind === "SEND_INTENT" && command.intent.kind === "CANCEL_ALL" ? [command.intent] : []));
        // Nothing goes out while away.
        if (!wasConnected && step !== "RESTORE") expect(cancelAlls).toEqual([]);
        // Owed: the disconnect's own stop when it moved the symbol out of ACTIVE, and any kill or pause while away.
        if (step === "LOSE" && wasConnected && stateBefore.name === "ACTIVE") owed = true;
        if ((step === "KILL" || step === "PAUSE") && !wasConnected) owed = true;
        if (step === "RESTORE" && !wasConnected) {
          expect(cancelAlls.filter((intent) => intent.reason === "NATS_DISCONNECTED")).toHaveLength(owed ? 1 : 0);
          owed = false;
        }
      }
    }),
    { numRuns: 200 },
  );
});

function run(driver: Driver, step: Step) {
  const events: Record<Exclude<Step, "KILL" | "PAUSE" | "RESUME">, SymbolEvent> = {
    LOSE: { kind: "CONNECTION_LOST" },
    RESTORE: { kind: "CONNECTION_RESTORED" },
    SLOW_CONSUMER: { kind: "SLOW_CONSUMER" },
    TIMER: { kind: "TIMER" },
  };
  if (step === "KILL") return driver.control("kill");
  if (step === "PAUSE") return driver.control("pause");
  if (step === "RESUME") return driver.control("resume");
  return driver.step(events[step]);
}
