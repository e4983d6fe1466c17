/**
 * A running summary of durations for `pool.stats()`: count, mean, min and max over every sample, and
 * the median and 99th percentile over the most recent ones. Recording a sample writes two numbers into
 * fixed storage and allocates nothing, so a pool that runs millions of tasks keeps the same few
 * kilobytes; the percentiles are computed only when someone asks.
 */

/** Milliseconds; every field is 0 while `count` is 0. */
export interface TimeSummary {
  /** Samples recorded since the pool started. */
  readonly count: number;
  /** Mean of every sample. */
  readonly mean: number;
  /** Shortest of every sample. */
  readonly min: number;
  /** Longest of every sample. */
  readonly max: number;
  /** Median of the most recent samples (up to RECENT_SAMPLES). */
  readonly p50: number;
  /** 99th percentile of the most recent samples (up to RECENT_SAMPLES). */
  readonly p99: number;
}

/** How many of the latest samples the percentiles are taken from. */
export const RECENT_SAMPLES = 1024;

export class DurationSummary {
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;
  /** A ring of the latest samples: a window, not a random reservoir, so the figures follow changes. */
  readonly #recent = new Float64Array(RECENT_SAMPLES);

  /** Adds one duration in ms. */
  record(ms: number): void {
    this.#recent[this.#count % RECENT_SAMPLES] = ms;
    this.#count++;
    this.#sum += ms;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
  }

  /** The sum of every sample, in ms. */
  get total(): number {
    return this.#sum;
  }

  snapshot(): TimeSummary {
    const count = this.#count;
    if (count === 0) return { count: 0, mean: 0, min: 0, max: 0, p50: 0, p99: 0 };
    const recent = this.#recent.slice(0, Math.min(count, RECENT_SAMPLES)).sort();
    return {
      count,
      mean: this.#sum / count,
      min: this.#min,
      max: this.#max,
      p50: percentile(recent, 0.5),
      p99: percentile(recent, 0.99),
    };
  }
}

/** The nearest-rank percentile `q` (0 < q ≤ 1) of sorted, non-empty `values`. */
function percentile(values: Float64Array, q: number): number {
  const rank = Math.ceil(q * values.length) - 1;
  return values[Math.max(0, Math.min(values.length - 1, rank))] as number;
}
