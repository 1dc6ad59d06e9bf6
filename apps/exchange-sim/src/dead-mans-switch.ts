export interface LapsedCountdown {
  readonly account: string;
  readonly symbol: string;
}

interface Countdown extends LapsedCountdown {
  readonly deadline: number;
}

/**
 * The exchange side of COUNTDOWN: each account and symbol has at most one deadline; a newer
 * COUNTDOWN replaces it, `timeoutMs: 0` removes it. Time is an argument, never read here.
 */
export class DeadMansSwitch {
  private readonly countdowns = new Map<string, Countdown>();

  arm(account: string, symbol: string, timeoutMs: number, now: number): void {
    const key = `${account}\u0000${symbol}`;
    if (timeoutMs <= 0) this.countdowns.delete(key);
    else this.countdowns.set(key, { account, symbol, deadline: now + timeoutMs });
  }

  /** Countdowns whose deadline has passed by `now`; each fires once and is then off. */
  lapsed(now: number): LapsedCountdown[] {
    const fired: LapsedCountdown[] = [];
    for (const [key, countdown] of this.countdowns) {
      if (countdown.deadline <= now) {
        this.countdowns.delete(key);
        fired.push({ account: countdown.account, symbol: countdown.symbol });
      }
    }
    return fired;
  }

  isArmed(account: string, symbol: string): boolean {
    return this.countdowns.has(`${account}\u0000${symbol}`);
  }
}
