import { symbolConfig } from "@mms/test-support";
import { parseServiceConfig } from "../src/config-loader";
import { formatIssues } from "../src/validation";
import { type ServiceConfig, type ServiceConfigInput } from "../src/config";
import { CONFIG_YAML_EXAMPLE } from "./contract-examples";

const context = { defaultInstanceName: "host-1" };

function parsed(text: string, natsUrlOverride?: string): ServiceConfig {
  const result = parseServiceConfig(text, { ...context, natsUrlOverride });
  if (!result.ok) throw new Error(formatIssues(result.issues));
  return result.value;
}

type EditableConfig = ServiceConfigInput & { symbols: [ServiceConfigInput["symbols"][number], ...ServiceConfigInput["symbols"]] };

/** The contract's YAML as JSON, to edit one field per case. */
function exampleWith(edit: (config: EditableConfig) => void): string {
  const config = JSON.parse(JSON.stringify(parsed(CONFIG_YAML_EXAMPLE))) as EditableConfig;
  edit(config);
  return JSON.stringify(config);
}

function issuesOf(text: string): string[] {
  const result = parseServiceConfig(text, context);
  return result.ok ? [] : result.issues.map((issue) => `${issue.path} ${issue.message}`);
}

describe("parseServiceConfig", () => {
  it("accepts the YAML example of CONTRACT.md verbatim and keeps its values", () => {
    const config = parsed(CONFIG_YAML_EXAMPLE);
    expect(config).toMatchObject({
      account: "SYSTEM_MARKET_MAKER",
      instanceName: "mms-0",
      leaseMs: 10000,
      nats: { servers: ["nats://127.0.0.1:4222"] },
      http: { port: 8080 },
      risk: { maxTotalExposure: "250000", maxDrawdown: "5000", rejectStorm: { count: 5, windowMs: 10000 }, maxLagMs: 2000 },
    });
    expect(config.symbols).toEqual([symbolConfig("BTCUSDT-PERP", { maxOrdersPerSecond: 5 })]);
    expect(config.risk.maxOrderNotional).toBe("1000000");
  });

  it("accepts the same config written as JSON", () => {
    expect(parsed(exampleWith(() => undefined))).toEqual(parsed(CONFIG_YAML_EXAMPLE));
  });

  it("fills the defaults the contract names: account, instance from the host, deadManMs 5000, mode live", () => {
    const config = parsed(exampleWith((raw) => {
      delete raw.account;
      delete raw.instanceName;
      delete raw.symbols[0].deadManMs;
      delete raw.symbols[0].mode;
    }));
    expect(config).toMatchObject({ account: "SYSTEM_MARKET_MAKER", instanceName: "host-1", symbols: [{ deadManMs: 5000, mode: "live" }] });
  });

  it("derives the mmp quantity limits from the symbol's own quoteSize, exactly: 3 x and 2 x", () => {
    const config = parsed(exampleWith((raw) => {
      raw.symbols[0].quoteSize = "0.007";
      delete raw.symbols[0].mmp;
      raw.symbols.push({ ...raw.symbols[0], symbol: "ETHUSDT-PERP", quoteSize: "0.1", mmp: { maxFills: 10 } });
    }));
    expect(config.symbols.map((symbol) => symbol.mmp)).toEqual([
      { windowMs: 1000, maxFills: 6, maxFillQty: "0.021", maxNetQty: "0.014", frozenMs: 5000 },
      { windowMs: 1000, maxFills: 10, maxFillQty: "0.3", maxNetQty: "0.2", frozenMs: 5000 },
    ]);
  });

  it("keeps every protection field the file sets", () => {
    const config = parsed(exampleWith((raw) => {
      Object.assign(raw.symbols[0], { mmp: { windowMs: 500, maxFills: 3, maxFillQty: "1", maxNetQty: "0.5", frozenMs: 0 }, jumpBps: "0", jumpWindowMs: 250, orderAckTimeoutMs: 900, checkpointEvery: 10 });
      Object.assign(raw.risk, { maxOrderNotional: "2500.5" });
    }));
    expect(config.symbols[0]).toMatchObject({ mmp: { windowMs: 500, maxFills: 3, maxFillQty: "1", maxNetQty: "0.5", frozenMs: 0 }, jumpBps: "0", jumpWindowMs: 250, orderAckTimeoutMs: 900, checkpointEvery: 10 });
    expect(config.risk.maxOrderNotional).toBe("2500.5");
  });

  it("lets NATS_URL override the servers of the file", () => {
    expect(parsed(CONFIG_YAML_EXAMPLE, "nats://a:4222, nats://b:4222").nats.servers).toEqual(["nats://a:4222", "nats://b:4222"]);
  });

  it.each<[string, (config: EditableConfig) => void, string]>([
    ["an extra field at the top", (config) => Object.assign(config, { dryRun: true }), "/dryRun is not an allowed field"],
    ["an extra field in a symbol", (config) => Object.assign(config.symbols[0], { spreadBp: "10" }), "/symbols/0/spreadBp is not an allowed field"],
    ["an extra field in risk", (config) => Object.assign(config.risk, { maxLoss: "1" }), "/risk/maxLoss is not an allowed field"],
    ["a price step as a YAML/JSON number", (config) => Object.assign(config.symbols[0], { tickSize: 0.1 }), '/symbols/0/tickSize must be a positive decimal string in quotes, e.g. "0.1", never a JSON number'],
    ["a zero lot size", (config) => (config.symbols[0].lotSize = "0"), "/symbols/0/lotSize must be a positive decimal string"],
    ["a negative maxPosition", (config) => (config.symbols[0].maxPosition = "-1"), "/symbols/0/maxPosition must be a positive decimal string"],
    ["a lowercase symbol", (config) => (config.symbols[0].symbol = "btcusdt-perp"), "/symbols/0/symbol must be a symbol matching"],
    ["an unknown mode", (config) => Object.assign(config.symbols[0], { mode: "paper" }), '/symbols/0/mode must be one of "live", "shadow"'],
    ["a missing risk section", (config) => Reflect.deleteProperty(config, "risk"), "/risk is required"],
    ["a missing tickSize", (config) => Reflect.deleteProperty(config.symbols[0], "tickSize"), "/symbols/0/tickSize is required"],
    ["no symbols", (config) => Object.assign(config, { symbols: [] }), "/symbols must NOT have fewer than 1 items"],
    ["a server that is not a NATS URL", (config) => (config.nats.servers = ["http://x:4222"]), "/nats/servers/0 must be a string matching"],
    ["quoteSize not a multiple of lotSize", (config) => (config.symbols[0].quoteSize = "0.0105"), "/symbols/0/quoteSize must be a multiple of lotSize 0.001"],
    ["quoteSize above maxPosition", (config) => (config.symbols[0].quoteSize = "2.000"), "/symbols/0/quoteSize must not exceed maxPosition 1.0"],
    ["a zero mmp window", (config) => Object.assign(config.symbols[0], { mmp: { windowMs: 0 } }), "/symbols/0/mmp/windowMs must be >= 1"],
    ["an mmp fill count of zero", (config) => Object.assign(config.symbols[0], { mmp: { maxFills: 0 } }), "/symbols/0/mmp/maxFills must be >= 1"],
    ["an mmp quantity as a number", (config) => Object.assign(config.symbols[0], { mmp: { maxFillQty: 1 } }), "/symbols/0/mmp/maxFillQty must be a positive decimal string"],
    ["a zero mmp net quantity", (config) => Object.assign(config.symbols[0], { mmp: { maxNetQty: "0" } }), "/symbols/0/mmp/maxNetQty must be a positive decimal string"],
    ["an unknown mmp field", (config) => Object.assign(config.symbols[0], { mmp: { maxFill: 3 } }), "/symbols/0/mmp/maxFill is not an allowed field"],
    ["a negative jumpBps", (config) => Object.assign(config.symbols[0], { jumpBps: "-1" }), "/symbols/0/jumpBps must be a non-negative decimal string"],
    ["a jumpBps of 10000 or more", (config) => Object.assign(config.symbols[0], { jumpBps: "10000" }), "/symbols/0/jumpBps must be below 10000"],
    ["a zero jumpWindowMs", (config) => Object.assign(config.symbols[0], { jumpWindowMs: 0 }), "/symbols/0/jumpWindowMs must be >= 1"],
    ["a zero orderAckTimeoutMs", (config) => Object.assign(config.symbols[0], { orderAckTimeoutMs: 0 }), "/symbols/0/orderAckTimeoutMs must be >= 1"],
    ["a fractional checkpointEvery", (config) => Object.assign(config.symbols[0], { checkpointEvery: 1.5 }), "/symbols/0/checkpointEvery must be integer"],
    ["a zero maxOrderNotional", (config) => Object.assign(config.risk, { maxOrderNotional: "0" }), "/risk/maxOrderNotional must be a positive decimal string"],
    ["a token together with a user", (config) => Object.assign(config.nats, { token: "t", user: "u" }), "/nats/token cannot be combined with user"],
  ])("refuses %s, naming the path", (_name, edit, expected) => {
    expect(issuesOf(exampleWith(edit)).join("\n")).toContain(expected);
  });

  it("refuses duplicate symbols and points at the repeat and the original", () => {
    const text = exampleWith((config) => config.symbols.push({ ...config.symbols[0] }));
    expect(issuesOf(text)).toEqual(["/symbols/1/symbol repeats BTCUSDT-PERP of /symbols/0"]);
  });

  it("lists every issue at once, not only the first", () => {
    const text = exampleWith((config) => {
      Object.assign(config, { extra: 1 });
      Object.assign(config.symbols[0], { tickSize: 0.1 });
      Reflect.deleteProperty(config.symbols[0], "staleMs");
    });
    expect(issuesOf(text)).toHaveLength(3);
  });

  it.each([
    ["text that is not YAML", "symbols: [unclosed", "/ is not valid YAML or JSON"],
    ["a duplicate key", `${CONFIG_YAML_EXAMPLE}leaseMs: 20000\n`, "/ is not valid YAML or JSON"],
    ["an empty file", "", "/ must be object"],
  ])("refuses %s with a message at the root", (_name, text, expected) => {
    expect(issuesOf(text).join("\n")).toContain(expected);
  });
});
