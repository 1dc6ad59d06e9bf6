import { createWriteStream, type WriteStream } from "node:fs";
import type { SymbolActorSettings, SymbolEvent } from "@mms/trading-core";

/** One line of a recording: JSON, in arrival order. The first line is the header. */
export type RecordingLine =
  | { readonly kind: "HEADER"; readonly version: 1; readonly instance: string; readonly settings: SymbolActorSettings; readonly startedAt: number }
  | { readonly kind: "INPUT"; readonly now: number; readonly event: SymbolEvent };

/** Appends every input of one symbol actor to a file, so `mms replay` can run it again. */
export class InputRecorder {
  private readonly stream: WriteStream;

  constructor(path: string, header: Extract<RecordingLine, { kind: "HEADER" }>) {
    this.stream = createWriteStream(path, { flags: "w" });
    this.write(header);
  }

  record(now: number, event: SymbolEvent): void {
    this.write({ kind: "INPUT", now, event });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }

  private write(line: RecordingLine): void {
    this.stream.write(`${JSON.stringify(line)}\n`);
  }
}
