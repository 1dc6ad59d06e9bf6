import { createHistogram, monitorEventLoopDelay, performance, type EventLoopUtilization, type RecordableHistogram } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";
import type { CounterName, GaugeName, MetricAttributes } from "./metric-catalogue";

/** What both the registry (main thread) and a WorkerMetricsRecorder (worker thread) accept. */
export interface MetricSink {
  add(name: CounterName, value: number, attributes?: MetricAttributes): void;
  set(name: GaugeName, value: number, attributes?: MetricAttributes): void;
}

/** `coordinator` for the main thread; `symbol` together with a `symbol` label for a symbol worker. */
export type ThreadLabels = { readonly thread: "coordinator" } | { readonly thread: "symbol"; readonly symbol: string };

const NANOSECONDS_PER_SECOND = 1e9;
const MICROSECONDS_PER_SECOND = 1e6;

/** Microseconds of CPU of the calling thread; the whole process where Node lacks threadCpuUsage. */
function threadCpuMicroseconds(): number {
  const usage = typeof process.threadCpuUsage === "function" ? process.threadCpuUsage() : process.cpuUsage();
  return usage.user + usage.system;
}

/** What the sampler reads the event-loop delay from: nanoseconds, as node's histograms hold them. */
export interface DelayHistogram {
  readonly count: number;
  readonly max: number;
  percentile(percentile: number): number;
  reset(): void;
}

/**
 * Event-loop delay measured on a timer the thread runs anyway (a symbol worker's 100 ms
 * TIMER): how late each firing came. monitorEventLoopDelay would wake the thread every 10 ms
 * for it, which in 20 idle workers costs more CPU than everything else they do.
 */
export class TimerLateness {
  readonly histogram: RecordableHistogram = createHistogram();
  private lastAt: number | undefined;

  /** The timer of period `intervalMs` fired now. */
  fired(intervalMs: number): void {
    const now = performance.now();
    if (this.lastAt !== undefined) this.histogram.record(Math.max(1, Math.round((now - this.lastAt - intervalMs) * 1e6)));
    this.lastAt = now;
  }
}

/**
 * Event-loop delay, event-loop utilization, heap and CPU of the thread that creates it:
 * what explains a BUS_LAG (a busy or paused loop) in the thread that raised it.
 * Each sample covers the time since the previous one.
 */
export class ThreadRuntimeSampler {
  private readonly delay: DelayHistogram;
  private readonly monitor: ReturnType<typeof monitorEventLoopDelay> | undefined;
  private lastUtilization: EventLoopUtilization = performance.eventLoopUtilization();
  // From zero: the first sample adds the thread's whole CPU so far.
  private reportedCpuMicroseconds = 0;

  constructor(
    private readonly sink: MetricSink,
    private readonly labels: ThreadLabels,
    /** Where the delay comes from; a 10 ms monitor of the thread's own when not given. */
    delay?: DelayHistogram,
  ) {
    if (delay) this.delay = delay;
    else {
      this.monitor = monitorEventLoopDelay({ resolution: 10 });
      this.monitor.enable();
      this.delay = this.monitor;
    }
  }

  sample(): void {
    const utilization = performance.eventLoopUtilization(this.lastUtilization);
    this.lastUtilization = performance.eventLoopUtilization();
    const labels: MetricAttributes = this.labels;
    // The histogram is empty until the loop has run a whole resolution period.
    const delayed = this.delay.count > 0;
    this.sink.set("thread_event_loop_delay_seconds", delayed ? this.delay.percentile(99) / NANOSECONDS_PER_SECOND : 0, labels);
    this.sink.set("thread_event_loop_delay_max_seconds", delayed ? this.delay.max / NANOSECONDS_PER_SECOND : 0, labels);
    this.delay.reset();
    this.sink.set("thread_event_loop_utilization_ratio", utilization.utilization, labels);
    this.sink.set("thread_heap_used_bytes", getHeapStatistics().used_heap_size, labels);
    const cpu = threadCpuMicroseconds();
    this.sink.add("thread_cpu_seconds", Math.max(0, cpu - this.reportedCpuMicroseconds) / MICROSECONDS_PER_SECOND, labels);
    this.reportedCpuMicroseconds = cpu;
  }

  stop(): void {
    this.monitor?.disable();
  }
}

/** CPU, resident memory and start time of the whole process; sampled by the main thread. */
export class ProcessRuntimeSampler {
  private reportedCpuMicroseconds = 0;

  constructor(private readonly sink: MetricSink) {}

  sample(): void {
    const usage = process.cpuUsage();
    const cpu = usage.user + usage.system;
    this.sink.add("process_cpu_seconds", Math.max(0, cpu - this.reportedCpuMicroseconds) / MICROSECONDS_PER_SECOND);
    this.reportedCpuMicroseconds = cpu;
    this.sink.set("process_resident_memory_bytes", process.memoryUsage.rss());
    this.sink.set("process_start_time_seconds", performance.timeOrigin / 1000);
  }
}

/**
 * Samples the calling worker thread every `intervalMs` into its recorder; the timer never
 * keeps the thread alive. `intervalMs` 0: no timer of its own, the thread calls `sample()`
 * from one it has anyway (an idle thread then wakes once a second, not once per job).
 */
export function startThreadRuntimeMetrics(sink: MetricSink, labels: ThreadLabels, intervalMs = 1000, delay?: DelayHistogram): { sample(): void; stop(): void } {
  const sampler = new ThreadRuntimeSampler(sink, labels, delay);
  const timer = intervalMs > 0 ? setInterval(() => sampler.sample(), intervalMs) : undefined;
  timer?.unref();
  return {
    sample: () => sampler.sample(),
    stop: () => {
      if (timer) clearInterval(timer);
      sampler.sample();
      sampler.stop();
    },
  };
}
