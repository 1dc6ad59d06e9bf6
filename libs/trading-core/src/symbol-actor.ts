import type { AuditEventBody, ControlBody, ExecutionReport, OrderIntent, QuotingMode, StopReason, SymbolStatus } from "@mms/contracts";
import { CONTROL_COMMANDS, LIMITS, validators } from "@mms/contracts";
import { formatToStep, toDecimalString, type Decimal } from "./decimal";
import { Ledger } from "./ledger";
import { DEFAULT_VOLATILITY_SAMPLE_MS, DEFAULT_VOLATILITY_WINDOW, MarketMonitor, spreadBps } from "./market-monitor";
import { OrderBook } from "./order-book";
import { OrderManager, type OrderAction } from "./order-manager";
import { computeQuote, quoteParameters, type Quote, type QuoteParameters } from "./quote-engine";
import { RejectionWindow, positionBreached, type GlobalBreach } from "./risk";
import { STARTUP_STATE, stopTransition, type StopTarget, type SymbolState } from "./state-machine";
import { TIMINGS, type LogLevel, type SymbolActorSettings, type SymbolCommand, type SymbolEvent } from "./symbol-protocol";

export type Ownership = "UNKNOWN" | "HELD" | "LOST" | "OWNED_ELSEWHERE";

/** Everything one symbol actor owns. Only `stepSymbol` changes it. */
export interface SymbolActorState {
  readonly settings: SymbolActorSettings;
  readonly parameters: QuoteParameters;
  state: SymbolState;
  mode: QuotingMode;
  book: OrderBook | undefined;
  /** A gap or invalid data: the book is unusable until a fresh snapshot arrives. */
  awaitingSnapshot: boolean;
  lastSnapshotRequestAt: number | undefined;
  lastLagMs: number | undefined;
  readonly monitor: MarketMonitor;
  readonly orders: OrderManager;
  readonly ledger: Ledger;
  readonly seenExecIds: Set<string>;
  readonly rejections: RejectionWindow;
  globalBreach: GlobalBreach | undefined;
  ownership: Ownership;
  owner: string | undefined;
  connected: boolean;
  recovering: boolean;
  /** Leftovers of an earlier run still need a CANCEL_ALL once recovery is done and the lease held. */
  leftoverCancelPending: boolean;
  /** A stop happened while disconnected: its CANCEL_ALL goes out on reconnect. */
  cancelAllOnReconnect: boolean;
  countdownArmed: boolean;
  lastCountdownAt: number | undefined;
  /** When the last TIMER came and how long after the one before: a refresh is due before the next one would be late. */
  lastTimerAt: number | undefined;
  timerIntervalMs: number;
  lastRiskReportAt: number | undefined;
  lastQuoteKey: string | undefined;
  nextId: number;
  counters: { invalidMarketData: number; invalidReports: number; duplicateReports: number };
}

export interface StepResult {
  readonly state: SymbolActorState;
  readonly commands: readonly SymbolCommand[];
}

export function initialSymbolState(settings: SymbolActorSettings): SymbolActorState {
  const config = settings.config;
  return {
    settings,
    parameters: quoteParameters(config),
    state: STARTUP_STATE,
    mode: settings.initialMode ?? config.mode,
    book: undefined,
    awaitingSnapshot: true,
    lastSnapshotRequestAt: undefined,
    lastLagMs: undefined,
    monitor: new MarketMonitor({ staleMs: config.staleMs, maxLagMs: settings.maxLagMs, volatilitySampleMs: DEFAULT_VOLATILITY_SAMPLE_MS, volatilityWindow: DEFAULT_VOLATILITY_WINDOW }),
    orders: new OrderManager(),
    ledger: new Ledger(),
    seenExecIds: new Set(),
    rejections: new RejectionWindow(settings.rejectStorm.count, settings.rejectStorm.windowMs),
    globalBreach: undefined,
    ownership: settings.leaseRequired ? "UNKNOWN" : "HELD",
    owner: undefined,
    connected: true,
    recovering: true,
    leftoverCancelPending: true,
    cancelAllOnReconnect: false,
    countdownArmed: false,
    lastCountdownAt: undefined,
    lastTimerAt: undefined,
    timerIntervalMs: 0,
    lastRiskReportAt: undefined,
    lastQuoteKey: undefined,
    nextId: 1,
    counters: { invalidMarketData: 0, invalidReports: 0, duplicateReports: 0 },
  };
}

