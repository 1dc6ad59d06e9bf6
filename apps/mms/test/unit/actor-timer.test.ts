import { ActorTimer } from "../../src/actor-timer";

/** A timer over a settable due moment, with jest's fake clock as the shell's clock. */
function timerOver(initialDueAt: number) {
  let dueAt = initialDueAt;
  const fired: number[] = [];
  const timer = new ActorTimer({ dueAt: () => dueAt, fire: () => fired.push(Date.now()), clock: () => Date.now() });
  return { timer, fired, setDue: (at: number) => (dueAt = at) };
}

describe("the symbol actor's one timer", () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  test("fires once at the due moment, not before and not periodically", () => {
    const { timer, fired } = timerOver(1_000_500);
    timer.start();
    jest.advanceTimersByTime(499);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual([1_000_500]);
    jest.advanceTimersByTime(5000);
    expect(fired).toEqual([1_000_500]);
  });

  test("a due moment that moved later while it waited is waited for, without a TIMER at the old one", () => {
    const { timer, fired, setDue } = timerOver(1_000_500);
    timer.start();
    setDue(1_001_200);
    jest.advanceTimersByTime(500);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(700);
    expect(fired).toEqual([1_001_200]);
  });

  test("arm() after a step brings the timer forward to a sooner moment and leaves it for a later one", () => {
    const { timer, fired, setDue } = timerOver(1_002_000);
    timer.start();
    setDue(1_000_300);
    timer.arm();
    jest.advanceTimersByTime(300);
    expect(fired).toEqual([1_000_300]);
    setDue(1_005_000);
    timer.arm();
    setDue(1_009_000);
    timer.arm();
    jest.advanceTimersByTime(4700);
    // At 1_005_000 nothing is due any more (1_009_000): armed again, no TIMER.
    expect(fired).toEqual([1_000_300]);
    jest.advanceTimersByTime(4000);
    expect(fired).toEqual([1_000_300, 1_009_000]);
  });

  test("nothing fires after stop(), and nothing is armed for a moment that never comes", () => {
    const { timer, fired, setDue } = timerOver(Infinity);
    timer.start();
    expect(jest.getTimerCount()).toBe(0);
    setDue(1_000_100);
    timer.arm();
    timer.stop();
    jest.advanceTimersByTime(1000);
    expect(fired).toEqual([]);
  });
});
