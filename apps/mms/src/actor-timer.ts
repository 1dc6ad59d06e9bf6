export interface ActorTimerOptions {
  /** The actor's next due moment (nextTimerDueAt), in `clock` ms; Infinity for none. */
  readonly dueAt: () => number;
  /** Steps a TIMER event; the step's own `arm()` afterwards arms the next one. */
  readonly fire: () => void;
  readonly clock: () => number;
}

/**
 * One timer for a symbol actor, armed for the moment the actor says it next needs one
 * instead of a tick every 100 ms: an idle symbol costs per thing due. `arm()` after every
 * step moves it only when the new moment is sooner (no setTimeout per message); when it
 * fires, a TIMER is stepped only if something is still due then, otherwise it is armed again.
 */
export class ActorTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private armedFor = Infinity;
  private running = false;
  private readonly onFired = () => this.fired();

  constructor(private readonly options: ActorTimerOptions) {}

  start(): void {
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  arm(): void {
    if (!this.running) return;
    const due = this.options.dueAt();
    if (due >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = due;
    this.timer = setTimeout(this.onFired, Math.max(0, due - this.options.clock()));
  }

  private fired(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    if (!this.running) return;
    if (this.options.dueAt() <= this.options.clock()) this.options.fire();
    else this.arm();
  }
}
