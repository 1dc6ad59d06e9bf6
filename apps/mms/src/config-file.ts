import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { parseServiceConfig, type ServiceConfig, type ValidationIssue } from "@mms/contracts";

export type ConfigLoadResult = { readonly ok: true; readonly config: ServiceConfig; readonly path: string } | { readonly ok: false; readonly path: string | undefined; readonly issues: readonly ValidationIssue[] };

/** `--config PATH` wins over `MMS_CONFIG`. */
export function configPathFrom(argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const index = argv.indexOf("--config");
  if (index >= 0) return argv[index + 1];
  const inline = argv.find((argument) => argument.startsWith("--config="));
  if (inline) return inline.slice("--config=".length);
  return env.MMS_CONFIG || undefined;
}

/**
 * Reads and validates the config file, then applies the environment: secrets come from
 * the environment (a Kubernetes Secret), never from the file a ConfigMap holds.
 */
export function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv): ConfigLoadResult {
  if (!path) return { ok: false, path, issues: [{ path: "/", message: "no config file: pass --config PATH or set MMS_CONFIG" }] };
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return { ok: false, path, issues: [{ path: "/", message: `cannot read ${path}: ${(error as Error).message}` }] };
  }
  const parsed = parseServiceConfig(text, { defaultInstanceName: env.MMS_INSTANCE_NAME || hostname(), natsUrlOverride: env.NATS_URL });
  if (!parsed.ok) return { ok: false, path, issues: parsed.issues };
  return { ok: true, path, config: applyEnvironment(parsed.value, env) };
}

function applyEnvironment(config: ServiceConfig, env: NodeJS.ProcessEnv): ServiceConfig {
  const level = env.MMS_LOG_LEVEL;
  return {
    ...config,
    instanceName: env.MMS_INSTANCE_NAME || config.instanceName,
    nats: natsWithEnvironment(config.nats, env),
    logging: level === "error" || level === "warn" || level === "info" || level === "debug" ? { level } : config.logging,
  };
}

/** Credentials and TLS files from the environment over the given NATS settings (also for the CLI's tools). */
export function natsWithEnvironment(settings: ServiceConfig["nats"], env: NodeJS.ProcessEnv): ServiceConfig["nats"] {
  const nats = { ...settings };
  if (env.NATS_USER) nats.user = env.NATS_USER;
  if (env.NATS_PASSWORD) nats.password = env.NATS_PASSWORD;
  if (env.NATS_TOKEN) nats.token = env.NATS_TOKEN;
  if (env.NATS_CREDS_FILE) nats.credsFile = env.NATS_CREDS_FILE;
  if (env.NATS_NKEY_SEED_FILE) nats.nkeySeedFile = env.NATS_NKEY_SEED_FILE;
  // TLS files usually come from a mounted Secret too.
  const tls = { ...nats.tls };
  if (env.NATS_TLS_CA_FILE) tls.caFile = env.NATS_TLS_CA_FILE;
  if (env.NATS_TLS_CERT_FILE) tls.certFile = env.NATS_TLS_CERT_FILE;
  if (env.NATS_TLS_KEY_FILE) tls.keyFile = env.NATS_TLS_KEY_FILE;
  if (Object.keys(tls).length > 0) nats.tls = tls;
  return nats;
}
