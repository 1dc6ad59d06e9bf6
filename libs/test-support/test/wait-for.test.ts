import { getFreePort, waitFor } from "../src";

describe("waitFor", () => {
  it("resolves with the first truthy value the predicate returns", async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `ready after ${calls}` : undefined), { intervalMs: 1 });
    expect(value).toBe("ready after 3");
  });

  it("treats a throwing predicate as not yet and reports its last error on timeout", async () => {
    await expect(
      waitFor(() => {
        throw new Error("still booting");
      }, { timeoutMs: 30, intervalMs: 5, description: "server up" }),
    ).rejects.toThrow("waitFor: server up not met within 30 ms; last error: still booting");
  });
});

describe("getFreePort", () => {
  it("returns a usable port on 127.0.0.1 other than the machine's NATS port 4222", async () => {
    const port = await getFreePort();
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(4222);
  });
});
