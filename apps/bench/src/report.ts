import { METRIC_INFO, METRIC_ORDER } from './metric-info.js';
import { isMproc, isPython, PYTHON_REFERENCE, SYSTEMS } from './systems/registry.js';
import type { Row } from './types.js';

/**
 * How many times better `value` is than `reference`: value / reference when higher is better,
 * reference / value when lower is better. So > 1 always means "better than the reference".
 */
export function timesBetter(value: number, reference: number, better: 'higher' | 'lower'): number {
  return better === 'higher' ? value / reference : reference / value;
}

/** A peer is a Node library other than mproc; Python is compared with separately. */
function isPeer(system: string): boolean {
  return !isMproc(system) && !isPython(system);
}

/** The best peer row of `kind` in one metric group, or undefined when no peer of that kind ran. */
export function bestPeer(group: readonly Row[], kind: Row['kind']): Row | undefined {
  const better = METRIC_INFO[group[0]?.metric ?? '']?.better ?? 'higher';
  let best: Row | undefined;
  for (const row of group) {
    if (!isPeer(row.system) || row.kind !== kind) continue;
    if (!best || timesBetter(row.median, best.median, better) > 1) best = row;
  }
  return best;
}

/** Three significant digits, thousands separated: 123456 → 123,000; 1.234 → 1.23. */
export function formatNumber(value: number): string {
  return value.toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

/** Two decimals, or two significant digits below 0.1 so that a large gap does not print as 0.00×. */
export function formatRatio(ratio: number): string {
  return `${ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}×`;
}

/** Rows grouped by metric and variant, groups in report order, rows in the registry's order. */
export function groupRows(rows: readonly Row[]): Row[][] {
  const order = (row: Row) => SYSTEMS.findIndex((system) => system.name === row.system);
  const groups = new Map<string, Row[]>();
  const sorted = [...rows].sort(
    (a, b) =>
      METRIC_ORDER.indexOf(a.metric) - METRIC_ORDER.indexOf(b.metric) ||
      (a.variant ?? '').localeCompare(b.variant ?? '') ||
      order(a) - order(b),
  );
  for (const row of sorted) {
    const key = `${row.metric}|${row.variant ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()];
}

/** One markdown section: a heading and a table of one metric (and variant). */
function section(group: Row[]): string[] {
  const { metric, variant, unit } = group[0];
  const info = METRIC_INFO[metric] ?? { unit, better: 'higher', title: metric };
  const python = group.find((row) => row.system === PYTHON_REFERENCE);
  const best = { thread: bestPeer(group, 'thread'), process: bestPeer(group, 'process') };
  const lines = [
    `### ${info.title}${variant ? ` (${variant})` : ''}`,
    '',
    `${unit}, ${info.better} is better. Ratios: times better than the reference (> 1 is better).`,
    '',
    '| system | kind | median | min – max | reps | vs best peer of same kind | vs python/mp-fork |',
    '|---|---|--:|--:|--:|---|--:|',
  ];
  const notes: string[] = [];
  for (const row of group) {
    const peer = best[row.kind];
    const vsPeer = peer
      ? `${formatRatio(timesBetter(row.median, peer.median, info.better))} (${peer.system})`
      : '–';
    const vsPython = python ? formatRatio(timesBetter(row.median, python.median, info.better)) : '–';
    let name = row.system;
    if (row.note) {
      notes.push(row.note);
      name += ` [${notes.length}]`;
    }
    lines.push(
      `| ${name} | ${row.kind} | ${formatNumber(row.median)} | ${formatNumber(row.min)} – ${formatNumber(row.max)} | ${row.reps} | ${vsPeer} | ${vsPython} |`,
    );
  }
  notes.forEach((note, index) => {
    lines.push('', `[${index + 1}] ${note}`);
  });
  return [...lines, ''];
}

/** The markdown report printed at the end of a run, made only from the JSON rows. */
export function markdownReport(rows: readonly Row[]): string {
  if (rows.length === 0) return 'No rows were measured.\n';
  return groupRows(rows).flatMap(section).join('\n');
}
