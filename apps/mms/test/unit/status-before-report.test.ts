import { validators } from "@mms/contracts";
import { symbolConfig } from "@mms/test-support";
import { RequestTracker } from "../../src/coordinator/request-tracker";
import { collectStatus } from "../../src/coordinator/status-service";
import { SymbolSlots } from "../../src/coordinator/symbol-slots";
import { FakeTime } from "../support/fake-time";

// Issue 14: a symbol whose worker had not reported yet was shown with position "0", a guess.
test("mms.status shows null inventory figures for a symbol whose worker has not reported yet", async () => {
  const startedAt = 1_764_000_000_000;
  const slots = new SymbolSlots([symbolConfig("BTCUSDT-PERP")], startedAt);
  // Not running and not about to: the coordinator answers from what it last heard.
  for (const slot of slots.all()) slot.waitingToStart = false;
  const reply = await collectStatus("mms-test", slots, new RequestTracker(new FakeTime(), "run-"));
  expect(validators.statusReply(reply).ok).toBe(true);
  expect(reply.symbols).toEqual([expect.objectContaining({ symbol: "BTCUSDT-PERP", state: "PAUSED", reason: "STARTUP", stoppedAt: startedAt, operator: null, position: null, avgEntryPx: null, realizedPnl: null, unrealizedPnl: null, fees: null })]);
});
