import type { ServiceConfig } from "@mms/contracts/runtime";
import { configPathFrom, loadConfig } from "./config-file";

/** A wildcard listen address is reached on loopback; any other host as written. */
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]"]);

/** Where the service's /healthz answers, from its own config (port 0 picks a random port: no URL). */
export function healthUrlOf(http: ServiceConfig["http"]): string | undefined {
  if (http.port === 0) return undefined;
  const host = WILDCARD_HOSTS.has(http.host) ? "127.0.0.1" : http.host.includes(":") ? `[${http.host}]` : http.host;
  return `http://${host}:${http.port}/healthz`;
}

/**
 * `node apps/mms/dist/healthcheck.js --config PATH` (or MMS_CONFIG): the image's HEALTHCHECK.
 * It reads the same config as the service, so it follows whatever http.port is configured.
 * Exit 0 healthy, 1 otherwise (with the reason on stderr, which `docker inspect` shows).
 */
export async function checkHealth(argv: readonly string[], env: NodeJS.ProcessEnv, fetchHealth: (url: string) => Promise<{ ok: boolean; status: number }> = (url) => fetch(url, { signal: AbortSignal.timeout(2000) })): Promise<{ code: 0 | 1; detail: string }> {
  const loaded = loadConfig(configPathFrom(argv, env), env);
  if (!loaded.ok) return { code: 1, detail: `config not loadable: ${loaded.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}` };
  const url = healthUrlOf(loaded.config.http);
  if (!url) return { code: 1, detail: "http.port is 0 (random): set a fixed port for a health check" };
  try {
    const response = await fetchHealth(url);
    return response.ok ? { code: 0, detail: `${url} ${response.status}` } : { code: 1, detail: `${url} answered ${response.status}` };
  } catch (error) {
    return { code: 1, detail: `${url} unreachable: ${String(error)}` };
  }
}

if (require.main === module) {
  void checkHealth(process.argv.slice(2), process.env).then(({ code, detail }) => {
    (code === 0 ? process.stdout : process.stderr).write(`${detail}\n`);
    process.exit(code);
  });
}
