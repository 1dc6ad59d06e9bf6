import { Writable } from "node:stream";

/** A stream transport target that keeps every JSON line written to it. */
export class CapturedOutput extends Writable {
  private text = "";

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    callback();
  }

  /** Winston hands lines to its transports asynchronously: let them arrive first. */
  async lines(): Promise<Record<string, unknown>[]> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
