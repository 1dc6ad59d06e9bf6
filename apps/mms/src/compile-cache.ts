import { enableCompileCache } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Imported first by every entry point (process and worker threads): V8 keeps the bytecode of
 * each module it compiles on disk, so a hundred workers loading the same graph, and every
 * later start, skip most of the compiling. `MMS_COMPILE_CACHE_DIR` names the folder (default
 * `<tmpdir>/mms-compile-cache`); `off` disables it. A folder that cannot be written only
 * means no cache: Node reports that as a status, the process starts as without it.
 */
function enable(): void {
  const setting = process.env.MMS_COMPILE_CACHE_DIR;
  if (setting === "off") return;
  try {
    enableCompileCache(setting || join(tmpdir(), "mms-compile-cache"));
  } catch {
    // Never a reason not to start.
  }
}

enable();
