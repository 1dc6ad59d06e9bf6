import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { contractDocument } from "./contract-document";

export const ASYNCAPI_PATH = join(__dirname, "../../docs/asyncapi.yaml");
const HEADER = "# Generated from the TypeBox schemas of libs/contracts by `npm run asyncapi`; do not edit.\n";

/** The text of docs/asyncapi.yaml as the contracts define it now. */
export function renderAsyncApi(): string {
  const { version } = JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")) as { version: string };
  return HEADER + stringify(contractDocument(version), { lineWidth: 0, aliasDuplicateObjects: false });
}

if (require.main === module) {
  writeFileSync(ASYNCAPI_PATH, renderAsyncApi());
  console.log(`wrote ${ASYNCAPI_PATH}`);
}
