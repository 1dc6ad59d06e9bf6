/** What a clientOrderId of the MMS says about itself: `MM-<runId>-<SYMBOL>-O<n>`. */
export interface OrderIdParts {
  readonly symbol: string;
  /** When the run that issued it started (its run id begins with that time, base 36). */
  readonly runStartedAt: number | undefined;
}

const MMS_ORDER_ID = /^MM-([0-9a-z]+)-([A-Z0-9][A-Z0-9_-]{0,31})-O\d+$/;
/** The run id: the start time in base 36, six hex digits, and `r<n>` for a restarted worker. */
const RUN_ID = /^([0-9a-z]+)[0-9a-f]{6}(?:r\d+)?$/;

export function parseClientOrderId(clientOrderId: string): OrderIdParts | undefined {
  const match = MMS_ORDER_ID.exec(clientOrderId);
  if (!match) return undefined;
  const time = RUN_ID.exec(match[1]!)?.[1];
  const startedAt = time === undefined ? Number.NaN : Number.parseInt(time, 36);
  // A plausible epoch in ms (2001 to 2286); anything else is an id of another shape.
  return { symbol: match[2]!, runStartedAt: startedAt > 1e12 && startedAt < 1e13 ? startedAt : undefined };
}