/**
 * The symbol actor as a reducer: the same events at the same times give the same
 * commands, so a recorded run replays to the same decisions. State is updated in place
 * (the book would be too costly to copy per delta) and returned.
 */
export function stepSymbol(state: SymbolActorState, event: SymbolEvent, now: number): StepResult {
  const step = new Step(state, now);
  step.handle(event);
  return { state, commands: step.commands };
}

/** Best bid and ask of everyone but us: our own resting orders are taken out of the book. */
export function marketTouch(state: SymbolActorState): { readonly bid: Decimal | undefined; readonly ask: Decimal | undefined; readonly mid: Decimal | undefined } {
  const book = state.book;
  if (!book || book.isCrossed()) return { bid: undefined, ask: undefined, mid: undefined };
  const own = (side: "BUY" | "SELL") => state.orders.all().flatMap((order) => (order.side === side ? [{ price: order.price, quantity: state.orders.leaves(order) }] : []));
  const bid = book.bestExcluding("BUY", own("BUY"));
  const ask = book.bestExcluding("SELL", own("SELL"));
  return { bid, ask, mid: bid && ask && bid.lt(ask) ? bid.plus(ask).div(2) : undefined };
}

/** The symbol's view for `mms.status` and `/v1/status`. */
export function describeSymbol(state: SymbolActorState): SymbolStatus {
  const mid = marketTouch(state).mid;
  const ledger = state.ledger;
  return {
    symbol: state.settings.config.symbol,
    state: state.state.name,
    reason: state.state.reason,
    mode: state.mode,
    position: toDecimalString(ledger.position),
    avgEntryPx: ledger.averageEntryPrice ? toDecimalString(ledger.averageEntryPrice) : null,
    realizedPnl: toDecimalString(ledger.realizedPnl),
    unrealizedPnl: toDecimalString(ledger.unrealizedPnl(mid)),
    fees: toDecimalString(ledger.fees),
    openOrders: state.orders.openOrderViews(),
  };
}

/** Figures the shell turns into metrics. Decimal strings: they cross a thread boundary. */
export interface SymbolFigures {
  readonly mid: string | undefined;
  readonly bestBid: string | undefined;
  readonly bestAsk: string | undefined;
  readonly marketSpreadBps: string | undefined;
  readonly volatilityBps: string;
  readonly exposure: string;
  readonly equity: string;
}

export function symbolFigures(state: SymbolActorState): SymbolFigures {
  const { bid, ask, mid } = marketTouch(state);
  return {
    mid: mid ? toDecimalString(mid) : undefined,
    bestBid: bid ? toDecimalString(bid) : undefined,
    bestAsk: ask ? toDecimalString(ask) : undefined,
    marketSpreadBps: bid && ask && bid.lt(ask) ? toDecimalString(spreadBps(bid, ask)) : undefined,
    volatilityBps: toDecimalString(state.monitor.volatilityBps()),
    exposure: toDecimalString(state.ledger.exposure(mid)),
    equity: toDecimalString(state.ledger.equity(mid)),
  };
}

const OPERATOR_COMMANDS = new Set(["resume", "reset", "shadow"]);

class Step {
  readonly commands: SymbolCommand[] = [];

  constructor(
    private readonly actor: SymbolActorState,
    private readonly now: number,
  ) {}

  private get symbol(): string {
    return this.actor.settings.config.symbol;
  }

  handle(event: SymbolEvent): void {
    switch (event.kind) {
      case "BOOK_SNAPSHOT":
        return this.onSnapshot(event.snapshot);
      case "BOOK_DELTA":
        return this.onDelta(event.delta);
      case "PUBLIC_TRADE":
        this.onMarketMessage(event.trade.ts);
        return;
      case "MARKET_STATUS":
        return this.onStatus(event.status);
      case "MARKET_DATA_INVALID":
        this.actor.counters.invalidMarketData += 1;
        this.log("warn", "invalid market data refused", { subject: event.subject, issues: event.issues, reason: "MD_INVALID" });
        this.stop("PAUSED", "MD_INVALID", `invalid message on ${event.subject}: ${event.issues}`);
        return;
      case "EXECUTION_REPORT":
        return this.onReport(event.report, event.replay);
      case "EXECUTION_REPORT_INVALID":
        this.actor.counters.invalidReports += 1;
        this.log("warn", "invalid execution report refused", { subject: event.subject, issues: event.issues });
        return;
      case "RECOVERY_COMPLETE":
        return this.onRecoveryComplete();
      case "SUBMISSION_FAILED":
        return this.onSubmissionFailed(event.intent, event.reason);
      case "CONTROL":
        return this.onControl(event.requestId, event.command, event.body);
      case "GLOBAL_RISK":
        return this.onGlobalRisk(event.breach);
      case "TIMER":
        return this.onTimer();
      case "SLOW_CONSUMER":
        this.stop("PAUSED", "BUS_LAG", "the NATS client reported a slow consumer");
        return;
      case "CONNECTION_LOST":
        this.actor.connected = false;
        this.stop("PAUSED", "NATS_DISCONNECTED", "the NATS connection was lost");
        return;
      case "CONNECTION_RESTORED":
        return this.onConnectionRestored();
      case "OWNERSHIP":
        return this.onOwnership(event.status, event.owner);
      case "SHUTDOWN":
        // An intended stop (SIGTERM), not an automatic one: cancels, no alert.
        this.transition("PAUSED", "SHUTDOWN", "the service is stopping", false, true);
        return;
    }
  }

