import { describe, expect, it } from 'vitest';
import { pythonDefaultChunksize } from '../src/metrics/map.js';
import { buildPlan } from '../src/plan.js';
import { bestPeer, formatRatio, markdownReport, timesBetter } from '../src/report.js';
import { median } from '../src/stats.js';
import { findSystem } from '../src/systems/registry.js';
import type { Row } from '../src/types.js';

function row(system: string, kind: Row['kind'], metric: string, value: number, unit: string): Row {
  return { system, kind, metric, median: value, min: value * 0.9, max: value * 1.1, unit, reps: 5 };
}

const TINY: Row[] = [
  row('mproc/threads', 'thread', 'tiny', 150_000, 'tasks/s'),
  row('mproc/fork', 'process', 'tiny', 30_000, 'tasks/s'),
  row('piscina/threads', 'thread', 'tiny', 100_000, 'tasks/s'),
  row('workerpool/thread', 'thread', 'tiny', 50_000, 'tasks/s'),
  row('tinypool/child_process', 'process', 'tiny', 40_000, 'tasks/s'),
  row('python/mp-fork', 'process', 'tiny', 20_000, 'tasks/s'),
  row('python/ppe', 'process', 'tiny', 90_000, 'tasks/s'),
];

const STARTUP: Row[] = [
  row('mproc/threads', 'thread', 'startup', 40, 'ms'),
  row('piscina/threads', 'thread', 'startup', 20, 'ms'),
  row('workerpool/thread', 'thread', 'startup', 60, 'ms'),
  row('python/mp-fork', 'process', 'startup', 80, 'ms'),
];

describe('timesBetter', () => {
  it('divides by the reference when higher is better and the other way round when lower is', () => {
    expect(timesBetter(150, 100, 'higher')).toBe(1.5);
    expect(timesBetter(40, 20, 'lower')).toBe(0.5);
  });
});

describe('formatRatio', () => {
  it('keeps two significant digits for large gaps', () => {
    expect(formatRatio(1.234)).toBe('1.23×');
    expect(formatRatio(0.0033)).toBe('0.0033×');
  });
});

describe('bestPeer', () => {
  it('picks the best Node peer of the same kind, never mproc nor Python', () => {
    expect(bestPeer(TINY, 'thread')?.system).toBe('piscina/threads');
    // python/ppe is faster, but Python has its own column
    expect(bestPeer(TINY, 'process')?.system).toBe('tinypool/child_process');
  });

  it('takes the lowest value when lower is better', () => {
    expect(bestPeer(STARTUP, 'thread')?.system).toBe('piscina/threads');
    expect(bestPeer(STARTUP, 'process')).toBeUndefined();
  });
});

describe('markdownReport', () => {
  const report = markdownReport([...TINY, ...STARTUP]);
  const line = (start: string, metric: string) =>
    report
      .split(`### ${metric}`)[1]
      .split('\n')
      .find((candidate) => candidate.startsWith(`| ${start} |`));

  it('prints ratios against the best peer of the same kind and against python/mp-fork', () => {
    expect(line('mproc/threads', 'tiny')).toContain('1.50× (piscina/threads)');
    expect(line('mproc/threads', 'tiny')).toContain('| 7.50× |');
    expect(line('mproc/fork', 'tiny')).toContain('0.75× (tinypool/child_process)');
  });

  it('inverts the ratio for lower-is-better metrics', () => {
    expect(line('mproc/threads', 'startup')).toContain('0.50× (piscina/threads)');
    expect(line('mproc/threads', 'startup')).toContain('| 2.00× |');
  });

  it('puts tiny before startup and lists systems in registry order', () => {
    expect(report.indexOf('### tiny')).toBeLessThan(report.indexOf('### startup'));
    expect(report.indexOf('| mproc/fork |')).toBeLessThan(report.indexOf('| piscina/threads |'));
  });
});

describe('plan and helpers', () => {
  it('repeats outermost and rotates the systems, with a transfer variant only where supported', () => {
    const systems = [findSystem('piscina/threads'), findSystem('python/mp-fork')];
    const plan = buildPlan(systems, ['payload'], 2);
    expect(plan.map((job) => `${job.rep}:${job.system.name}:${job.variant}`)).toEqual([
      '0:piscina/threads:copy',
      '0:piscina/threads:transfer',
      '0:python/mp-fork:copy',
      '1:python/mp-fork:copy',
      '1:piscina/threads:copy',
      '1:piscina/threads:transfer',
    ]);
  });

  it('computes the median and Python’s default chunksize', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(pythonDefaultChunksize(200_000, 2)).toBe(25_000);
    expect(pythonDefaultChunksize(10, 4)).toBe(1);
  });
});
