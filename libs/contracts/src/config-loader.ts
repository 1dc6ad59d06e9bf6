import Big from "big.js";
import type * as Yaml from "yaml";
import { CONFIG_DEFAULTS, ServiceConfig as ServiceConfigSchema, type MmpConfig, type ServiceConfig, type ServiceConfigInput, type SymbolConfig, type SymbolConfigInput } from "./config";
import { compileValidator, type Validated, type ValidationIssue } from "./validation";

let configValidator: ReturnType<typeof compileValidator<typeof ServiceConfigSchema>> | undefined;
// Compiled on first use: only the coordinator (and tools) read a config file.
const validateConfigShape = (raw: unknown) => (configValidator ??= compileValidator(ServiceConfigSchema))(raw);

export interface ConfigContext {
  /** Used when the file names no instance: the host name, injected by the shell. */
  readonly defaultInstanceName: string;
  /** NATS_URL from the environment overrides the file's servers. */
  readonly natsUrlOverride?: string | undefined;
}

// The package is built without Node's types (it is pure); CommonJS gives every module `require`.
declare const require: (id: "yaml") => unknown;
let yaml: typeof Yaml | undefined;
/**
 * Loaded on first use: every symbol worker imports this package but never reads a config
 * file, and loading the YAML parser cost each one about 100 ms of CPU at start-up.
 */
const loadYaml = (): typeof Yaml => (yaml ??= require("yaml") as typeof Yaml);

/** YAML or JSON text to a validated config with defaults applied, or every issue found. */
export function parseServiceConfig(text: string, context: ConfigContext): Validated<ServiceConfig> {
  let raw: unknown;
  try {
    raw = loadYaml().parse(text, { prettyErrors: true, maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, issues: [{ path: "/", message: `is not valid YAML or JSON (${(error as Error).message.split("\n")[0]})` }] };
  }
  return validateServiceConfig(raw, context);
}

export function validateServiceConfig(raw: unknown, context: ConfigContext): Validated<ServiceConfig> {
  const shaped = validateConfigShape(raw);
  if (!shaped.ok) return shaped;
  const issues = semanticIssues(shaped.value);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: withDefaults(shaped.value, context) };
}

function semanticIssues(config: ServiceConfigInput): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Map<string, number>();
  config.symbols.forEach((symbol, index) => {
    const path = `/symbols/${index}`;
    const earlier = seen.get(symbol.symbol);
    if (earlier !== undefined) issues.push({ path: `${path}/symbol`, message: `repeats ${symbol.symbol} of /symbols/${earlier}` });
    seen.set(symbol.symbol, index);
    if (!new Big(symbol.quoteSize).mod(symbol.lotSize).eq(0)) issues.push({ path: `${path}/quoteSize`, message: `must be a multiple of lotSize ${symbol.lotSize}` });
    if (new Big(symbol.quoteSize).gt(symbol.maxPosition)) issues.push({ path: `${path}/quoteSize`, message: `must not exceed maxPosition ${symbol.maxPosition}` });
    if (new Big(symbol.spreadBps).gte(20000)) issues.push({ path: `${path}/spreadBps`, message: "must be below 20000 (a bid at or below zero)" });
    if (new Big(symbol.bandBps).gte(10000)) issues.push({ path: `${path}/bandBps`, message: "must be below 10000" });
    // A jump of 10000 bps or more from a positive mid can never happen downward: the stop would be half off.
    if (symbol.jumpBps !== undefined && new Big(symbol.jumpBps).gte(10000)) issues.push({ path: `${path}/jumpBps`, message: "must be below 10000 (\"0\" turns the stop off)" });
  });
  if (config.nats.token !== undefined && config.nats.user !== undefined) issues.push({ path: "/nats/token", message: "cannot be combined with user" });
  return issues;
}

function withDefaults(config: ServiceConfigInput, context: ConfigContext): ServiceConfig {
  const override = context.natsUrlOverride?.trim();
  return {
    account: config.account ?? CONFIG_DEFAULTS.account,
    instanceName: config.instanceName ?? context.defaultInstanceName,
    leaseMs: config.leaseMs ?? CONFIG_DEFAULTS.leaseMs,
    nats: override ? { ...config.nats, servers: override.split(",").map((server) => server.trim()) } : config.nats,
    http: { port: config.http?.port ?? CONFIG_DEFAULTS.httpPort, host: config.http?.host ?? CONFIG_DEFAULTS.httpHost },
    logging: { level: config.logging?.level ?? CONFIG_DEFAULTS.logLevel },
    shutdownTimeoutMs: config.shutdownTimeoutMs ?? CONFIG_DEFAULTS.shutdownTimeoutMs,
    risk: { ...config.risk, maxOrderNotional: config.risk.maxOrderNotional ?? CONFIG_DEFAULTS.maxOrderNotional },
    symbols: config.symbols.map(symbolWithDefaults),
  };
}

/** One symbol's config with every default filled in, as the loader does it. */
export function symbolWithDefaults(symbol: SymbolConfigInput): SymbolConfig {
  return {
    ...symbol,
    mode: symbol.mode ?? CONFIG_DEFAULTS.mode,
    deadManMs: symbol.deadManMs ?? CONFIG_DEFAULTS.deadManMs,
    mmp: mmpWithDefaults(symbol),
    jumpBps: symbol.jumpBps ?? CONFIG_DEFAULTS.jumpBps,
    jumpWindowMs: symbol.jumpWindowMs ?? CONFIG_DEFAULTS.jumpWindowMs,
    orderAckTimeoutMs: symbol.orderAckTimeoutMs ?? CONFIG_DEFAULTS.orderAckTimeoutMs,
    checkpointEvery: symbol.checkpointEvery ?? CONFIG_DEFAULTS.checkpointEvery,
  };
}

/** The quantity limits scale with the symbol's own quoteSize, exactly (big.js), when left out. */
function mmpWithDefaults(symbol: SymbolConfigInput): MmpConfig {
  const defaults = CONFIG_DEFAULTS.mmp;
  const quoteSize = new Big(symbol.quoteSize);
  return {
    windowMs: symbol.mmp?.windowMs ?? defaults.windowMs,
    maxFills: symbol.mmp?.maxFills ?? defaults.maxFills,
    maxFillQty: symbol.mmp?.maxFillQty ?? quoteSize.times(defaults.maxFillQtyQuoteSizes).toFixed(),
    maxNetQty: symbol.mmp?.maxNetQty ?? quoteSize.times(defaults.maxNetQtyQuoteSizes).toFixed(),
    frozenMs: symbol.mmp?.frozenMs ?? defaults.frozenMs,
  };
}
