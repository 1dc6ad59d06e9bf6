import type { Static, TSchema } from "@sinclair/typebox";
import type { ValidateFunction } from "ajv";
import { unionValidatorOf, validatorOf, type Validator } from "./validation";
import { VALIDATOR_SHAPES } from "./generated/validator-shapes";
// Types only: the schemas type each validator's value, but never load (a worker thread loads no TypeBox).
import type { UnionSchemas, VALIDATOR_SCHEMAS, ValidatorName } from "./validator-schemas";

// The CommonJS loader's own function: each generated module loads on first use.
declare const require: (id: string) => unknown;

/** The checks ajv generated at build time for one validator (scripts/validators/generate.ts). */
function generated(name: ValidatorName): Readonly<Record<string, ValidateFunction>> {
  return require(`./generated/${VALIDATOR_SHAPES[name].module}`) as Readonly<Record<string, ValidateFunction>>;
}

type Schemas = typeof VALIDATOR_SCHEMAS;
type ValueOf<S> = S extends UnionSchemas<string, infer M> ? Static<M[keyof M]> : S extends TSchema ? Static<S> : never;
type Validators = { readonly [K in ValidatorName]: Validator<Readonly<ValueOf<Schemas[K]>>> };

function load<K extends ValidatorName>(name: K): Validators[K] {
  const checks = generated(name);
  const shape: { readonly discriminant?: string; readonly branches: readonly string[] } = VALIDATOR_SHAPES[name];
  if (shape.discriminant === undefined) return validatorOf(checks[shape.branches[0]!]!) as Validators[K];
  const branches = Object.fromEntries(shape.branches.map((tag) => [tag, validatorOf(checks[tag]!)]));
  return unionValidatorOf(shape.discriminant, branches) as Validators[K];
}

/**
 * Every message of the contract, each loaded once, on first use: a symbol worker needs a
 * handful of them, and loading the rest would cost every worker thread memory and
 * start-up time for nothing. Nothing is compiled at run time.
 */
function lazily<K extends ValidatorName>(name: K): () => Validators[K] {
  let loaded: Validators[K] | undefined;
  return () => (loaded ??= load(name));
}

const compiled = {
  bookSnapshot: lazily("bookSnapshot"),
  bookDelta: lazily("bookDelta"),
  publicTrade: lazily("publicTrade"),
  marketStatus: lazily("marketStatus"),
  orderIntent: lazily("orderIntent"),
  executionReport: lazily("executionReport"),
  controlBody: lazily("controlBody"),
  controlReply: lazily("controlReply"),
  statusReply: lazily("statusReply"),
  auditEvent: lazily("auditEvent"),
  checkpointEvent: lazily("checkpointEvent"),
};

export const validators: Validators = {
  bookSnapshot: (input) => compiled.bookSnapshot()(input),
  bookDelta: (input) => compiled.bookDelta()(input),
  publicTrade: (input) => compiled.publicTrade()(input),
  marketStatus: (input) => compiled.marketStatus()(input),
  orderIntent: (input) => compiled.orderIntent()(input),
  executionReport: (input) => compiled.executionReport()(input),
  controlBody: (input) => compiled.controlBody()(input),
  controlReply: (input) => compiled.controlReply()(input),
  statusReply: (input) => compiled.statusReply()(input),
  auditEvent: (input) => compiled.auditEvent()(input),
  checkpointEvent: (input) => compiled.checkpointEvent()(input),
};

/**
 * Loads these validators now rather than on first use: a symbol worker warms what its hot
 * path needs while it starts, so the first resume of many symbols at once is not also the
 * moment each of them loads (and V8 compiles) the generated checks.
 */
export function loadValidatorsNow(names: readonly ValidatorName[]): void {
  for (const name of names) compiled[name]();
}
