import type { Job } from './plan.js';
import { summarize } from './stats.js';
import type { Row, Sample } from './types.js';

/** Collects the samples of every repetition and turns each series into one Row. */
export class ResultCollector {
  readonly #series = new Map<string, { job: Job; sample: Sample; values: number[] }>();

  add(job: Job, samples: readonly Sample[]): void {
    for (const sample of samples) {
      const key = `${job.system.name}|${sample.metric}|${sample.variant ?? ''}`;
      const series = this.#series.get(key) ?? { job, sample, values: [] };
      series.values.push(sample.value);
      this.#series.set(key, series);
    }
  }

  rows(): Row[] {
    return [...this.#series.values()].map(({ job, sample, values }) => {
      const note = sample.variant === 'transfer' ? job.system.transferNote : sample.note;
      const { median, min, max } = summarize(values);
      const row: Row = {
        system: job.system.name,
        kind: job.system.kind,
        metric: sample.metric,
        median,
        min,
        max,
        unit: sample.unit,
        reps: values.length,
      };
      if (sample.variant) row.variant = sample.variant;
      if (note) row.note = note;
      return row;
    });
  }
}
