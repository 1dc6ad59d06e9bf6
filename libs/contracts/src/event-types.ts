export const AUDIT_EVENT_TYPES = ["state", "quote", "intent", "fill", "risk", "control", "checkpoint", "alert"] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** The checks of the pre-trade gate, as an intent event names the one that denied. */
export const PRETRADE_CHECKS = ["TICK", "LOT", "SIZE", "NOTIONAL", "CROSSING", "BAND", "ONE_PER_SIDE", "IDENTITY"] as const;
