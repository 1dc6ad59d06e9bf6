import { Worker } from "node:worker_threads";
import { NewOrderGate } from "../../src/new-order-gate";

describe("NewOrderGate", () => {
  test("a shutdown closes it for good", () => {
    const gate = new NewOrderGate();
    expect(gate.closed).toBe(false);
    gate.closeForShutdown();
    gate.killHandled();
    expect(gate.closed).toBe(true);
  });

  test("a kill closes it until the actor has taken every kill sent", () => {
    const gate = new NewOrderGate();
    gate.closeForKill();
    gate.closeForKill();
    gate.killHandled();
    expect(gate.closed).toBe(true);
    gate.killHandled();
    expect(gate.closed).toBe(false);
    // A stray acknowledgement never leaves it owing an opening.
    gate.killHandled();
    gate.closeForKill();
    expect(gate.closed).toBe(true);
  });

  test("another thread sees it closed at once, without a message", async () => {
    const gate = new NewOrderGate();
    // The worker spins until the gate closes: it never reads its message queue, so only shared memory can reach it.
    const source = `
      const { workerData, parentPort } = require("node:worker_threads");
      const cells = new Int32Array(workerData);
      parentPort.postMessage("spinning");
      const started = Date.now();
      while (Atomics.load(cells, 0) === 0 && Date.now() - started < 10000) {}
      parentPort.postMessage(Atomics.load(cells, 0) === 0 ? "timed out" : "saw it closed");
    `;
    const worker = new Worker(source, { eval: true, workerData: gate.buffer });
    const messages: string[] = [];
    const done = new Promise<void>((resolve) => worker.on("message", (message: string) => (messages.push(message), message !== "spinning" && resolve())));
    await new Promise<void>((resolve) => worker.once("message", () => resolve()));
    gate.closeForShutdown();
    await done;
    await worker.terminate();
    expect(messages.at(-1)).toBe("saw it closed");
  });
});
