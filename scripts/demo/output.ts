// Everything the demo prints goes through here, so a closed standard output (the reader of
// `npm run demo | tee demo.log` ended first) stops the printing, never the demo: an EPIPE
// would otherwise kill it before it stopped the MMS.
import { readFileSync } from "node:fs";

const startedAt = Date.now();
let outputClosed = false;

process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  // EPIPE and friends: nobody reads any more. Carry on silently and stop cleanly.
  outputClosed = true;
  if (error.code !== "EPIPE") process.stderr.write(`demo: standard output failed: ${error.message}\n`);
});

export function isOutputClosed(): boolean {
  return outputClosed;
}

export function write(text: string): void {
  if (outputClosed || process.stdout.destroyed) return;
  try {
    process.stdout.write(text);
  } catch {
    outputClosed = true;
  }
}

export function say(message: string): void {
  write(`[demo ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)}s] ${message}\n`);
}

/** A failure the demo explains in one message (no stack). */
export class DemoError extends Error {}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
