import { readFileSync } from "node:fs";
import { formatIssues, symbolWithDefaults, type AuditEvent, type OrderIntent, type SymbolStatus } from "@mms/contracts";
import { describeSymbol, type SymbolActorSettings, type SymbolEvent } from "@mms/trading-core";
import { validateRecordingLine } from "./recording-schema";
import { sentIntents, SymbolStepper } from "./symbol-stepper";

export interface Recording {
  readonly instance: string;
  readonly settings: SymbolActorSettings;
  readonly startedAt: number;
  readonly inputs: ReadonlyArray<{ readonly now: number; readonly event: SymbolEvent }>;
}

export class RecordingError extends Error {}

/** Reads and validates a recording; a bad line is reported with its number, never skipped. */
export function readRecording(path: string): Recording {
  const lines = readFileSync(path, "utf8").split("\n");
  let header: Recording | undefined;
  const inputs: Array<{ now: number; event: SymbolEvent }> = [];
  lines.forEach((text, index) => {
    if (text.trim() === "") return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new RecordingError(`${path}:${index + 1}: not JSON (${(error as Error).message})`);
    }
    const line = validateRecordingLine(raw);
    if (!line.ok) throw new RecordingError(`${path}:${index + 1}: ${formatIssues(line.issues)}`);
    const value = line.value;
    if (value.kind === "HEADER") {
      if (header) throw new RecordingError(`${path}:${index + 1}: a second header`);
      const settings = { ...value.settings, config: symbolWithDefaults(value.settings.config) } as SymbolActorSettings;
      header = { instance: value.instance, settings, startedAt: value.startedAt, inputs };
    } else {
      if (!header) throw new RecordingError(`${path}:${index + 1}: input before the header`);
      inputs.push({ now: value.now, event: value.event as SymbolEvent });
    }
  });
  if (!header) throw new RecordingError(`${path}: no header line`);
  return header;
}

export interface ReplayResult {
  /** What would have been published on `orders.<SYMBOL>`, in order. */
  readonly intents: readonly OrderIntent[];
  /** Every audit event, stamped exactly as the live run stamped it. */
  readonly events: readonly AuditEvent[];
  readonly finalStatus: SymbolStatus;
}

/** Runs the same actor code over the recorded inputs, on the recorded clock. */
export function replayRecording(recording: Recording): ReplayResult {
  const stepper = new SymbolStepper(recording.settings, recording.instance);
  const intents: OrderIntent[] = [];
  const events: AuditEvent[] = [];
  for (const input of recording.inputs) {
    const output = stepper.step(input.event, input.now);
    intents.push(...sentIntents(output.commands));
    events.push(...output.events);
  }
  const lastNow = recording.inputs.at(-1)?.now ?? recording.startedAt;
  return { intents, events, finalStatus: describeSymbol(stepper.actor, lastNow) };
}
