// Comparing shown runs (src/ui/charts/compare.ts) and a chart as files (export.ts): the keys that
// vary, last/best/smoothed values and differences from a baseline, sorting, tokens as the x axis when
// effective batches differ, colours by a key (log for learning rates), groups as mean and band, the
// CSV and SVG of a chart, and the readout at the cursor.
import { describe, expect, it } from 'vitest';
import { autoAxis, colorsByKey, groupCurves, groupsByKey, interpolate, sortRows, tableRows, valueOf, varyingKeys } from '../../../src/ui/charts/compare';
import { chartCsv, chartSvg, readoutAt, readoutText } from '../../../src/ui/charts/export';
import type { ChartSeries } from '../../../src/ui/charts/metric-chart';
import { parseCsv } from '../../../src/runs/csv';
import { curve, makeRecord } from '../helpers/records';

const run = (lr: number, bs: number, seed: number, evals: [number, number][], more: { accum?: number; name?: string } = {}) =>
  makeRecord({ name: more.name ?? `lr ${lr} bs ${bs} s${seed}`, config: { model: 'tiny', learning_rate: lr, batch_size: bs, grad_accum_steps: more.accum ?? 1, seed }, losses: curve(1, 100, (s) => 3 - s / 100 - lr), evals });

describe('the run table', () => {
  const a = run(1e-3, 4, 1, [[0, 3], [50, 2.6], [100, 2.7]]);
  const b = run(3e-3, 4, 1, [[0, 3], [50, 2.5], [100, 2.4]]);
  const c = run(3e-3, 4, 2, [[0, 3], [50, 2.55], [100, 2.45]]);

  it('shows the keys that vary, and no label keys', () => {
    expect(varyingKeys([a, b, c])).toEqual(['seed', 'learning_rate']);
    expect(varyingKeys([a])).toEqual([]);
  });

  it('gives last, best or smoothed-final validation loss, and each run\'s difference from the baseline', () => {
    expect(valueOf(a, 'last', 0.6)).toBe(2.7);
    expect(valueOf(a, 'best', 0.6)).toBe(2.6);
    // Debiased EMA of 3, 2.6, 2.7 with weight 0.5: (0.125·3 + 0.25·2.6 + 0.5·2.7) / 0.875.
    expect(valueOf(a, 'smoothed', 0.5)).toBeCloseTo((0.125 * 3 + 0.25 * 2.6 + 0.5 * 2.7) / 0.875, 12);
    const rows = tableRows([a, b, c], ['learning_rate', 'seed'], 'last', 0, a.id);
    expect(rows.map((r) => [r.keys.learning_rate, r.value, r.diff === null ? null : Number(r.diff.toFixed(6))])).toEqual([[1e-3, 2.7, null], [3e-3, 2.4, -0.3], [3e-3, 2.45, -0.25]]);
    expect(sortRows(rows, 'value', true).map((r) => r.run.id)).toEqual([b.id, c.id, a.id]);
    expect(sortRows(rows, 'diff', false).map((r) => r.run.id)).toEqual([c.id, b.id, a.id]);
    expect(sortRows(rows, 'learning_rate', false)[2].run.id).toBe(a.id);
  });

  it('plots against tokens when the shown runs differ in effective batch', () => {
    expect(autoAxis([a, b])).toBe('step');
    expect(autoAxis([a, run(1e-3, 2, 1, [], { accum: 2 })])).toBe('step');
    expect(autoAxis([a, run(1e-3, 16, 1, [])])).toBe('tokens');
  });
});

