// The learning-rate schedule, against the formula of ../shared/bench/torch_scenarios.py's sched().
import { describe, expect, it } from 'vitest';
import { EarlyStopping } from '../../../src/train/early-stopping';
import { lrAt, lrCurve, type Schedule } from '../../../src/train/schedule';

const base: Schedule = { peak: 1e-3, warmupSteps: 100, warmupInit: 1e-7, warmupShape: 'linear', kind: 'cosine', floor: 1e-4, totalSteps: 3000 };

function torchSched(s: number, peak: number, warm: number, total: number, floor: number, kind: string): number {
  if (s < warm) return 1e-7 + ((peak - 1e-7) * (s + 1)) / warm;
  if (kind === 'constant') return peak;
  const p = (s - warm) / Math.max(1, total - warm);
  return kind === 'cosine' ? floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * p)) : peak + (floor - peak) * p;
}

describe('schedule', () => {
  it.each(['cosine', 'linear', 'constant'] as const)('matches torch_scenarios sched() (%s)', (kind) => {
    for (const s of [0, 1, 50, 99, 100, 101, 1500, 2999]) {
      expect(lrAt({ ...base, kind }, s)).toBeCloseTo(torchSched(s, 1e-3, 100, 3000, 1e-4, kind), 15);
    }
  });

  it('warms up along a cosine when asked, from the initial rate to the peak', () => {
    const s = { ...base, warmupShape: 'cosine' as const, warmupSteps: 10 };
    expect(lrAt(s, 9)).toBeCloseTo(1e-3, 12);
    expect(lrAt(s, 0)).toBeGreaterThan(1e-7);
    expect(lrAt(s, 4)).toBeLessThan(1e-7 + (1e-3 - 1e-7) * 0.5);
  });

  it('ends at the floor and never goes below it', () => {
    const c = lrCurve({ ...base, totalSteps: 500, warmupSteps: 0 });
    expect(c[0]).toBe(1e-3);
    expect(Math.min(...c)).toBeGreaterThanOrEqual(1e-4);
    expect(lrAt({ ...base, totalSteps: 500, warmupSteps: 0 }, 500)).toBeCloseTo(1e-4, 12);
  });
});

describe('early stopping', () => {
  it('stops after `patience` evaluations without a new best', () => {
    const e = new EarlyStopping(2);
    for (const v of [3, 2.5, 2.6, 2.4, 2.45]) e.observe(v);
    expect(e.stop).toBe(false);
    e.observe(2.4);
    expect([e.stop, e.best]).toEqual([true, 2.4]);
    const off = new EarlyStopping(0);
    for (const v of [1, 2, 3, 4]) off.observe(v);
    expect(off.stop).toBe(false);
  });
});