  // Market data ------------------------------------------------------------------

  /** Freshness and lag for any market-data message; false when the message came too late. */
  private onMarketMessage(sentAt: number): boolean {
    this.actor.monitor.recordMessage(this.now);
    const lag = this.actor.monitor.lagBeyondLimit(this.now, sentAt);
    this.actor.lastLagMs = lag;
    if (lag !== undefined) {
      this.stop("PAUSED", "BUS_LAG", `market data arrived ${lag} ms after it was sent`);
      return false;
    }
    return true;
  }

  private onSnapshot(snapshot: SymbolEventSnapshot): void {
    this.onMarketMessage(snapshot.ts);
    this.actor.book = OrderBook.fromSnapshot(snapshot);
    this.actor.awaitingSnapshot = false;
    this.afterBookChange();
  }

  private onDelta(delta: SymbolEventDelta): void {
    this.onMarketMessage(delta.ts);
    const book = this.actor.book;
    if (!book || this.actor.awaitingSnapshot) return;
    const outcome = book.applyDelta(delta);
    if (outcome.kind === "GAP") {
      this.onGap(`expected delta seq ${outcome.expectedSeq}, received ${outcome.receivedSeq}`);
      return;
    }
    this.afterBookChange();
  }

  private onStatus(status: SymbolEventStatus): void {
    this.onMarketMessage(status.ts);
    this.actor.monitor.setStatus(status.status);
    const book = this.actor.book;
    if (book && !this.actor.awaitingSnapshot && status.seq > book.seq) {
      this.onGap(`status seq ${status.seq} is ahead of the book at ${book.seq}`);
      return;
    }
    if (status.status !== "TRADING") this.stop("PAUSED", "MARKET_HALTED", `the market is ${status.status}`);
  }

  private onGap(detail: string): void {
    this.actor.awaitingSnapshot = true;
    this.stop("PAUSED", "MD_GAP", detail);
    this.requestSnapshot();
  }

  private requestSnapshot(): void {
    this.actor.lastSnapshotRequestAt = this.now;
    this.commands.push({ kind: "REQUEST_SNAPSHOT" });
  }

  private afterBookChange(): void {
    const book = this.actor.book!;
    if (book.isCrossed()) {
      this.stop("PAUSED", "MD_CROSSED", `best bid ${book.bestBid()!.toFixed()} >= best ask ${book.bestAsk()!.toFixed()}`);
      return;
    }
    // One look at the market per book change: the volatility sample and the quote share it.
    const touch = marketTouch(this.actor);
    if (touch.mid) this.actor.monitor.sampleMid(this.now, touch.mid);
    this.requote(touch);
  }

  // Execution reports ----------------------------------------------------------

  private onReport(report: ExecutionReport, replay: boolean): void {
    const actor = this.actor;
    if (actor.seenExecIds.has(report.execId)) {
      actor.counters.duplicateReports += 1;
      return;
    }
    actor.seenExecIds.add(report.execId);
    const effect = actor.orders.applyReport(report);
    if (report.kind === "FILL") {
      actor.ledger.applyFill(report);
      if (!replay) this.onLiveFill(report);
    }
    if (replay) return;

    if (effect.kind === "REJECTED") {
      this.log("warn", "order rejected", { clientOrderId: report.clientOrderId, reason: effect.reason, countsAsRejection: effect.countsAsRejection });
      if (effect.countsAsRejection) this.recordRejection(`rejected: ${effect.reason}`);
    }
    const lag = this.now - report.ts;
    if (lag > actor.settings.maxLagMs) this.stop("PAUSED", "BUS_LAG", `execution report arrived ${lag} ms after it was sent`);
    if (actor.state.name === "ACTIVE") this.requote();
    this.syncCountdown();
  }

