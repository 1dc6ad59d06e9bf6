// Generated from src/validator-schemas.ts by `npm run validators`; do not edit. A unit test fails when this is not what the schemas give now.

/** Each validator's generated module and the checks it exports; a union's checks are one per value of its discriminant. */
export const VALIDATOR_SHAPES = {
  bookSnapshot: { module: "book-snapshot", branches: ["validate"] },
  bookDelta: { module: "book-delta", branches: ["validate"] },
  publicTrade: { module: "public-trade", branches: ["validate"] },
  marketStatus: { module: "market-status", branches: ["validate"] },
  orderIntent: { module: "order-intent", discriminant: "kind", branches: ["NEW", "CANCEL", "CANCEL_ALL", "COUNTDOWN"] },
  executionReport: { module: "execution-report", discriminant: "kind", branches: ["ACCEPTED", "REJECTED", "FILL", "CANCELED"] },
  controlBody: { module: "control-body", branches: ["validate"] },
  controlReply: { module: "control-reply", branches: ["validate"] },
  statusReply: { module: "status-reply", branches: ["validate"] },
  auditEvent: { module: "audit-event", discriminant: "type", branches: ["state", "quote", "intent", "fill", "risk", "control", "checkpoint", "alert"] },
  checkpointEvent: { module: "checkpoint-event", branches: ["validate"] },
} as const;