describe('colours and groups', () => {
  it('colours by a key: a log ramp for learning rates (dark low, yellow high), the palette for text', () => {
    const runs = [1e-4, 1e-3, 1e-2].map((lr, i) => run(lr, 4, i, []));
    const col = colorsByKey(runs, 'learning_rate');
    expect([...col.values()]).toEqual(['#440154', '#21918c', '#fde725']);
    const byName = colorsByKey(runs, 'model');
    expect(new Set(byName.values()).size).toBe(1);
    expect(colorsByKey(runs, null).get(runs[1].id)).toBe('#f28e2b');
  });

  it('interpolates a curve within its range only', () => {
    expect(interpolate([0, 10], [1, 3], 5)).toBe(2);
    expect(interpolate([0, 10], [1, 3], 10)).toBe(3);
    expect([interpolate([0, 10], [1, 3], 11), interpolate([5, 10], [1, 3], 0), interpolate([0, 10], [1, null], 5)]).toEqual([null, null, null]);
  });

  it('groups by a key into a mean line with a min–max or ±1 std band, the runs faint behind', () => {
    const r1 = run(1e-3, 4, 1, [[0, 3], [100, 2.4]]);
    const r2 = run(1e-3, 4, 2, [[0, 3], [100, 2.6]]);
    const r3 = run(3e-3, 4, 1, [[0, 3], [100, 2.2]]);
    const groups = groupsByKey([r1, r2, r3], 'learning_rate');
    expect(groups.map((g) => [g.value, g.runs.length])).toEqual([[1e-3, 2], [3e-3, 1]]);
    const s = groupCurves('lr 1e-3', groups[0].runs, 'val_loss', 'step', 'minmax', 0, '#123456');
    expect(s.map((x) => [x.label, !!x.faint])).toEqual([[r1.name, true], [r2.name, true], ['lr 1e-3 max', true], ['lr 1e-3 min', true], ['lr 1e-3 mean (2 runs)', false]]);
    expect(s[2].bandTo).toBe('lr 1e-3 min');
    expect(s[4].y).toEqual([3, 2.5]);
    expect(s[2].y).toEqual([3, 2.6]);
    expect(s[3].y).toEqual([3, 2.4]);
    const sd = groupCurves('g', groups[0].runs, 'val_loss', 'step', 'std', 0, '#123456');
    // Runs on different x points: each is interpolated within its own range, and left out past its end.
    const short = run(1e-3, 4, 3, [[0, 3], [50, 2.0]]);
    const mixed = groupCurves('m', [r1, short], 'val_loss', 'step', 'minmax', 0, '#123456');
    expect(mixed[4].x).toEqual([0, 50, 100]);
    expect(mixed[4].y).toEqual([3, (2.7 + 2.0) / 2, 2.4]);
    expect(sd[2].y[1]).toBeCloseTo(2.5 + Math.SQRT1_2 * 0.2, 12);
  });
});

describe('a chart as files and as text', () => {
  const series: ChartSeries[] = [
    { x: [0, 10, 20], y: [3, 2.5, 2.2], label: 'run a', color: '#4e79a7' },
    { x: [0, 20], y: [3.1, null], label: 'run b, "faint"', color: '#f28e2b', faint: true },
    { x: [10], y: [2.4], label: '=run c', color: '#e15759', points: true },
  ];

  it('exports the CSV of what it shows: one x column and a column per curve, formulas neutralised', () => {
    const csv = parseCsv(chartCsv('step', series));
    expect(csv.fields).toEqual(['step', 'run a', 'run b, "faint"', "'=run c"]);
    expect(csv.rows).toEqual([
      { step: '0', 'run a': '3', 'run b, "faint"': '3.1', "'=run c": '' },
      { step: '10', 'run a': '2.5', 'run b, "faint"': '', "'=run c": '2.4' },
      { step: '20', 'run a': '2.2', 'run b, "faint"': '', "'=run c": '' },
    ]);
  });

  it('exports a standalone SVG with every curve, the title and the axis label', () => {
    const svg = chartSvg(series, { title: 'loss', xLabel: 'step' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(1);
    expect(svg).toContain('>loss</text>');
    expect(svg).toContain('>step</text>');
    expect(svg).toContain('<title>run b, &quot;faint&quot;</title>');
  });

  it('reads every drawn curve at the cursor: its last value at or before x', () => {
    expect(readoutAt(series, 15).map((r) => [r.label, r.value])).toEqual([['run a', 2.5], ['=run c', 2.4]]);
    expect(readoutAt(series, -1).map((r) => r.value)).toEqual([null, null]);
    expect(readoutText('step', 15, readoutAt(series, 15))).toBe('step\t15\nrun a\t2.5\n=run c\t2.4\n');
  });
});
