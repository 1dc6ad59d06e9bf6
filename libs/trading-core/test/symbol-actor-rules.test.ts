// The pure pieces the symbol actor is built from: the countdown schedule, the control rules, the named transitions.
import { decideControl, planCountdown, resetTransition, resumeTransition, stopTransition, validateControlBody, type ControlView } from "../src";

const OPERATOR = { operator: "alice", reason: "test" };
const schedule = { timeoutMs: 3000, timerIntervalMs: 100 };

describe("countdown schedule", () => {
  test("new orders arm a switch that is off, and leave an armed one alone", () => {
    expect(planCountdown({ kind: "OFF" }, "ORDERS_PLACED", 5, schedule)).toEqual({ kind: "SEND", timeoutMs: 3000, next: { kind: "ARMED", refreshedAt: 5 } });
    expect(planCountdown({ kind: "ARMED", refreshedAt: 0 }, "ORDERS_PLACED", 5000, schedule)).toEqual({ kind: "KEEP" });
  });

  test("while orders may rest the switch is refreshed before the next late timer could leave a gap over timeoutMs / 3", () => {
    // Due when now - refreshedAt + 2 x timer interval >= 1000.
    expect(planCountdown({ kind: "ARMED", refreshedAt: 0 }, "ORDERS_MAY_REST", 799, schedule)).toEqual({ kind: "KEEP" });
    expect(planCountdown({ kind: "ARMED", refreshedAt: 0 }, "ORDERS_MAY_REST", 800, schedule)).toEqual({ kind: "SEND", timeoutMs: 3000, next: { kind: "ARMED", refreshedAt: 800 } });
    expect(planCountdown({ kind: "OFF" }, "ORDERS_MAY_REST", 1, schedule)).toMatchObject({ kind: "SEND", timeoutMs: 3000 });
  });

  test("once nothing rests an armed switch is turned off with timeoutMs 0, an off one stays quiet", () => {
    expect(planCountdown({ kind: "ARMED", refreshedAt: 0 }, "NOTHING_RESTS", 10, schedule)).toEqual({ kind: "SEND", timeoutMs: 0, next: { kind: "OFF" } });
    expect(planCountdown({ kind: "OFF" }, "NOTHING_RESTS", 10, schedule)).toEqual({ kind: "KEEP" });
  });
});

describe("named transitions", () => {
  test("resume moves PAUSED to ACTIVE, leaves ACTIVE alone and refuses a halt", () => {
    expect(resumeTransition({ name: "PAUSED", reason: "STARTUP" })).toEqual({ kind: "MOVED", from: { name: "PAUSED", reason: "STARTUP" }, to: { name: "ACTIVE", reason: null } });
    expect(resumeTransition({ name: "ACTIVE", reason: null })).toEqual({ kind: "UNCHANGED", state: { name: "ACTIVE", reason: null } });
    expect(resumeTransition({ name: "HALTED", reason: "POSITION_LIMIT" })).toEqual({ kind: "REFUSED", refusal: "HALTED_NEEDS_RESET" });
  });

  test("reset moves HALTED to PAUSED with MANUAL_RESET and refuses anything else with NOT_HALTED", () => {
    expect(resetTransition({ name: "HALTED", reason: "MANUAL_KILL" })).toMatchObject({ kind: "MOVED", to: { name: "PAUSED", reason: "MANUAL_RESET" } });
    expect(resetTransition({ name: "PAUSED", reason: "STARTUP" })).toEqual({ kind: "REFUSED", refusal: "NOT_HALTED" });
    expect(resetTransition({ name: "ACTIVE", reason: null })).toEqual({ kind: "REFUSED", refusal: "NOT_HALTED" });
  });

  test("an automatic pause never lifts a halt", () => {
    expect(stopTransition({ name: "HALTED", reason: "REJECT_STORM" }, "PAUSED", "MD_STALE")).toMatchObject({ kind: "UNCHANGED" });
  });
});

describe("control body validation", () => {
  test.each([
    ["an unknown command", "explode", OPERATOR, "UNKNOWN_COMMAND"],
    ["resume without a body", "resume", undefined, "OPERATOR_REQUIRED"],
    ["reset with a blank reason", "reset", { operator: "alice", reason: " " }, "OPERATOR_REQUIRED"],
    ["resume with a string body", "resume", "please", "INVALID_BODY"],
    ["shadow without enabled", "shadow", OPERATOR, "INVALID_BODY"],
  ] as const)("%s is refused with %s", (_name, command, body, refusal) => {
    expect(validateControlBody(command, body)).toMatchObject({ ok: false, refusal });
  });

  test("kill and pause take any body at all", () => {
    for (const body of [undefined, null, "kill it", 42, { operator: 5 }]) {
      expect(validateControlBody("kill", body)).toMatchObject({ ok: true, command: "kill" });
      expect(validateControlBody("pause", body)).toMatchObject({ ok: true, command: "pause" });
    }
  });
});

