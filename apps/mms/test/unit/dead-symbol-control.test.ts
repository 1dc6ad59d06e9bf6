import { decideDeadSymbolControl } from "../../src/coordinator/dead-symbol-control";

const ACKNOWLEDGED = { operator: "alice", reason: "crash looked at" };

describe("control of a symbol whose worker failed", () => {
  test("reset with operator and reason restarts the worker", () => {
    expect(decideDeadSymbolControl("reset", ACKNOWLEDGED)).toEqual({ kind: "RESTART", operator: "alice", operatorReason: "crash looked at" });
  });

  test("reset with a body that fails the control schema is refused as the live actor refuses it: INVALID_BODY", () => {
    expect(decideDeadSymbolControl("reset", { operator: "", reason: "x" })).toMatchObject({ kind: "STAY_HALTED", accepted: false, refusal: "INVALID_BODY", cancelReason: undefined });
  });

  test.each([{}, { operator: "alice" }, { operator: "alice", reason: "  " }, undefined])("reset without operator and reason (%j) is refused: OPERATOR_REQUIRED", (body) => {
    expect(decideDeadSymbolControl("reset", body)).toMatchObject({ kind: "STAY_HALTED", accepted: false, refusal: "OPERATOR_REQUIRED", cancelReason: undefined });
  });

  test("kill is accepted and cancels again", () => {
    expect(decideDeadSymbolControl("kill", undefined)).toEqual({ kind: "STAY_HALTED", cancelReason: "MANUAL_KILL", accepted: true, refusal: undefined, operator: null, operatorReason: null });
  });

  test("pause cancels again but is refused: WORKER_FAILED", () => {
    expect(decideDeadSymbolControl("pause", ACKNOWLEDGED)).toEqual({ kind: "STAY_HALTED", cancelReason: "MANUAL_PAUSE", accepted: false, refusal: "WORKER_FAILED", operator: "alice", operatorReason: "crash looked at" });
  });

  test("resume is refused (WORKER_FAILED); an unknown command is refused (UNKNOWN_COMMAND); neither cancels", () => {
    expect(decideDeadSymbolControl("resume", ACKNOWLEDGED)).toMatchObject({ accepted: false, refusal: "WORKER_FAILED", cancelReason: undefined });
    expect(decideDeadSymbolControl("explode", ACKNOWLEDGED)).toMatchObject({ accepted: false, refusal: "UNKNOWN_COMMAND", cancelReason: undefined });
  });
});
