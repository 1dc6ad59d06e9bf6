import type { CounterName, MetricAttributes } from "./metric-catalogue";

// The contract's stable codes (a unit test checks them against @mms/contracts).
const MARKET_DATA_STOPS = ["MD_STALE", "MD_GAP", "MD_INVALID", "MD_CROSSED", "BUS_LAG", "MARKET_HALTED"] as const;
const AUTOMATIC_PAUSES = [...MARKET_DATA_STOPS, "NATS_DISCONNECTED", "OWNERSHIP_LOST", "OWNED_ELSEWHERE"] as const;
const AUTOMATIC_HALTS = ["POSITION_LIMIT", "EXPOSURE_LIMIT", "DRAWDOWN_LIMIT", "REJECT_STORM"] as const;
const EXCHANGE_REJECTIONS = ["POST_ONLY_WOULD_CROSS", "MARKET_HALTED", "UNKNOWN_ORDER", "RATE_LIMIT", "SUBMISSION_FAILED"] as const;
const COMMANDS = ["kill", "pause", "resume", "reset", "shadow"] as const;
const WORKER_FAILURES = ["EXITED", "SILENT"] as const;

/**
 * The label values each counter of a symbol is known to take, beyond `symbol`. These
 * series exist at zero from the symbol's first sample on, so a dashboard shows 0 rather
 * than "No data" and `increase()` sees the first event after a restart as a step from 0.
 */
export const PRESET_COUNTER_SERIES: Readonly<Partial<Record<CounterName, readonly MetricAttributes[]>>> = {
  orders_sent: [{}],
  orders_filled: [{}],
  execution_reports_replayed: [{}],
  market_data_messages: [{}],
  market_data_dropped: [{}],
  audit_events_dropped: [{}],
  worker_restarts: [{}],
  cancel_all_resends: [{}],
  orders_rejected: EXCHANGE_REJECTIONS.map((reason) => ({ reason })),
  market_data_faults: MARKET_DATA_STOPS.map((reason) => ({ reason })),
  worker_failures: WORKER_FAILURES.map((reason) => ({ reason })),
  kill_switch_triggers: [...AUTOMATIC_PAUSES.map((reason) => ({ reason, state: "PAUSED" })), ...AUTOMATIC_HALTS.map((reason) => ({ reason, state: "HALTED" }))],
  control_commands: COMMANDS.flatMap((command) => [
    { command, outcome: "accepted" },
    { command, outcome: "refused" },
  ]),
};

/** Every preset series of one symbol, as counter name and full labels. */
export function presetSeriesOf(symbol: string): { readonly name: CounterName; readonly attributes: MetricAttributes }[] {
  return (Object.entries(PRESET_COUNTER_SERIES) as [CounterName, readonly MetricAttributes[]][]).flatMap(([name, labelSets]) => labelSets.map((labels) => ({ name, attributes: { symbol, ...labels } })));
}
