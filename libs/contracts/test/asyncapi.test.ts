import { readFileSync } from "node:fs";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";
import Ajv from "ajv";
import { AUDIT_EVENT_TYPES } from "../src/events";
import { ExecutionReportSchemas } from "../src/execution-reports";
import { OrderIntentSchemas } from "../src/orders";
import { SymbolName } from "../src/primitives";
import { ASYNCAPI_PATH, renderAsyncApi } from "../../../scripts/asyncapi/generate";
import { MARKET_DATA_EXAMPLES } from "./contract-examples";

const committed = readFileSync(ASYNCAPI_PATH, "utf8");

async function parsed() {
  const { document, diagnostics } = await new Parser().parse(committed);
  return { document, errors: diagnostics.filter((diagnostic) => diagnostic.severity === DiagnosticSeverity.Error) };
}

test("docs/asyncapi.yaml is what npm run asyncapi generates from the contracts now", () => {
  expect(committed).toBe(renderAsyncApi());
});

test("the official AsyncAPI parser reads docs/asyncapi.yaml as a valid 3.0 document without errors", async () => {
  const { document, errors } = await parsed();
  expect(errors.map((error) => `${error.path.join(".")}: ${error.message}`)).toEqual([]);
  expect(document?.version()).toBe("3.0.0");
});

test("every subject of the contract is a channel, with the messages of its schemas", async () => {
  const { document } = await parsed();
  const addresses = new Map(document!.channels().all().map((channel) => [channel.address(), channel.messages().all().map((message) => message.name())]));
  expect(addresses.get("md.{symbol}.snapshot")).toEqual(["BookSnapshot"]);
  expect(addresses.get("md.{symbol}.delta")).toEqual(["BookDelta"]);
  expect(addresses.get("md.{symbol}.trade")).toEqual(["PublicTrade"]);
  expect(addresses.get("md.{symbol}.status")).toEqual(["MarketStatus"]);
  expect(addresses.get("md.{symbol}.snapshot.get")).toEqual(["Empty"]);
  expect(addresses.get("orders.{symbol}")).toHaveLength(Object.keys(OrderIntentSchemas).length);
  expect(addresses.get("exec.{account}.{symbol}")).toHaveLength(Object.keys(ExecutionReportSchemas).length);
  expect(addresses.get("mms.control.{symbol}.{command}")).toEqual(["ControlBody", "Empty"]);
  expect(addresses.get("mms.control.all.{command}")).toEqual(["ControlBody", "Empty"]);
  expect(addresses.get("mms.status")).toEqual(["Empty"]);
  for (const type of AUDIT_EVENT_TYPES) expect(addresses.get(`mms.events.{symbol}.${type}`)).toHaveLength(1);
});

test("request/reply subjects declare their reply messages", async () => {
  const { document } = await parsed();
  const replyOf = (id: string) => document!.operations().get(id)?.reply()?.messages().all().map((message) => message.name());
  expect(replyOf("requestSnapshot")).toEqual(["BookSnapshot"]);
  expect(replyOf("receiveSymbolControl")).toEqual(["ControlReply"]);
  expect(replyOf("receiveAllControl")).toEqual(["ControlReply"]);
  expect(replyOf("answerStatus")).toEqual(["StatusReply"]);
});

test("the symbol parameter carries the contract's pattern", async () => {
  const { document } = await parsed();
  const parameter = document!.channels().all().find((channel) => channel.address() === "orders.{symbol}")!.parameters().get("symbol")!;
  expect(parameter.extensions().get("x-pattern")?.value()).toBe(SymbolName.pattern);
  expect(new RegExp(SymbolName.pattern!).test((parameter.json() as { examples: string[] }).examples[0]!)).toBe(true);
});

test("a payload schema of the document accepts the contract's example and refuses a number for a price", async () => {
  const { document } = await parsed();
  const payload = document!.components().messages().get("BookSnapshot")!.payload()!.json();
  const validate = new Ajv({ strict: false }).compile(payload);
  expect(validate(MARKET_DATA_EXAMPLES.snapshot)).toBe(true);
  expect(validate({ ...MARKET_DATA_EXAMPLES.snapshot, bids: [[50000, "1"]] })).toBe(false);
});
