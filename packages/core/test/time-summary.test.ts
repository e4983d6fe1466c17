import { describe, expect, it } from 'vitest';
import { DurationSummary, RECENT_SAMPLES } from '../src/pool/time-summary.js';

describe('DurationSummary', () => {
  it('is all zero before the first sample', () => {
    expect(new DurationSummary().snapshot()).toEqual({ count: 0, mean: 0, min: 0, max: 0, p50: 0, p99: 0 });
  });

  it('gives count, mean, min, max and nearest-rank percentiles', () => {
    const summary = new DurationSummary();
    for (let ms = 100; ms >= 1; ms--) summary.record(ms);
    expect(summary.snapshot()).toEqual({ count: 100, mean: 50.5, min: 1, max: 100, p50: 50, p99: 99 });
    expect(summary.total).toBe(5050);
  });

  it('takes percentiles from the latest samples only, and count, mean, min, max from all', () => {
    const summary = new DurationSummary();
    summary.record(1_000_000);
    for (let index = 0; index < RECENT_SAMPLES; index++) summary.record(5);
    const snapshot = summary.snapshot();
    expect(snapshot.count).toBe(RECENT_SAMPLES + 1);
    expect(snapshot.max).toBe(1_000_000);
    expect(snapshot.min).toBe(5);
    expect(snapshot.p99).toBe(5);
    expect(snapshot.mean).toBeCloseTo((1_000_000 + 5 * RECENT_SAMPLES) / (RECENT_SAMPLES + 1));
  });
});
