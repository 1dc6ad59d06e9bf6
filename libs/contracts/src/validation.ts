import type { default as Ajv, ErrorObject, Options, ValidateFunction } from "ajv";
import type { Static, TSchema } from "@sinclair/typebox";

// The CommonJS loader's own function: ajv loads only where a schema is compiled at run time.
declare const require: (id: string) => unknown;

/** One thing wrong with a message: where (a JSON pointer, "/" for the root) and what. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

export interface Validator<T> {
  (input: unknown): Validated<T>;
}

/** The options of every ajv compile, at run time and in the generated validators (verbose: the messages read the schema's description). */
export const AJV_OPTIONS: Readonly<Options> = { allErrors: true, strict: true, allowUnionTypes: true, verbose: true };

let ajv: Ajv | undefined;
/**
 * The message validators are generated at build time (validators.ts), so a symbol worker
 * never loads ajv's compiler: only the config, recordings and tools compile schemas here.
 */
function compiler(): Ajv {
  if (ajv) return ajv;
  const { default: AjvClass } = require("ajv") as { default: new (options: Options) => Ajv };
  return (ajv = new AjvClass({ ...AJV_OPTIONS }));
}

function describe(error: ErrorObject): ValidationIssue {
  const path = error.instancePath === "" ? "/" : error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperty":
    case "additionalProperties":
      return { path: `${error.instancePath}/${String(params.additionalProperty)}`, message: "is not an allowed field" };
    case "required":
      return { path: `${error.instancePath}/${String(params.missingProperty)}`, message: "is required" };
    case "const":
      return { path, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case "type":
      if (describedAs(error) !== undefined) return { path, message: `must be a ${describedAs(error)} in quotes, e.g. "0.1", never a JSON number` };
      return { path, message: error.message ?? "has the wrong type" };
    case "pattern":
      return { path, message: patternMessage(error, String(params.pattern)) };
    default:
      return { path, message: error.message ?? error.keyword };
  }
}

/** "must be a positive decimal string"; other patterns are shown, e.g. "must be a symbol matching ^[A-Z0-9]...$". */
function patternMessage(error: ErrorObject, pattern: string): string {
  const schema = error.parentSchema as { description?: unknown } | undefined;
  if (typeof schema?.description !== "string") return `must be a string matching ${pattern}`;
  const article = /^[aeiou]/i.test(schema.description) ? "an" : "a";
  return schema.description.includes("decimal") ? `must be ${article} ${schema.description}` : `must be ${article} ${schema.description} matching ${pattern}`;
}

function describedAs(error: ErrorObject): string | undefined {
  const schema = error.parentSchema as { description?: unknown } | undefined;
  return typeof schema?.description === "string" && schema.description.includes("decimal") ? schema.description : undefined;
}

function issuesOf(errors: readonly ErrorObject[] | null | undefined): ValidationIssue[] {
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  for (const error of errors ?? []) {
    // anyOf of literals reports one error per branch; collapse them into one line.
    if (error.keyword === "anyOf") continue;
    const issue = describe(error);
    const key = `${issue.path} ${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return collapseLiteralUnions(issues);
}

/** "must be \"BUY\"" + "must be \"SELL\"" at one path becomes "must be one of \"BUY\", \"SELL\"". */
function collapseLiteralUnions(issues: ValidationIssue[]): ValidationIssue[] {
  const byPath = new Map<string, ValidationIssue[]>();
  for (const issue of issues) byPath.set(issue.path, [...(byPath.get(issue.path) ?? []), issue]);
  const result: ValidationIssue[] = [];
  for (const [path, group] of byPath) {
    const literals = group.filter((issue) => issue.message.startsWith("must be \""));
    if (literals.length > 1) {
      result.push({ path, message: `must be one of ${literals.map((issue) => issue.message.slice("must be ".length)).join(", ")}` });
      result.push(...group.filter((issue) => !literals.includes(issue)));
    } else {
      result.push(...group);
    }
  }
  return result;
}

/** An ajv check (compiled now or generated at build time) as a validator: the typed value or every issue. */
export function validatorOf<T>(check: ValidateFunction): Validator<Readonly<T>> {
  return (input: unknown) => (check(input) ? { ok: true, value: input as Readonly<T> } : { ok: false, issues: issuesOf(check.errors) });
}

/** Compiles a schema once; the validator returns the typed value or every issue. */
export function compileValidator<S extends TSchema>(schema: S): Validator<Readonly<Static<S>>> {
  return validatorOf<Static<S>>(compiler().compile(schema));
}

/**
 * A union discriminated by one field: the field picks the schema, so an error names
 * the real problem instead of listing every branch that did not match.
 */
export function compileUnionValidator<K extends string, M extends Record<string, TSchema>>(discriminant: K, schemas: M): Validator<Readonly<Static<M[keyof M]>>> {
  const branches = Object.fromEntries(Object.entries(schemas).map(([key, schema]) => [key, compileValidator(schema)]));
  return unionValidatorOf(discriminant, branches) as Validator<Readonly<Static<M[keyof M]>>>;
}

/** One validator per value of the discriminant; any other value is refused naming the allowed ones. */
export function unionValidatorOf<T>(discriminant: string, branches: Readonly<Record<string, Validator<unknown>>>): Validator<Readonly<T>> {
  const validators = new Map<string, Validator<unknown>>(Object.entries(branches));
  const allowed = Object.keys(branches).map((key) => JSON.stringify(key)).join(", ");
  return (input: unknown) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return { ok: false, issues: [{ path: "/", message: "must be a JSON object" }] };
    }
    const tag = (input as Record<string, unknown>)[discriminant];
    const validator = typeof tag === "string" ? validators.get(tag) : undefined;
    if (!validator) {
      return { ok: false, issues: [{ path: `/${discriminant}`, message: `must be one of ${allowed}` }] };
    }
    return validator(input) as Validated<Readonly<T>>;
  };
}

/** The largest message body accepted from the bus; anything bigger is refused unread. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

// Every runtime has the WHATWG TextDecoder, but lib ES2023 does not type it: declare the part used here.
declare const TextDecoder: new (label: "utf-8", options: { readonly fatal: boolean }) => { decode(bytes: Uint8Array): string };
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes from the wire to a JSON value, with a clear issue for each way it can fail. */
export function decodeJson(bytes: Uint8Array): Validated<unknown> {
  if (bytes.byteLength > MAX_MESSAGE_BYTES) {
    return { ok: false, issues: [{ path: "/", message: `is ${bytes.byteLength} bytes, above the ${MAX_MESSAGE_BYTES} byte limit` }] };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, issues: [{ path: "/", message: "is not valid UTF-8" }] };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, issues: [{ path: "/", message: `is not JSON (${(error as Error).message})` }] };
  }
}

/** Decode then validate: the one call every inbound boundary makes. */
export function decodeAndValidate<T>(bytes: Uint8Array, validator: Validator<T>): Validated<T> {
  const decoded = decodeJson(bytes);
  return decoded.ok ? validator(decoded.value) : decoded;
}

/** Issues spelled out by formatIssues: a hostile message can have hundreds of thousands (one per array item). */
export const MAX_FORMATTED_ISSUES = 10;

export function formatIssues(issues: readonly ValidationIssue[]): string {
  const shown = issues
    .slice(0, MAX_FORMATTED_ISSUES)
    .map((issue) => `${issue.path} ${issue.message}`)
    .join("; ");
  return issues.length > MAX_FORMATTED_ISSUES ? `${shown}; and ${issues.length - MAX_FORMATTED_ISSUES} more` : shown;
}
