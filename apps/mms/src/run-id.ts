import { randomBytes } from "node:crypto";

/** Short, sortable and unique per run: ids built on it never repeat across restarts. */
export function newRunId(now: number = Date.now()): string {
  return `${now.toString(36)}${randomBytes(3).toString("hex")}`;
}
