import { performance } from "node:perf_hooks";

/**
 * Where one symbol's market data leaves the simulator: stamped when made, dropped while
 * stopped (stop-md), held back in order while delayed (delay-md).
 */
export class MarketDataOutlet {
  stopped = false;
  delayMs = 0;
  private readonly held: { releaseAt: number; subject: string; payload: string }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly send: (subject: string, payload: string) => void) {}

  emit(subject: string, body: object): void {
    if (this.stopped) return;
    const payload = JSON.stringify(body);
    if (this.delayMs === 0 && this.held.length === 0) {
      this.send(subject, payload);
      return;
    }
    this.held.push({ releaseAt: performance.now() + this.delayMs, subject, payload });
    this.scheduleRelease();
  }

  /** Drops what is held and stops the release timer. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.held.length = 0;
  }

  private scheduleRelease(): void {
    if (this.timer !== undefined) return;
    const head = this.held[0];
    if (!head) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        const now = performance.now();
        while (this.held[0] && this.held[0].releaseAt <= now) {
          const next = this.held.shift();
          if (next) this.send(next.subject, next.payload);
        }
        this.scheduleRelease();
      },
      Math.max(0, head.releaseAt - performance.now()),
    );
  }
}