  private onLiveFill(report: Extract<ExecutionReport, { kind: "FILL" }>): void {
    const ledger = this.actor.ledger;
    this.emit({
      type: "fill",
      execId: report.execId,
      clientOrderId: report.clientOrderId,
      side: report.side,
      px: report.px,
      qty: report.qty,
      fee: report.fee,
      liquidity: report.liquidity,
      position: toDecimalString(ledger.position),
      avgEntryPx: ledger.averageEntryPrice ? toDecimalString(ledger.averageEntryPrice) : null,
      realizedPnl: toDecimalString(ledger.realizedPnl),
      fees: toDecimalString(ledger.fees),
    });
    if (positionBreached(ledger.position, this.actor.parameters.maxPosition)) {
      this.stop("HALTED", "POSITION_LIMIT", `position ${ledger.position.toFixed()} beyond ${this.actor.parameters.maxPosition.toFixed()}`);
    }
    this.reportRisk();
  }

  private onSubmissionFailed(intent: OrderIntent, reason: string): void {
    this.log("warn", "intent submission failed", { intentId: intent.intentId, intentKind: intent.kind, reason });
    // No ack: the order may be live. It stays tracked until a report settles it, and a
    // cancel for it still goes out.
    if (intent.kind === "NEW" && this.actor.orders.get(intent.clientOrderId)?.status !== "PENDING_CANCEL") {
      this.sendActions([{ kind: "CANCEL", clientOrderId: intent.clientOrderId }]);
    }
    this.recordRejection(`submission of ${intent.kind} failed: ${reason}`);
  }

  private recordRejection(detail: string): void {
    const storm = this.actor.rejections.record(this.now);
    if (storm) this.stop("HALTED", "REJECT_STORM", `${this.actor.rejections.recent} rejections within ${this.actor.settings.rejectStorm.windowMs} ms; last ${detail}`);
  }

  private onRecoveryComplete(): void {
    this.actor.recovering = false;
    this.log("info", "recovery complete", { position: this.actor.ledger.position.toFixed(), openOrders: this.actor.orders.all().length });
    this.cancelLeftovers();
    this.reportRisk();
  }

  private cancelLeftovers(): void {
    const actor = this.actor;
    if (!actor.leftoverCancelPending || actor.recovering || actor.ownership !== "HELD" || !actor.connected) return;
    actor.leftoverCancelPending = false;
    this.sendCancelAll("STARTUP");
  }

  // Connection and ownership ----------------------------------------------------

  private onConnectionRestored(): void {
    this.actor.connected = true;
    if (this.actor.cancelAllOnReconnect) {
      this.actor.cancelAllOnReconnect = false;
      this.sendCancelAll("NATS_DISCONNECTED");
    }
    this.cancelLeftovers();
    // Market data may have been missed while away: rebuild the book from a snapshot.
    this.actor.awaitingSnapshot = true;
    this.requestSnapshot();
  }

  private onOwnership(status: "HELD" | "LOST" | "OWNED_ELSEWHERE", owner: string | undefined): void {
    const actor = this.actor;
    const before = actor.ownership;
    actor.ownership = status;
    actor.owner = owner;
    if (status === "HELD") {
      if (before !== "HELD") this.log("info", "ownership lease held", {});
      this.cancelLeftovers();
      // Taken over from another instance: the symbol starts here PAUSED (STARTUP), as after a
      // restart. OWNED_ELSEWHERE would tell on-call that someone else still holds the lease.
      if (actor.state.name === "PAUSED" && actor.state.reason === "OWNED_ELSEWHERE") this.transition("PAUSED", "STARTUP", "the lease is held now", false, false);
      return;
    }
    // Someone else holds a lease we never had: stay out. Held a moment ago: it was lost.
    if (status === "OWNED_ELSEWHERE" && before !== "HELD") {
      this.stop("PAUSED", "OWNED_ELSEWHERE", `the lease is held by ${owner ?? "another instance"}`);
      return;
    }
    // Lost: another instance may now own the symbol and the account, so no CANCEL_ALL;
    // only our own orders are cancelled, one by one.
    const ours: OrderAction[] = actor.orders.all().map((order) => ({ kind: "CANCEL", clientOrderId: order.clientOrderId }));
    this.transition("PAUSED", "OWNERSHIP_LOST", `the lease was lost${owner ? ` to ${owner}` : ""}`, true, false);
    this.sendActions(ours, true);
    // Whoever holds the lease next cancels leftovers; if it is us again, so do we.
    actor.leftoverCancelPending = true;
  }

