import { isConnected, stepSymbol } from "../src";
import { newActor, OPERATOR } from "./harness";

describe("a worker's actor before its first connection", () => {
  test("starts not yet connected when its settings say so, and is connected from the first CONNECTION_RESTORED", () => {
    const actor = newActor({}, { connectedAtStart: false });
    expect(actor.connection).toEqual({ kind: "NOT_YET_CONNECTED" });
    expect(isConnected(actor)).toBe(false);
    stepSymbol(actor, { kind: "CONNECTION_RESTORED" }, 1);
    expect(isConnected(actor)).toBe(true);
  });

  test("answers a control message before the connection and still emits its control event", () => {
    const actor = newActor({}, { connectedAtStart: false });
    const { commands } = stepSymbol(actor, { kind: "CONTROL", requestId: "r1", command: "resume", body: { operator: OPERATOR.operator } }, 1);
    expect(commands).toContainEqual(expect.objectContaining({ kind: "CONTROL_RESULT", result: expect.objectContaining({ accepted: false, reason: "OPERATOR_REQUIRED" }) }));
    expect(commands).toContainEqual({ kind: "EMIT_EVENT", event: expect.objectContaining({ type: "control", refusal: "OPERATOR_REQUIRED" }) });
  });

  test("a kill before the connection owes its CANCEL_ALL to the first connection", () => {
    const actor = newActor({}, { connectedAtStart: false });
    stepSymbol(actor, { kind: "CONTROL", requestId: "r1", command: "kill" }, 1);
    expect(actor.connection).toEqual({ kind: "DISCONNECTED", cancelAllOnReconnect: true });
  });

  test("settings without the flag (older recordings, the pure tests) start connected", () => {
    expect(isConnected(newActor())).toBe(true);
  });
});