describe("control decisions", () => {
  const paused: ControlView = { state: "PAUSED", reason: "STARTUP", mode: "live", hasOrders: false, resumeBlocker: undefined, reduceOnly: false, reduceBlocker: undefined };
  const active: ControlView = { ...paused, state: "ACTIVE", reason: null };
  const halted: ControlView = { ...paused, state: "HALTED", reason: "POSITION_LIMIT" };
  const deadWorker: ControlView = { ...paused, state: "HALTED", reason: "WORKER_FAILED" };

  test("kill halts a running symbol and only re-cancels a halted one", () => {
    expect(decideControl(active, "kill", undefined)).toMatchObject({ refusal: undefined, effects: [{ kind: "STOP", target: "HALTED", reason: "MANUAL_KILL" }] });
    expect(decideControl(halted, "kill", undefined)).toMatchObject({ refusal: undefined, effects: [{ kind: "CANCEL_ALL", reason: "MANUAL_KILL" }] });
  });

  test("pause of a halted symbol cancels and is refused; of a paused one cancels and relabels", () => {
    expect(decideControl(halted, "pause", undefined)).toMatchObject({ refusal: "HALTED_NEEDS_RESET", effects: [{ kind: "CANCEL_ALL", reason: "MANUAL_PAUSE" }] });
    expect(decideControl(paused, "pause", undefined)).toMatchObject({ refusal: undefined, effects: [{ kind: "CANCEL_ALL" }, { kind: "RELABEL_PAUSE", reason: "MANUAL_PAUSE" }] });
  });

  test("resume names the first blocker, or resumes when none holds", () => {
    expect(decideControl({ ...paused, resumeBlocker: "MD_STALE" }, "resume", OPERATOR)).toMatchObject({ refusal: "MD_STALE", effects: [] });
    expect(decideControl(paused, "resume", OPERATOR)).toMatchObject({ refusal: undefined, effects: [{ kind: "RESUME" }] });
    expect(decideControl(active, "resume", OPERATOR)).toMatchObject({ refusal: undefined, effects: [] });
    expect(decideControl(halted, "resume", OPERATOR)).toMatchObject({ refusal: "HALTED_NEEDS_RESET" });
  });

  test("shadow cancels live orders before switching, and back to live needs a pause first", () => {
    expect(decideControl({ ...paused, hasOrders: true }, "shadow", { ...OPERATOR, enabled: true }).effects).toEqual([{ kind: "CANCEL_ALL", reason: "SHADOW_MODE" }, { kind: "ENTER_SHADOW" }]);
    expect(decideControl(paused, "shadow", { ...OPERATOR, enabled: true }).effects).toEqual([{ kind: "ENTER_SHADOW" }]);
    expect(decideControl({ ...active, mode: "shadow" }, "shadow", { ...OPERATOR, enabled: false })).toMatchObject({ refusal: "PAUSE_FIRST" });
  });

  test("a symbol whose worker failed takes kill and reset; pause, resume and shadow are refused with WORKER_FAILED", () => {
    expect(decideControl(deadWorker, "kill", undefined).refusal).toBeUndefined();
    expect(decideControl(deadWorker, "reset", OPERATOR)).toMatchObject({ refusal: undefined, effects: [{ kind: "CANCEL_ALL", reason: "MANUAL_RESET" }, { kind: "RESET" }] });
    expect(decideControl(deadWorker, "reset", {})).toMatchObject({ refusal: "OPERATOR_REQUIRED" });
    expect(decideControl(deadWorker, "pause", undefined)).toMatchObject({ refusal: "WORKER_FAILED", effects: [{ kind: "CANCEL_ALL", reason: "MANUAL_PAUSE" }] });
    expect(decideControl(deadWorker, "resume", OPERATOR)).toMatchObject({ refusal: "WORKER_FAILED" });
    expect(decideControl(deadWorker, "shadow", { ...OPERATOR, enabled: true })).toMatchObject({ refusal: "WORKER_FAILED" });
    expect(decideControl(deadWorker, "reduce", OPERATOR)).toMatchObject({ refusal: "WORKER_FAILED" });
  });

  test("reduce: PAUSED to reduce-only unless its own blocker holds; a halt needs its reset; a normally quoting symbol must pause first", () => {
    expect(decideControl(paused, "reduce", OPERATOR)).toMatchObject({ refusal: undefined, effects: [{ kind: "REDUCE" }] });
    // The resume blocker (here the position limit) does not stop reduce; the reduce blocker does.
    expect(decideControl({ ...paused, resumeBlocker: "POSITION_LIMIT" }, "reduce", OPERATOR)).toMatchObject({ refusal: undefined, effects: [{ kind: "REDUCE" }] });
    expect(decideControl({ ...paused, reduceBlocker: "NOTHING_TO_REDUCE" }, "reduce", OPERATOR)).toMatchObject({ refusal: "NOTHING_TO_REDUCE", effects: [] });
    expect(decideControl(halted, "reduce", OPERATOR)).toMatchObject({ refusal: "HALTED_NEEDS_RESET" });
    expect(decideControl(active, "reduce", OPERATOR)).toMatchObject({ refusal: "PAUSE_FIRST" });
    expect(decideControl({ ...active, reduceOnly: true }, "reduce", OPERATOR)).toMatchObject({ refusal: undefined, effects: [] });
    expect(decideControl(paused, "reduce", {})).toMatchObject({ refusal: "OPERATOR_REQUIRED" });
  });

  test("resume of a reduce-only symbol goes back to normal quoting when nothing blocks it", () => {
    expect(decideControl({ ...active, reduceOnly: true }, "resume", OPERATOR)).toMatchObject({ refusal: undefined, effects: [{ kind: "RESUME" }] });
    expect(decideControl({ ...active, reduceOnly: true, resumeBlocker: "POSITION_LIMIT" }, "resume", OPERATOR)).toMatchObject({ refusal: "POSITION_LIMIT" });
  });
});
