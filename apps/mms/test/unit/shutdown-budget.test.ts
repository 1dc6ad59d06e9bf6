import { shutdownBudget, withinMs, workerClosingMs } from "../../src/shutdown-budget";

const realAfter = (delayMs: number, task: () => void) => void setTimeout(task, delayMs);

describe("the one shutdown deadline", () => {
  test("the workers' share and the coordinator's closing time add up to shutdownTimeoutMs", () => {
    for (const total of [400, 3000, 10_000]) {
      const { workerMs, closingMs } = shutdownBudget(total);
      expect(workerMs + closingMs).toBe(total);
      expect(closingMs).toBeLessThanOrEqual(1000);
      expect(workerClosingMs(workerMs)).toBeLessThan(workerMs);
    }
  });

  test("a wait that does not end in time yields TIMEOUT, one that fails yields FAILED, one that ends its result", async () => {
    expect(await withinMs(new Promise(() => undefined), 10, realAfter)).toBe("TIMEOUT");
    expect(await withinMs(Promise.reject(new Error("server gone")), 1000, realAfter)).toBe("FAILED");
    expect(await withinMs(Promise.resolve(7), 1000, realAfter)).toBe(7);
  });

  test("no time left: it does not wait at all", async () => {
    const started = performance.now();
    expect(await withinMs(new Promise(() => undefined), -500, realAfter)).toBe("TIMEOUT");
    expect(performance.now() - started).toBeLessThan(100);
  });
});
