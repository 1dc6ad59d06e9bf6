/** One sample of a Prometheus text exposition. */
export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the text format (comments skipped). */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || !line.trim()) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? "").matchAll(LABEL)) labels[label[1]!] = label[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** GET http://127.0.0.1:<port>/metrics of the MMS. */
export async function scrapeMetrics(httpPort: number): Promise<MetricSample[]> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return parseMetrics(await response.text());
}

export function sumOf(samples: readonly MetricSample[], name: string, filter: (labels: Readonly<Record<string, string>>) => boolean = () => true): number {
  return samples.filter((sample) => sample.name === name && filter(sample.labels)).reduce((sum, sample) => sum + sample.value, 0);
}

export function maxOf(samples: readonly MetricSample[], name: string): number {
  const values = samples.filter((sample) => sample.name === name).map((sample) => sample.value);
  return values.length > 0 ? Math.max(...values) : Number.NaN;
}

/**
 * Samples of a histogram above a bound: count minus the cumulative bucket at the largest
 * `le` <= bound, summed over series. Tells whether any observation was above `bound`.
 */
export function histogramCountAbove(samples: readonly MetricSample[], name: string, bound: number): { total: number; above: number } {
  const bySeries = new Map<string, { count: number; below: number; belowLe: number }>();
  const key = (labels: Readonly<Record<string, string>>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([label]) => label !== "le")
        .sort(),
    );
  for (const sample of samples) {
    if (sample.name === `${name}_count`) {
      const entry = bySeries.get(key(sample.labels)) ?? { count: 0, below: 0, belowLe: -Infinity };
      entry.count = sample.value;
      bySeries.set(key(sample.labels), entry);
    } else if (sample.name === `${name}_bucket`) {
      const le = Number(sample.labels.le === "+Inf" ? Infinity : sample.labels.le);
      if (!(le <= bound)) continue;
      const entry = bySeries.get(key(sample.labels)) ?? { count: 0, below: 0, belowLe: -Infinity };
      if (le > entry.belowLe) {
        entry.belowLe = le;
        entry.below = sample.value;
      }
      bySeries.set(key(sample.labels), entry);
    }
  }
  let total = 0;
  let above = 0;
  for (const entry of bySeries.values()) {
    total += entry.count;
    above += entry.count - entry.below;
  }
  return { total, above };
}
