import { checkProtocolVersion, ProtocolVersionMismatch, THREAD_PROTOCOL_VERSION } from "../../src/thread-protocol";

describe("thread protocol version check", () => {
  test("start data of this build passes", () => {
    expect(() => checkProtocolVersion({ protocolVersion: THREAD_PROTOCOL_VERSION, symbol: {} })).not.toThrow();
  });

  test.each([
    ["another version", { protocolVersion: THREAD_PROTOCOL_VERSION + 1 }, String(THREAD_PROTOCOL_VERSION + 1)],
    ["no version", { symbol: {} }, "undefined"],
    ["no start data", undefined, "undefined"],
  ])("%s fails the worker with an error naming both versions", (_case, data, received) => {
    expect(() => checkProtocolVersion(data)).toThrow(ProtocolVersionMismatch);
    expect(() => checkProtocolVersion(data)).toThrow(`this worker speaks version ${THREAD_PROTOCOL_VERSION}, its start data says ${received}`);
  });
});
