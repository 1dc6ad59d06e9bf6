import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Msg, NatsConnection } from "@nats-io/nats-core";
import { REPOSITORY_ROOT } from "@mms/test-support";

/** One `nats req|pub SUBJECT 'BODY' [--replies N] [--timeout Ds]` as a document prints it. */
export interface DocCommand {
  readonly verb: "req" | "pub";
  readonly subject: string;
  /** The single-quoted shell word: exactly the bytes the NATS CLI sends. */
  readonly body: string;
  /** `--replies N`: 0 waits the whole timeout for every reply. Undefined: the first reply only. */
  readonly replies: number | undefined;
  readonly timeoutMs: number | undefined;
  /** The command as written, to name it in a failure. */
  readonly text: string;
}

const COMMAND = /nats (?:--server \S+ )?(req|pub) (\S+) '([^']*)'((?: --[a-z]+(?: [0-9][0-9a-z]*)?)*)/g;
/** The NATS CLI's own default for `--timeout`. */
const CLI_DEFAULT_TIMEOUT_MS = 5000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function readDoc(path: string): string {
  return readFileSync(join(REPOSITORY_ROOT, path), "utf8");
}

/** Every `nats req` and `nats pub` of a markdown text, in order, once each. */
export function natsCommandsOf(markdown: string): DocCommand[] {
  const seen = new Map<string, DocCommand>();
  for (const match of markdown.matchAll(COMMAND)) {
    const [text, verb, subject, body, flags] = match as unknown as [string, "req" | "pub", string, string, string];
    const replies = /--replies (\d+)/.exec(flags)?.[1];
    const timeout = /--timeout (\d+)(ms|s)/.exec(flags);
    const timeoutMs = timeout ? Number(timeout[1]) * (timeout[2] === "s" ? 1000 : 1) : undefined;
    if (!seen.has(text)) seen.set(text, { verb, subject, body, replies: replies === undefined ? undefined : Number(replies), timeoutMs, text });
  }
  return [...seen.values()];
}

/**
 * What the NATS CLI does with the command: `pub` publishes the body; `req` sends it as a
 * request and, with `--replies 0`, collects every reply until the timeout. `<SYMBOL>` and
 * similar placeholders are filled from `placeholders`. The replies' bodies, parsed.
 */
export async function sendAsNatsCli(client: NatsConnection, command: DocCommand, placeholders: Readonly<Record<string, string>> = {}): Promise<unknown[]> {
  const subject = command.subject.replace(/<([A-Z_]+)>/g, (whole, name: string) => placeholders[name] ?? whole);
  const body = encoder.encode(command.body);
  if (command.verb === "pub") {
    client.publish(subject, body);
    await client.flush();
    return [];
  }
  const timeoutMs = command.timeoutMs ?? CLI_DEFAULT_TIMEOUT_MS;
  if (command.replies === undefined || command.replies === 1) return [parse(await client.request(subject, body, { timeout: timeoutMs }))];
  const replies: unknown[] = [];
  const stream = await client.requestMany(subject, body, command.replies === 0 ? { strategy: "timer", maxWait: timeoutMs } : { strategy: "count", maxMessages: command.replies, maxWait: timeoutMs });
  for await (const message of stream) replies.push(parse(message));
  return replies;
}

function parse(message: Msg): unknown {
  return JSON.parse(decoder.decode(message.data)) as unknown;
}

/** The commands of a document, looked up by what they are; a missing one fails the test that needs it. */
export class DocCommands {
  readonly all: readonly DocCommand[];
  private readonly used = new Set<DocCommand>();

  constructor(markdown: string) {
    this.all = natsCommandsOf(markdown);
  }

  /** The one `nats req` (or `pub`) on `subject` (placeholders as written) whose body contains `bodyPart`. */
  get(subject: string, bodyPart = "", verb: DocCommand["verb"] = "req"): DocCommand {
    const found = this.all.filter((command) => command.verb === verb && command.subject === subject && command.body.includes(bodyPart));
    if (found.length !== 1) throw new Error(`expected one documented nats ${verb} on ${subject} with body containing ${JSON.stringify(bodyPart)}, found ${found.length}: ${found.map((command) => command.text).join(" | ")}`);
    this.used.add(found[0]!);
    return found[0]!;
  }

  /** Every command on that subject (the same request may be written several times). */
  every(subject: string): DocCommand[] {
    const found = this.all.filter((command) => command.subject === subject);
    for (const command of found) this.used.add(command);
    return found;
  }

  unused(): string[] {
    return this.all.filter((command) => !this.used.has(command)).map((command) => command.text);
  }
}
