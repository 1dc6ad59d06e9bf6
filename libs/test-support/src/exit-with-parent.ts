import { spawn, type ChildProcess } from "node:child_process";

/** How often a guard checks that the process that started the child is still alive. */
export const PARENT_WATCH_PERIOD_MS = 250;

/**
 * Node has no PDEATHSIG: a child outlives a parent that dies of SIGKILL, of EPIPE, of
 * anything but an orderly stop. So every child gets a guard, a tiny `sh` that polls its own
 * parent pid in /proc; once this process is gone (the guard is reparented) it sends `signal`
 * to the child (SIGTERM: the MMS then cancels its orders and exits as on any stop) and
 * SIGKILL after `killAfterMs`. The guard ignores SIGINT, so a Ctrl-C at the terminal leaves
 * the orderly stop to the parent. It ends by itself when the child does.
 * Works for any child (nats-server too) without changing the child. Linux (/proc).
 */
export function exitWithParent(child: ChildProcess, { periodMs = PARENT_WATCH_PERIOD_MS, killAfterMs = 10_000, signal = "SIGTERM" as NodeJS.Signals } = {}): void {
  if (child.pid === undefined) return;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const script = [
    "trap '' INT HUP",
    `parent=${process.pid}; child=${child.pid}`,
    // Field 4 of /proc/<pid>/stat is the parent pid; the command field "(sh)" has no spaces.
    'while read -r _ _ _ ppid _ < /proc/$$/stat && [ "$ppid" = "$parent" ]; do',
    '  kill -0 "$child" 2>/dev/null || exit 0',
    `  sleep ${seconds(periodMs)}`,
    "done",
    `kill -${signal.replace(/^SIG/, "")} "$child" 2>/dev/null || exit 0`,
    `waited=0; while kill -0 "$child" 2>/dev/null && [ $waited -lt ${Math.ceil(killAfterMs / 100)} ]; do sleep 0.1; waited=$((waited+1)); done`,
    'kill -KILL "$child" 2>/dev/null; exit 0',
  ].join("\n");
  const guard = spawn("sh", ["-c", script], { stdio: "ignore" });
  guard.unref();
  child.once("exit", () => {
    if (guard.exitCode === null && guard.signalCode === null) guard.kill("SIGKILL");
  });
}
