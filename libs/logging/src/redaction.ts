export const REDACTED = "[REDACTED]";

/** Key fragments that mark a secret; matched case-insensitively with `_` and `-` ignored. */
const SECRET_KEY_FRAGMENTS = [
  "password",
  "passwd",
  "passphrase",
  "token",
  "nkey",
  "seed",
  "creds",
  "credential",
  "authorization",
  "secret",
  "apikey",
  "privatekey",
  "cookie",
  "jwt",
];

const MAX_DEPTH = 8;
const MAX_ARRAY_ITEMS = 100;

export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[_-]/g, "");
  return SECRET_KEY_FRAGMENTS.some((fragment) => normalized.includes(fragment));
}

// A URL such as nats://user:pass@host carries its credentials in the user-info part.
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(:[^\s/@]*)?@/gi;

export function redactText(text: string): string {
  return text.includes("@") ? text.replace(URL_CREDENTIALS, `$1${REDACTED}@`) : text;
}

/**
 * A JSON-safe copy of a value with every secret replaced, at any depth. Errors become
 * {name, message, stack}; cycles, bigints and over-deep values are made printable
 * instead of throwing, because a log call must never take the caller down.
 */
export function redact(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === "string") return redactText(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "function" || typeof value === "symbol") return undefined;
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Truncated]";
  seen.add(value);
  try {
    if (value instanceof Error) return redactError(value, depth, seen);
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) {
      const items = value.slice(0, MAX_ARRAY_ITEMS).map((item) => redact(item, depth + 1, seen));
      if (value.length > MAX_ARRAY_ITEMS) items.push(`[${value.length - MAX_ARRAY_ITEMS} more]`);
      return items;
    }
    const withJson = value as { toJSON?: () => unknown };
    // Big.js and similar value types print themselves.
    if (typeof withJson.toJSON === "function") return redact(withJson.toJSON(), depth + 1, seen);
    if (value instanceof Map) return redactEntries([...value.entries()].map(([key, item]) => [String(key), item]), depth, seen);
    if (value instanceof Set) return redact([...value], depth, seen);
    return redactEntries(Object.entries(value), depth, seen);
  } finally {
    seen.delete(value);
  }
}

function redactEntries(entries: readonly (readonly [string, unknown])[], depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    result[key] = isSecretKey(key) ? REDACTED : redact(item, depth + 1, seen);
  }
  return result;
}

function redactError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const extra = redactEntries(Object.entries(error), depth, seen);
  const result: Record<string, unknown> = { name: error.name, message: redactText(error.message), ...extra };
  if (error.stack !== undefined) result.stack = redactText(error.stack);
  if (error.cause !== undefined) result.cause = redact(error.cause, depth + 1, seen);
  return result;
}