  private onGlobalRisk(breach: GlobalBreach | undefined): void {
    this.actor.globalBreach = breach;
    if (breach) this.stop("HALTED", breach.reason, breach.detail);
  }

  // Timer -------------------------------------------------------------------------

  private onTimer(): void {
    const actor = this.actor;
    if (actor.lastTimerAt !== undefined && this.now > actor.lastTimerAt) actor.timerIntervalMs = this.now - actor.lastTimerAt;
    actor.lastTimerAt = this.now;
    if (actor.monitor.isStale(this.now) && actor.state.name === "ACTIVE") this.stop("PAUSED", "MD_STALE", `no market data for more than ${actor.settings.config.staleMs} ms`);
    if (actor.awaitingSnapshot && actor.connected && (actor.lastSnapshotRequestAt === undefined || this.now - actor.lastSnapshotRequestAt >= TIMINGS.snapshotRetryMs)) this.requestSnapshot();
    if (actor.state.name === "ACTIVE") this.requote();
    else this.retryUnsettledCancels();
    this.syncCountdown();
    if (actor.lastRiskReportAt === undefined || this.now - actor.lastRiskReportAt >= TIMINGS.riskReportMs) this.reportRisk();
  }

  /**
   * While stopped nothing may rest: an order not being cancelled (e.g. its cancel was
   * refused with RATE_LIMIT) is cancelled again, and a cancel that no report has settled
   * is sent again. Nothing goes out while the actor cannot send.
   */
  private retryUnsettledCancels(): void {
    if (!this.canSend()) return;
    const stale = this.actor.orders.all().filter((order) => order.status !== "PENDING_CANCEL" || (order.cancelSentAt !== undefined && this.now - order.cancelSentAt >= TIMINGS.cancelRetryMs));
    if (stale.length > 0) this.sendActions(stale.map((order) => ({ kind: "CANCEL", clientOrderId: order.clientOrderId })));
  }

  /** Four times a second and on every fill: only what the risk actor needs, no volatility. */
  private reportRisk(): void {
    const ledger = this.actor.ledger;
    const mid = marketTouch(this.actor).mid;
    this.actor.lastRiskReportAt = this.now;
    this.commands.push({ kind: "RISK_REPORT", report: { symbol: this.symbol, position: toDecimalString(ledger.position), exposure: toDecimalString(ledger.exposure(mid)), equity: toDecimalString(ledger.equity(mid)) } });
  }

  // Quoting -----------------------------------------------------------------------

  private canSend(): boolean {
    const actor = this.actor;
    return actor.ownership === "HELD" && actor.connected && !actor.recovering;
  }

  private requote(touch?: ReturnType<typeof marketTouch>): void {
    const actor = this.actor;
    const book = actor.book;
    if (actor.state.name !== "ACTIVE" || !book || actor.awaitingSnapshot || !this.canSend()) return;
    // Quote around everyone else's market: our own orders are not a price signal.
    const { bid: bestBid, ask: bestAsk } = touch ?? marketTouch(actor);
    if (!bestBid || !bestAsk || bestBid.gte(bestAsk)) return;
    const quote = computeQuote(
      {
        bestBid,
        bestAsk,
        position: actor.ledger.position,
        restingBuyQuantity: actor.orders.cancellingQuantity("BUY"),
        restingSellQuantity: actor.orders.cancellingQuantity("SELL"),
      },
      actor.parameters,
    );
    this.emitQuoteIfChanged(quote, bestBid, bestAsk);
    const config = actor.settings.config;
    const actions = actor.orders.reconcile(
      { bid: quote.bid, ask: quote.ask },
      this.now,
      { tickSize: actor.parameters.tickSize, requoteToleranceTicks: config.requoteToleranceTicks, maxOrdersPerSecond: config.maxOrdersPerSecond, cancelRetryMs: TIMINGS.cancelRetryMs },
      () => this.nextId("O"),
    );
    if (actions.some((action) => action.kind === "NEW")) this.armCountdown();
    this.sendActions(actions, false, true);
  }

