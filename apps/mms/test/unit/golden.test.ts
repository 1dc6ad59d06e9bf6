import { describeItem, GOLDEN_FILES, goldenScenarios, readExpected, replayScenario } from "../support/golden";

/**
 * Golden replays: each committed recording of a real run must replay, with today's code,
 * to exactly the intents, audit events and final status that run produced. A failure names
 * the first line that differs and diffs it field by field. When the change is intended,
 * `npm run golden:update` rewrites the expected files (review them with git diff).
 */
expect.extend({
  toMatchGoldenLines(replayed: readonly unknown[], expected: readonly unknown[], file: string) {
    let index = 0;
    while (index < replayed.length && index < expected.length && this.equals(replayed[index], expected[index])) index += 1;
    const pass = index === replayed.length && index === expected.length;
    const message = () => {
      if (pass) return `${file}: the replay matches all ${expected.length} lines`;
      const header = `${file}: first difference at line ${index + 1} (${expected.length} lines expected, ${replayed.length} replayed)`;
      if (index >= expected.length) return `${header}\nreplayed an extra ${describeItem(replayed[index])}:\n${this.utils.printReceived(replayed[index])}`;
      if (index >= replayed.length) return `${header}\nthe replay ended before ${describeItem(expected[index])}:\n${this.utils.printExpected(expected[index])}`;
      const fieldDiff = this.utils.diff(expected[index], replayed[index], { expand: false, aAnnotation: "Expected (committed)", bAnnotation: "Replayed" }) ?? "";
      return `${header}, ${describeItem(expected[index])}:\n\n${fieldDiff}\n\nTo accept an intended change: npm run golden:update`;
    };
    return { pass, message };
  },
});

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- jest's matcher types live in this namespace
  namespace jest {
    interface Matchers<R> {
      toMatchGoldenLines(expected: readonly unknown[], file: string): R;
    }
  }
}

const scenarios = goldenScenarios();

test("golden scenarios are committed: recovery, market-data faults and a reject storm", () => {
  expect(scenarios).toEqual(expect.arrayContaining(["market-data-faults", "recovery-quoting-kill", "reject-storm"]));
});

describe.each(scenarios)("golden replay %s", (scenario) => {
  const replayed = replayScenario(scenario);
  const expected = readExpected(scenario);

  test("sends the committed intents, in order", () => {
    expect(replayed.intents).toMatchGoldenLines(expected.intents, `${scenario}/${GOLDEN_FILES.intents}`);
  });

  test("emits the committed audit events, in order", () => {
    expect(replayed.events).toMatchGoldenLines(expected.events, `${scenario}/${GOLDEN_FILES.events}`);
  });

  test("ends in the committed state, position and open orders", () => {
    expect(replayed.finalStatus).toEqual(expected.finalStatus);
  });
});
