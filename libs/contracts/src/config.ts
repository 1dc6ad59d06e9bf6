import { Type, type Static } from "@sinclair/typebox";
import { AccountName, PositiveDecimalString, DecimalString, SymbolName } from "./primitives";
import { QuotingMode } from "./states";

const PositiveInteger = Type.Integer({ minimum: 1, maximum: 86_400_000 });

/** Market-maker protection: a burst of the symbol's own fills pauses it (contract "Protection"). */
export const MmpConfig = Type.Object(
  {
    windowMs: Type.Optional(PositiveInteger),
    maxFills: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    maxFillQty: Type.Optional(PositiveDecimalString),
    maxNetQty: Type.Optional(PositiveDecimalString),
    frozenMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })),
  },
  { additionalProperties: false },
);

export const SymbolConfig = Type.Object(
  {
    symbol: SymbolName,
    mode: Type.Optional(QuotingMode),
    tickSize: PositiveDecimalString,
    lotSize: PositiveDecimalString,
    quoteSize: PositiveDecimalString,
    spreadBps: DecimalString,
    skewBps: DecimalString,
    maxPosition: PositiveDecimalString,
    bandBps: PositiveDecimalString,
    requoteToleranceTicks: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    maxOrdersPerSecond: Type.Integer({ minimum: 1, maximum: 10_000 }),
    staleMs: PositiveInteger,
    deadManMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })),
    mmp: Type.Optional(MmpConfig),
    jumpBps: Type.Optional(DecimalString),
    jumpWindowMs: Type.Optional(PositiveInteger),
    orderAckTimeoutMs: Type.Optional(PositiveInteger),
    checkpointEvery: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
  },
  { additionalProperties: false },
);

export const TlsConfig = Type.Object(
  {
    caFile: Type.Optional(Type.String({ minLength: 1 })),
    certFile: Type.Optional(Type.String({ minLength: 1 })),
    keyFile: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export const NatsConfig = Type.Object(
  {
    servers: Type.Array(Type.String({ pattern: "^(nats|tls|ws|wss)://[^\\s]+$" }), { minItems: 1, maxItems: 32 }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    user: Type.Optional(Type.String({ minLength: 1 })),
    password: Type.Optional(Type.String({ minLength: 1 })),
    token: Type.Optional(Type.String({ minLength: 1 })),
    nkeySeedFile: Type.Optional(Type.String({ minLength: 1 })),
    credsFile: Type.Optional(Type.String({ minLength: 1 })),
    tls: Type.Optional(TlsConfig),
  },
  { additionalProperties: false },
);

export const RiskConfig = Type.Object(
  {
    maxTotalExposure: PositiveDecimalString,
    maxDrawdown: PositiveDecimalString,
    rejectStorm: Type.Object({ count: Type.Integer({ minimum: 1, maximum: 10_000 }), windowMs: PositiveInteger }, { additionalProperties: false }),
    maxLagMs: PositiveInteger,
    maxOrderNotional: Type.Optional(PositiveDecimalString),
  },
  { additionalProperties: false },
);

export const ServiceConfig = Type.Object(
  {
    account: Type.Optional(AccountName),
    instanceName: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$" })),
    leaseMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 3_600_000 })),
    nats: NatsConfig,
    http: Type.Optional(Type.Object({ port: Type.Integer({ minimum: 0, maximum: 65535 }), host: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false })),
    logging: Type.Optional(Type.Object({ level: Type.Union([Type.Literal("error"), Type.Literal("warn"), Type.Literal("info"), Type.Literal("debug")]) }, { additionalProperties: false })),
    shutdownTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000 })),
    risk: RiskConfig,
    symbols: Type.Array(SymbolConfig, { minItems: 1, maxItems: 1000 }),
  },
  { additionalProperties: false },
);

export type SymbolConfigInput = Static<typeof SymbolConfig>;
export type ServiceConfigInput = Static<typeof ServiceConfig>;

/** Config after defaults: every optional with a default is filled in. */
export type MmpConfig = Readonly<Required<Static<typeof MmpConfig>>>;
export type SymbolConfig = Readonly<Required<Omit<SymbolConfigInput, "mmp">> & { mmp: MmpConfig }>;
export interface ServiceConfig {
  readonly account: string;
  readonly instanceName: string;
  readonly leaseMs: number;
  readonly nats: Readonly<Static<typeof NatsConfig>>;
  readonly http: { readonly port: number; readonly host: string };
  readonly logging: { readonly level: "error" | "warn" | "info" | "debug" };
  readonly shutdownTimeoutMs: number;
  readonly risk: Readonly<Required<Static<typeof RiskConfig>>>;
  readonly symbols: readonly SymbolConfig[];
}

export { CONFIG_DEFAULTS } from "./config-defaults";