  private emitQuoteIfChanged(quote: Quote, bestBid: Decimal, bestAsk: Decimal): void {
    const key = `${quote.bid?.price.toFixed() ?? "-"}/${quote.ask?.price.toFixed() ?? "-"}/${this.actor.ledger.position.toFixed()}`;
    if (key === this.actor.lastQuoteKey) return;
    this.actor.lastQuoteKey = key;
    this.emit({
      type: "quote",
      mid: toDecimalString(quote.mid),
      bestBid: toDecimalString(bestBid),
      bestAsk: toDecimalString(bestAsk),
      position: toDecimalString(this.actor.ledger.position),
      bid: quote.bid ? { px: formatToStep(quote.bid.price, this.actor.parameters.tickSize), qty: formatToStep(quote.bid.quantity, this.actor.parameters.lotSize) } : null,
      ask: quote.ask ? { px: formatToStep(quote.ask.price, this.actor.parameters.tickSize), qty: formatToStep(quote.ask.quantity, this.actor.parameters.lotSize) } : null,
    });
  }

  /**
   * Turns order actions into contract intents. `recorded`: the order manager already
   * knows about them (reconcile records as it decides).
   */
  private sendActions(actions: readonly OrderAction[], ignoreOwnership = false, recorded = false): void {
    const actor = this.actor;
    for (const action of actions) {
      if (!recorded && action.kind === "CANCEL") actor.orders.recordCancel(action.clientOrderId, this.now);
      const common = { intentId: this.nextId("I"), account: actor.settings.account, symbol: this.symbol, ts: this.now };
      const intent: OrderIntent =
        action.kind === "NEW"
          ? { kind: "NEW", ...common, clientOrderId: action.clientOrderId, side: action.side, type: "LIMIT", tif: "POST_ONLY", px: formatToStep(action.price, actor.parameters.tickSize), qty: formatToStep(action.quantity, actor.parameters.lotSize), tag: "MM" }
          : { kind: "CANCEL", ...common, clientOrderId: action.clientOrderId };
      this.sendIntent(intent, ignoreOwnership);
      if (actor.mode === "shadow") actor.orders.settleAsShadow(action);
    }
  }

  private sendCancelAll(reason: string): void {
    const actor = this.actor;
    const intent: OrderIntent = { kind: "CANCEL_ALL", intentId: this.nextId("I"), account: actor.settings.account, symbol: this.symbol, reason, ts: this.now };
    actor.orders.recordCancelAll(this.now);
    this.sendIntent(intent);
    if (actor.mode === "shadow") actor.orders.forgetAllAsShadow();
  }

  private sendIntent(intent: OrderIntent, ignoreOwnership = false): void {
    const shadow = this.actor.mode === "shadow";
    if (!shadow && !ignoreOwnership && this.actor.ownership !== "HELD") return;
    // Disconnected: a publish could only fail and count toward the reject storm. Cancels
    // stay recorded and are retried; a stop's CANCEL_ALL is kept for the reconnect.
    if (!shadow && !this.actor.connected) return;
    this.emit({ type: "intent", shadow, intent });
    if (!shadow) this.commands.push({ kind: "SEND_INTENT", intent });
  }

  // Dead-man's switch --------------------------------------------------------------

  private armCountdown(): void {
    const actor = this.actor;
    const timeoutMs = actor.settings.config.deadManMs;
    if (timeoutMs === 0 || actor.mode === "shadow" || actor.countdownArmed) return;
    actor.countdownArmed = true;
    actor.lastCountdownAt = this.now;
    this.sendIntent({ kind: "COUNTDOWN", intentId: this.nextId("I"), account: actor.settings.account, symbol: this.symbol, timeoutMs, ts: this.now });
  }

  /** Refresh while anything may rest; switch off once nothing does. */
  private syncCountdown(): void {
    const actor = this.actor;
    const timeoutMs = actor.settings.config.deadManMs;
    if (timeoutMs === 0 || actor.mode === "shadow" || !this.canSend()) return;
    if (actor.orders.hasOrders()) {
      // "At least every timeoutMs / 3": refresh now if waiting for the next TIMER (allowing
      // it to be late by as much again) could leave a longer gap.
      if (!actor.countdownArmed || actor.lastCountdownAt === undefined || this.now - actor.lastCountdownAt + 2 * actor.timerIntervalMs >= timeoutMs / 3) {
        actor.countdownArmed = true;
        actor.lastCountdownAt = this.now;
        this.sendIntent({ kind: "COUNTDOWN", intentId: this.nextId("I"), account: actor.settings.account, symbol: this.symbol, timeoutMs, ts: this.now });
      }
    } else if (actor.countdownArmed) {
      actor.countdownArmed = false;
      actor.lastCountdownAt = this.now;
      this.sendIntent({ kind: "COUNTDOWN", intentId: this.nextId("I"), account: actor.settings.account, symbol: this.symbol, timeoutMs: 0, ts: this.now });
    }
  }

