import type { Msg } from "@nats-io/nats-core";

const decoder = new TextDecoder();

/** Empty body: undefined; JSON: the value, flattened; anything else: the raw text (the actor refuses it). */
export function controlBodyOf(message: Msg): unknown {
  if (message.data.byteLength === 0) return undefined;
  const text = decoder.decode(message.data);
  if (text.trim() === "") return undefined;
  try {
    return flatBody(JSON.parse(text) as unknown);
  } catch {
    return text;
  }
}

/**
 * A valid control body is one flat object of strings and a boolean, so a nested value becomes
 * null (still refused: INVALID_BODY). A body nested thousands deep would otherwise make
 * postMessage (structured clone) throw inside the NATS callback, which closes the connection:
 * no more control, not even kill.
 */
function flatBody(value: unknown): unknown {
  const flat = (field: unknown) => (typeof field === "object" && field !== null ? null : field);
  if (Array.isArray(value)) return value.map(flat);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, flat(field)]));
}
