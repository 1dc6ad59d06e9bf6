import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readRecording, replayRecording } from "../../src/replay";

/**
 * Golden replays: a recording a real run of the service wrote (MMS_RECORD_DIR), committed
 * with the intents, audit events and final status that run produced. The unit project
 * replays the recording and compares; `npm run golden:update` re-derives the expected files
 * when a change of behaviour is intended, `npm run golden:record` runs the service again.
 */
export const GOLDEN_ROOT = join(__dirname, "..", "golden");

export const GOLDEN_FILES = {
  recording: "recording.jsonl",
  intents: "intents.jsonl",
  events: "events.jsonl",
  finalStatus: "final-status.json",
} as const;

/** What a scenario produced, one JSON value per intent and per event, in order. */
export interface GoldenOutput {
  readonly intents: readonly unknown[];
  readonly events: readonly unknown[];
  readonly finalStatus: unknown;
}

/** The scenarios committed under apps/mms/test/golden, by folder name. */
export function goldenScenarios(): string[] {
  return readdirSync(GOLDEN_ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(GOLDEN_ROOT, entry.name, GOLDEN_FILES.recording)))
    .map((entry) => entry.name)
    .sort();
}

export function scenarioDirectory(scenario: string): string {
  return join(GOLDEN_ROOT, scenario);
}

/** As it went over the bus: JSON, so a field left undefined is a field left out. */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

/** Replays a scenario's committed recording with today's code. */
export function replayScenario(scenario: string): GoldenOutput {
  const result = replayRecording(readRecording(join(scenarioDirectory(scenario), GOLDEN_FILES.recording)));
  return { intents: result.intents.map(asJson), events: result.events.map(asJson), finalStatus: asJson(result.finalStatus) };
}

function readJsonLines(path: string): unknown[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as unknown);
}

export function readExpected(scenario: string): GoldenOutput {
  const directory = scenarioDirectory(scenario);
  return {
    intents: readJsonLines(join(directory, GOLDEN_FILES.intents)),
    events: readJsonLines(join(directory, GOLDEN_FILES.events)),
    finalStatus: JSON.parse(readFileSync(join(directory, GOLDEN_FILES.finalStatus), "utf8")) as unknown,
  };
}

export function writeExpected(scenario: string, output: GoldenOutput): void {
  const directory = scenarioDirectory(scenario);
  const lines = (values: readonly unknown[]) => values.map((value) => `${JSON.stringify(value)}\n`).join("");
  writeFileSync(join(directory, GOLDEN_FILES.intents), lines(output.intents));
  writeFileSync(join(directory, GOLDEN_FILES.events), lines(output.events));
  writeFileSync(join(directory, GOLDEN_FILES.finalStatus), `${JSON.stringify(output.finalStatus, null, 2)}\n`);
}

/** A short name for one line, so a failure says which intent or event went wrong. */
export function describeItem(item: unknown): string {
  if (typeof item !== "object" || item === null) return JSON.stringify(item);
  const record = item as Record<string, unknown>;
  // Checked first: a NEW intent has a `type` too (LIMIT).
  if (typeof record.intentId === "string") return `${String(record.kind)} intent ${record.intentId}`;
  if (typeof record.type === "string") return `${record.type} event seq ${String(record.seq)}`;
  return "item";
}