  // States ------------------------------------------------------------------------

  /** An automatic stop: cancels first, then the state event and an alert. */
  private stop(target: StopTarget, reason: StopReason, detail: string): void {
    // Another instance holds the lease: the symbol stays PAUSED with reason OWNED_ELSEWHERE (contract);
    // a pause for a market-data fault of a symbol it may not trade would hide that from on-call.
    const actor = this.actor;
    if (target === "PAUSED" && actor.ownership === "OWNED_ELSEWHERE" && actor.state.name === "PAUSED" && actor.state.reason === "OWNED_ELSEWHERE") return;
    this.transition(target, reason, detail, true, true);
  }

  private transition(target: StopTarget, reason: StopReason, detail: string, automatic: boolean, cancelAll: boolean): void {
    const actor = this.actor;
    const change = stopTransition(actor.state, target, reason);
    if (change.kind === "UNCHANGED") return;
    if (change.kind === "MOVED" && cancelAll) {
      if (actor.connected) this.sendCancelAll(reason);
      else actor.cancelAllOnReconnect = true;
    }
    actor.state = change.to;
    actor.lastQuoteKey = undefined;
    this.emit({ type: "state", from: change.from.name, to: change.to.name, reason });
    if (change.kind === "MOVED" && automatic) {
      // Event text is bounded (the contract's Text): a detail quoting a hostile message could be megabytes.
      const text = detail.length > LIMITS.maxTextLength ? `${detail.slice(0, LIMITS.maxTextLength - 1)}…` : detail;
      this.emit({ type: "alert", reason, from: change.from.name, to: change.to.name, message: text });
      this.emit({ type: "risk", reason, detail: text });
    }
    this.log(change.kind === "MOVED" && target === "HALTED" ? "error" : "warn", `symbol ${change.to.name}`, { from: change.from.name, to: change.to.name, reason, detail });
  }

  // Control -----------------------------------------------------------------------

  private onControl(requestId: string, command: string, rawBody: unknown): void {
    const actor = this.actor;
    const from = actor.state.name;
    const parsed = validators.controlBody(rawBody);
    const body: ControlBody | undefined = parsed.ok ? parsed.value : undefined;
    let refusal: string | undefined;

    if (!(CONTROL_COMMANDS as readonly string[]).includes(command)) {
      refusal = "UNKNOWN_COMMAND";
    } else if (OPERATOR_COMMANDS.has(command) && (!body || !body.operator || body.reason === undefined || body.reason.trim() === "")) {
      refusal = parsed.ok || rawBody === undefined ? "OPERATOR_REQUIRED" : "INVALID_BODY";
    } else {
      refusal = this.applyCommand(command, body);
    }

    const result = { symbol: this.symbol, from, to: actor.state.name, accepted: refusal === undefined, ...(refusal ? { reason: refusal } : {}) };
    this.emit({
      type: "control",
      command,
      operator: body?.operator ?? null,
      operatorReason: body?.reason ?? null,
      accepted: result.accepted,
      refusal: refusal ?? null,
      from,
      to: actor.state.name,
    });
    this.log("info", result.accepted ? "control command accepted" : "control command refused", { command, operator: body?.operator, refusal, from, to: actor.state.name });
    this.commands.push({ kind: "CONTROL_RESULT", requestId, result });
  }

