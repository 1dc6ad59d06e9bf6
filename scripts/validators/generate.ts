import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { TSchema } from "@sinclair/typebox";
import { AJV_OPTIONS } from "../../libs/contracts/src/validation";
import { generatedModuleName, SINGLE_EXPORT, VALIDATOR_SCHEMAS, type UnionSchemas, type ValidatorName } from "../../libs/contracts/src/validator-schemas";

export const GENERATED_DIR = join(__dirname, "../../libs/contracts/src/generated");
const HEADER = [
  "// Generated from the TypeBox schemas of libs/contracts (src/validator-schemas.ts) by `npm run validators`",
  "// with ajv standalone; do not edit. A unit test fails when this is not what the schemas give now.",
  "// @ts-nocheck",
  "/* eslint-disable */",
  "",
].join("\n");

// The contracts' own ajv 8 (the root node_modules holds ajv 6, for eslint): typed here by the part used.
interface Ajv {
  addSchema(schema: TSchema, key: string): Ajv;
}
const contractsRequire = createRequire(join(__dirname, "../../libs/contracts/package.json"));
const AjvClass = (contractsRequire("ajv") as { default: new (options: object) => Ajv }).default;
const standaloneCode = (contractsRequire("ajv/dist/standalone") as { default: (ajv: Ajv, refs: Record<string, string>) => string }).default;

/** name -> source of one generated module: `validate`, or one check per discriminant value of a union. */
function renderModule(name: ValidatorName): string {
  const ajv = new AjvClass({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  const schema: TSchema | UnionSchemas = VALIDATOR_SCHEMAS[name];
  const branches: Record<string, TSchema> = "discriminant" in schema ? schema.schemas : { [SINGLE_EXPORT]: schema };
  const exports: Record<string, string> = {};
  for (const [exportName, branch] of Object.entries(branches)) {
    ajv.addSchema(branch, `${name}/${exportName}`);
    exports[exportName] = `${name}/${exportName}`;
  }
  return `${HEADER}${standaloneCode(ajv, exports)}\n`;
}

/**
 * What validators.ts needs to know of each validator without the schemas: its module, the
 * checks it exports and, for a union, the field that picks one. A symbol worker thus never
 * loads TypeBox nor builds a schema.
 */
function renderShapes(): string {
  const lines = (Object.keys(VALIDATOR_SCHEMAS) as ValidatorName[]).map((name) => {
    const schema: TSchema | UnionSchemas = VALIDATOR_SCHEMAS[name];
    const shape = "discriminant" in schema ? { module: generatedModuleName(name), discriminant: schema.discriminant, branches: Object.keys(schema.schemas) } : { module: generatedModuleName(name), branches: [SINGLE_EXPORT] };
    return `  ${name}: ${JSON.stringify(shape).replace(/"(\w+)":/g, "$1: ").replace(/,/g, ", ").replace(/^\{/, "{ ").replace(/\}$/, " }")},`;
  });
  return [
    "// Generated from src/validator-schemas.ts by `npm run validators`; do not edit. A unit test fails when this is not what the schemas give now.",
    "",
    "/** Each validator's generated module and the checks it exports; a union's checks are one per value of its discriminant. */",
    "export const VALIDATOR_SHAPES = {",
    ...lines,
    "} as const;",
    "",
  ].join("\n");
}

export const SHAPES_FILE = "validator-shapes.ts";

/** File name -> text of every generated module, as the schemas define them now. */
export function renderValidators(): Map<string, string> {
  const modules = (Object.keys(VALIDATOR_SCHEMAS) as ValidatorName[]).map((name): [string, string] => [`${generatedModuleName(name)}.ts`, renderModule(name)]);
  return new Map([...modules, [SHAPES_FILE, renderShapes()]]);
}

if (require.main === module) {
  mkdirSync(GENERATED_DIR, { recursive: true });
  const files = renderValidators();
  for (const stale of readdirSync(GENERATED_DIR).filter((file) => !files.has(file))) rmSync(join(GENERATED_DIR, stale));
  for (const [file, text] of files) writeFileSync(join(GENERATED_DIR, file), text);
  console.log(`wrote ${files.size} validators to ${GENERATED_DIR}`);
}
