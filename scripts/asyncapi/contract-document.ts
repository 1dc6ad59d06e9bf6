import type { TSchema } from "@sinclair/typebox";
import {
  AccountName,
  AUDIT_EVENT_TYPES,
  AuditEventSchemas,
  BookDelta,
  BookSnapshot,
  CONTROL_COMMANDS,
  ControlBody,
  INSTANCE_COMMANDS,
  ControlReply,
  ExecutionReportSchemas,
  MarketStatus,
  OrderIntentSchemas,
  PublicTrade,
  StatusReply,
  SymbolName,
} from "@mms/contracts";

/**
 * The contract as an AsyncAPI 3.0 document, built only from the TypeBox schemas and
 * subject names of @mms/contracts: regenerate it (`npm run asyncapi`) and it cannot drift.
 * Operations are written from the MMS's side: `receive` is what it consumes, `send` what it publishes.
 */
export function contractDocument(version: string): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};

  const message = (name: string, schema: TSchema | undefined, summary: string, extra: Record<string, unknown> = {}) => {
    if (schema !== undefined) schemas[name] = plainJsonSchema(schema);
    messages[name] = { name, title: name, summary, contentType: "application/json", ...extra, ...(schema !== undefined ? { payload: { $ref: `#/components/schemas/${name}` } } : {}) };
    return { $ref: `#/components/messages/${name}` };
  };
  const channel = (id: string, address: string | null, description: string, channelMessages: Record<string, unknown>) => {
    const parameterNames = address === null ? [] : [...address.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
    channels[id] = {
      address,
      description,
      messages: channelMessages,
      ...(parameterNames.length > 0 ? { parameters: Object.fromEntries(parameterNames.map((name) => [name, { $ref: `#/components/parameters/${name}` }])) } : {}),
    };
    return id;
  };
  const operation = (id: string, action: "send" | "receive", channelId: string, summary: string, reply?: { channel: string; message: string }) => {
    const channelMessages = Object.keys((channels[channelId] as { messages: Record<string, unknown> }).messages);
    operations[id] = {
      action,
      channel: { $ref: `#/channels/${channelId}` },
      summary,
      messages: channelMessages.map((name) => ({ $ref: `#/channels/${channelId}/messages/${name}` })),
      ...(reply !== undefined ? { reply: { channel: { $ref: `#/channels/${reply.channel}` }, messages: [{ $ref: `#/channels/${reply.channel}/messages/${reply.message}` }] } } : {}),
    };
  };

  const empty = message("Empty", undefined, "An empty body.", { contentType: "application/octet-stream" });
  const traceHeaders = { type: "object", properties: { traceparent: { type: "string", description: "W3C trace context, when the sender traces" } } };

  // Market data: exchange to MMS, core NATS.
  const marketData: [id: string, suffix: string, name: string, schema: TSchema, summary: string][] = [
    ["marketDataSnapshot", "snapshot", "BookSnapshot", BookSnapshot, "A full book; bids and asks best level first."],
    ["marketDataDelta", "delta", "BookDelta", BookDelta, "Changed levels; qty \"0\" removes a level. seq is the previous seq + 1."],
    ["marketDataTrade", "trade", "PublicTrade", PublicTrade, "A public trade."],
    ["marketDataStatus", "status", "MarketStatus", MarketStatus, "Market status, on every change and at least once a second; seq is the book's latest."],
  ];
  for (const [id, suffix, name, schema, summary] of marketData) {
    channel(id, `md.{symbol}.${suffix}`, summary, { [lowerFirst(name)]: message(name, schema, summary) });
    operation(`receive${upperFirst(id)}`, "receive", id, `The MMS consumes ${suffix} messages of every symbol it runs.`);
  }
  channel("snapshotRequest", "md.{symbol}.snapshot.get", "Request/reply: asks the exchange for a fresh book (after a gap).", { empty });
  channel("snapshotReply", null, "The reply inbox of a snapshot request.", { bookSnapshot: { $ref: "#/components/messages/BookSnapshot" } });
  operation("requestSnapshot", "send", "snapshotRequest", "The MMS asks for a fresh book after a gap.", { channel: "snapshotReply", message: "bookSnapshot" });

  // Orders: MMS to the gateway, JetStream stream ORDERS on orders.>.
  const orderHeaders = {
    type: "object",
    required: ["Nats-Msg-Id"],
    properties: { "Nats-Msg-Id": { type: "string", description: "The intentId: JetStream duplicate suppression" }, ...traceHeaders.properties },
  };
  channel(
    "orders",
    "orders.{symbol}",
    "JetStream stream ORDERS. Every intent is a JetStream publish; no ack in time is a failed submission.",
    Object.fromEntries(Object.entries(OrderIntentSchemas).map(([kind, schema]) => [lowerFirst(camel(`order_${kind}`)), message(camel(`order_${kind}`), schema, `A ${kind} intent.`, { headers: orderHeaders })])),
  );
  operation("sendOrderIntent", "send", "orders", "The MMS publishes its intents; every order carries tag MM.");

  // Execution reports: exchange to MMS, JetStream stream EXEC on exec.>.
  channel(
    "executionReports",
    "exec.{account}.{symbol}",
    "JetStream stream EXEC, replayed at start-up to rebuild inventory; a report seen twice changes nothing.",
    Object.fromEntries(Object.entries(ExecutionReportSchemas).map(([kind, schema]) => [lowerFirst(camel(`report_${kind}`)), message(camel(`report_${kind}`), schema, `A ${kind} execution report.`, { headers: traceHeaders })])),
  );
  operation("receiveExecutionReport", "receive", "executionReports", "The MMS replays and then follows the reports of its account.");

  // Control and status: people to MMS, core NATS request/reply.
  const controlBody = message("ControlBody", ControlBody, "operator and reason are required except for kill and pause; shadow also takes enabled.", { headers: traceHeaders });
  channel("controlReply", null, "The reply inbox of a control request.", { controlReply: message("ControlReply", ControlReply, "The outcome per symbol, or ok false with an error.") });
  channel("controlSymbol", "mms.control.{symbol}.{command}", "A control command for one symbol; no reply from an instance that does not run it.", { controlBody, empty });
  operation("receiveSymbolControl", "receive", "controlSymbol", "On-call controls one symbol.", { channel: "controlReply", message: "controlReply" });
  channel("controlAll", "mms.control.all.{command}", "A control command for every symbol of every running instance.", { controlBody, empty });
  operation("receiveAllControl", "receive", "controlAll", "On-call controls every symbol (e.g. the emergency kill).", { channel: "controlReply", message: "controlReply" });
  channel("controlInstance", "mms.control.instance.{instanceName}.{instanceCommand}", "An MMS addition: a command for one whole instance; drain pauses every symbol there and releases its ownership leases for a standby. No reply from another instance.", { controlBody, empty });
  operation("receiveInstanceControl", "receive", "controlInstance", "On-call drains one instance before a deploy.", { channel: "controlReply", message: "controlReply" });
  channel("statusRequest", "mms.status", "Request/reply with an empty body; every instance answers.", { empty });
  channel("statusReply", null, "The reply inbox of a status request.", { statusReply: message("StatusReply", StatusReply, "The instance and the state of each of its symbols.") });
  operation("answerStatus", "receive", "statusRequest", "Every instance answers with its symbols.", { channel: "statusReply", message: "statusReply" });

  // Audit events: MMS to JetStream stream MMS_EVENTS on mms.events.>.
  for (const type of AUDIT_EVENT_TYPES) {
    const id = `auditEvent${upperFirst(type)}`;
    const name = `${upperFirst(type)}Event`;
    channel(id, `mms.events.{symbol}.${type}`, `Audit events of type ${type} (JetStream stream MMS_EVENTS).`, { [lowerFirst(name)]: message(name, AuditEventSchemas[type], `A ${type} audit event.`) });
    operation(`send${upperFirst(id)}`, "send", id, `The MMS records every ${type} event, in seq order per symbol and instance.`);
  }

  return {
    asyncapi: "3.0.0",
    info: {
      title: "Market Maker Service",
      version,
      description: "The NATS interface of the MMS: market data and execution reports it consumes, order intents and audit events it publishes, control and status it answers. Prices, quantities, fees and PnL are decimal strings; ts is milliseconds since the Unix epoch.",
    },
    defaultContentType: "application/json",
    servers: { nats: { host: "localhost:4222", protocol: "nats", description: "A NATS server with JetStream." } },
    channels,
    operations,
    components: {
      parameters: {
        symbol: subjectToken(SymbolName, "A symbol, one subject token.", "BTCUSDT-PERP"),
        account: subjectToken(AccountName, "The trading account (SYSTEM_MARKET_MAKER unless the config names another).", "SYSTEM_MARKET_MAKER"),
        command: { description: "A control command.", enum: [...CONTROL_COMMANDS], examples: ["resume"] },
        instanceName: { description: "The instance name of the config (the ownership lease owner), or the run-unique instance of mms.status.", examples: ["mms-a-0"] },
        instanceCommand: { description: "A command for a whole instance.", enum: [...INSTANCE_COMMANDS], examples: ["drain"] },
      },
      schemas,
      messages,
    },
  };
}

/** AsyncAPI 3.0 parameters take no schema: the pattern is kept as an extension and in the text. */
function subjectToken(schema: TSchema, description: string, example: string): Record<string, unknown> {
  const pattern = (schema as { pattern?: string }).pattern;
  return { description: `${description} Matches ${pattern}.`, examples: [example], "x-pattern": pattern };
}

/** TypeBox keeps its bookkeeping under symbol keys, which JSON drops: what is left is plain JSON Schema. */
function plainJsonSchema(schema: TSchema): unknown {
  return JSON.parse(JSON.stringify(schema)) as unknown;
}

function camel(text: string): string {
  return text
    .toLowerCase()
    .split("_")
    .map(upperFirst)
    .join("");
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