  /** Returns the refusal reason, or undefined when the command was carried out. */
  private applyCommand(command: string, body: ControlBody | undefined): string | undefined {
    const actor = this.actor;
    switch (command) {
      case "kill":
        // Safe commands always cancel, whatever the state.
        if (actor.state.name === "HALTED") {
          this.cancelAllNowOrOnReconnect("MANUAL_KILL");
          return undefined;
        }
        this.transition("HALTED", "MANUAL_KILL", "manual kill", false, true);
        return undefined;
      case "pause":
        if (actor.state.name === "HALTED") {
          this.cancelAllNowOrOnReconnect("MANUAL_PAUSE");
          return "HALTED_NEEDS_RESET";
        }
        if (actor.state.name === "PAUSED") {
          this.cancelAllNowOrOnReconnect("MANUAL_PAUSE");
          this.transition("PAUSED", "MANUAL_PAUSE", "manual pause", false, false);
          return undefined;
        }
        this.transition("PAUSED", "MANUAL_PAUSE", "manual pause", false, true);
        return undefined;
      case "reset":
        if (actor.state.name !== "HALTED") return "NOT_HALTED";
        // Every move into PAUSED cancels first; a halted symbol should hold nothing, this makes sure.
        this.cancelAllNowOrOnReconnect("MANUAL_RESET");
        actor.state = { name: "PAUSED", reason: "MANUAL_RESET" };
        this.emit({ type: "state", from: "HALTED", to: "PAUSED", reason: "MANUAL_RESET" });
        return undefined;
      case "resume": {
        if (actor.state.name === "ACTIVE") return undefined;
        const blocker = this.resumeBlocker();
        if (blocker) return blocker;
        actor.state = { name: "ACTIVE", reason: null };
        this.emit({ type: "state", from: "PAUSED", to: "ACTIVE", reason: null });
        this.requote();
        return undefined;
      }
      case "shadow": {
        if (typeof body?.enabled !== "boolean") return "INVALID_BODY";
        if (body.enabled) {
          if (actor.mode === "live" && actor.orders.hasOrders()) this.cancelAllNowOrOnReconnect("SHADOW_MODE");
          actor.mode = "shadow";
          actor.orders.forgetAllAsShadow();
          actor.countdownArmed = false;
          return undefined;
        }
        if (actor.state.name === "ACTIVE") return "PAUSE_FIRST";
        if (actor.mode === "shadow") actor.orders.forgetAllAsShadow();
        actor.mode = "live";
        return undefined;
      }
      default:
        return "UNKNOWN_COMMAND";
    }
  }

  private cancelAllNowOrOnReconnect(reason: string): void {
    if (this.actor.connected) this.sendCancelAll(reason);
    else this.actor.cancelAllOnReconnect = true;
  }

  /** Why the symbol may not quote now, checked in the order on-call would fix them. */
  private resumeBlocker(): string | undefined {
    const actor = this.actor;
    if (actor.state.name === "HALTED") return "HALTED_NEEDS_RESET";
    if (actor.recovering) return "STARTUP";
    if (actor.ownership === "OWNED_ELSEWHERE" || actor.ownership === "UNKNOWN") return "OWNED_ELSEWHERE";
    if (actor.ownership === "LOST") return "OWNERSHIP_LOST";
    if (!actor.connected) return "NATS_DISCONNECTED";
    if (!actor.book) return "NO_BOOK";
    if (actor.awaitingSnapshot) return "MD_GAP";
    if (actor.monitor.isStale(this.now)) return "MD_STALE";
    if (actor.book.isCrossed()) return "MD_CROSSED";
    if (!actor.book.bestBid() || !actor.book.bestAsk()) return "NO_BOOK";
    if (actor.monitor.marketStatus === undefined) return "NO_MARKET_STATUS";
    if (!actor.monitor.isTrading()) return "MARKET_HALTED";
    if (actor.lastLagMs !== undefined) return "BUS_LAG";
    if (positionBreached(actor.ledger.position, actor.parameters.maxPosition)) return "POSITION_LIMIT";
    if (actor.globalBreach) return actor.globalBreach.reason;
    if (actor.rejections.isStorm(this.now)) return "REJECT_STORM";
    return undefined;
  }

  // Output helpers ---------------------------------------------------------------

  private emit(event: AuditEventBody): void {
    this.commands.push({ kind: "EMIT_EVENT", event });
  }

  private log(level: LogLevel, message: string, fields: Record<string, unknown>): void {
    this.commands.push({ kind: "LOG", level, message, fields: { symbol: this.symbol, ...fields } });
  }

  private nextId(kind: "I" | "O"): string {
    const id = `${this.actor.settings.idPrefix}-${kind}${this.actor.nextId}`;
    this.actor.nextId += 1;
    return id;
  }
}

type SymbolEventSnapshot = Extract<SymbolEvent, { kind: "BOOK_SNAPSHOT" }>["snapshot"];
type SymbolEventDelta = Extract<SymbolEvent, { kind: "BOOK_DELTA" }>["delta"];
type SymbolEventStatus = Extract<SymbolEvent, { kind: "MARKET_STATUS" }>["status"];

