import type { RiskConfig } from "./risk-config";
import { Big } from "./decimal";
import { GlobalRiskBook, type GlobalBreach, type GlobalRiskFigures, type SymbolRiskReport } from "./risk";
import type { LogLevel, SymbolEvent } from "./symbol-protocol";

export type RiskActorEvent =
  | { readonly kind: "SYMBOL_RISK"; readonly report: SymbolRiskReport }
  | { readonly kind: "CONTROL_ALL"; readonly requestId: string; readonly command: string; readonly body: unknown };

export type RiskActorCommand =
  | { readonly kind: "BROADCAST"; readonly event: SymbolEvent }
  | { readonly kind: "LOG"; readonly level: LogLevel; readonly message: string; readonly fields: Readonly<Record<string, unknown>> };

export interface RiskActorState {
  readonly book: GlobalRiskBook;
  breach: GlobalBreach | undefined;
  figures: GlobalRiskFigures | undefined;
}

export function initialRiskState(limits: RiskConfig): RiskActorState {
  return { book: new GlobalRiskBook({ maxTotalExposure: new Big(limits.maxTotalExposure), maxDrawdown: new Big(limits.maxDrawdown) }), breach: undefined, figures: undefined };
}

/**
 * The cross-symbol risk actor: sums exposure and equity over every symbol and, when a
 * global limit breaks, tells every symbol actor at once. It also fans out commands sent
 * to `mms.control.all.*`.
 */
export function stepRisk(state: RiskActorState, event: RiskActorEvent): { state: RiskActorState; commands: RiskActorCommand[] } {
  const commands: RiskActorCommand[] = [];
  switch (event.kind) {
    case "SYMBOL_RISK": {
      state.book.update(event.report);
      const figures = state.book.figures();
      state.figures = figures;
      const breach = state.book.breach(figures);
      if (breach?.reason !== state.breach?.reason) {
        state.breach = breach;
        commands.push({ kind: "BROADCAST", event: { kind: "GLOBAL_RISK", breach } });
        if (breach) commands.push({ kind: "LOG", level: "error", message: "global risk limit breached: halting every symbol", fields: { reason: breach.reason, detail: breach.detail } });
        else commands.push({ kind: "LOG", level: "info", message: "global risk back within limits", fields: {} });
      }
      break;
    }
    case "CONTROL_ALL":
      commands.push({ kind: "BROADCAST", event: { kind: "CONTROL", requestId: event.requestId, command: event.command, body: event.body } });
      break;
  }
  return { state, commands };
}
