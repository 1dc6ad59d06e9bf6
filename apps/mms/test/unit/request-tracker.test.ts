import { RequestTracker } from "../../src/coordinator/request-tracker";
import { FakeTime } from "../support/fake-time";

const BTC = "BTCUSDT-PERP";
const ETH = "ETHUSDT-PERP";

function tracker() {
  const time = new FakeTime();
  return { time, requests: new RequestTracker<string>(time, "run-") };
}

/** Whether the promise has settled, after pending microtasks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe("request tracker", () => {
  test("every request gets its own id", () => {
    const { requests } = tracker();
    expect(requests.open([BTC], 1000).requestId).toBe("run-1");
    expect(requests.open([BTC], 1000).requestId).toBe("run-2");
  });

  test("settles as soon as every party answered, in the order the answers came", async () => {
    const { requests, time } = tracker();
    const { requestId, outcomes } = requests.open([BTC, ETH], 2000);
    expect(requests.answer(requestId, ETH, "eth")).toBe(true);
    expect(await settled(outcomes)).toBe(false);
    expect(requests.answer(requestId, BTC, "btc")).toBe(true);
    expect(await outcomes).toEqual([
      { party: ETH, answered: true, answer: "eth" },
      { party: BTC, answered: true, answer: "btc" },
    ]);
    expect(requests.pendingCount).toBe(0);
    expect(time.scheduledCount).toBe(0);
  });

  test("a party that does not answer before the timeout gets NO_ANSWER", async () => {
    const { requests, time } = tracker();
    const { requestId, outcomes } = requests.open([BTC, ETH], 2000);
    requests.answer(requestId, BTC, "btc");
    time.advance(1999);
    expect(await settled(outcomes)).toBe(false);
    time.advance(1);
    expect(await outcomes).toEqual([
      { party: BTC, answered: true, answer: "btc" },
      { party: ETH, answered: false, reason: "NO_ANSWER" },
    ]);
  });

  test("a late answer after the timeout is dropped", async () => {
    const { requests, time } = tracker();
    const { requestId, outcomes } = requests.open([BTC], 1000);
    time.advance(1000);
    expect(requests.answer(requestId, BTC, "late")).toBe(false);
    expect(await outcomes).toEqual([{ party: BTC, answered: false, reason: "NO_ANSWER" }]);
  });

  test("when a thread exits, every request pending on it fails at once with NO_ANSWER; others wait on", async () => {
    const { requests } = tracker();
    const first = requests.open([BTC], 2000);
    const second = requests.open([BTC, ETH], 2000);
    const other = requests.open([ETH], 2000);
    requests.partyGone(BTC);
    expect(await first.outcomes).toEqual([{ party: BTC, answered: false, reason: "NO_ANSWER" }]);
    expect(await settled(second.outcomes)).toBe(false);
    requests.answer(second.requestId, ETH, "eth");
    expect(await second.outcomes).toEqual([
      { party: BTC, answered: false, reason: "NO_ANSWER" },
      { party: ETH, answered: true, answer: "eth" },
    ]);
    expect(await settled(other.outcomes)).toBe(false);
    expect(requests.answer(first.requestId, BTC, "after exit")).toBe(false);
  });

  test("an answer from a party not asked, or a second one, is dropped", async () => {
    const { requests } = tracker();
    const { requestId, outcomes } = requests.open([BTC, ETH], 2000);
    expect(requests.answer(requestId, "SOLUSDT-PERP", "sol")).toBe(false);
    expect(requests.answer(requestId, BTC, "first")).toBe(true);
    expect(requests.answer(requestId, BTC, "second")).toBe(false);
    expect(requests.answer("run-unknown", ETH, "eth")).toBe(false);
    requests.answer(requestId, ETH, "eth");
    expect((await outcomes).map((outcome) => (outcome.answered ? outcome.answer : outcome.reason))).toEqual(["first", "eth"]);
  });

  test("a request to nobody settles at once, with no timer", async () => {
    const { requests, time } = tracker();
    expect(await requests.open([], 2000).outcomes).toEqual([]);
    expect(time.scheduledCount).toBe(0);
  });
});
