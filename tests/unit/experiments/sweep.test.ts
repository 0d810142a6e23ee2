// Sweeps: the sweep: block's validation, the product of its lists, learning-rate scaling with the batch,
// alpha with the rank, names, tags and the limits.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { expandSweep, logspace, MAX_SWEEP_RUNS, parseListText, parseSweepFile, parseSweepSpec, scaleRate, type SweepSpec } from '../../../src/experiments/sweep';
import { ConfigError, ConfigErrors, parseConfig } from '../../../src/config/config';

/** The ConfigErrors `fn` throws (fails the test when it throws nothing or something else). */
function errorsOf(fn: () => unknown): ConfigError[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigErrors);
    return (e as ConfigErrors).errors;
  }
  throw new Error('expected ConfigErrors, nothing was thrown');
}

const spec = (s: Partial<SweepSpec>): SweepSpec => ({ lr_scaling: 'none', alpha_scaling: 'fixed', name: 't', ...s });

describe('parseSweepFile / parseSweepSpec', () => {
  it('reads a config with a sweep: block', () => {
    const file = parseYaml(`
model: tiny
learning_rate: 0.001
batch_size: 16
tags: [mine]
sweep:
  name: lr-bs
  learning_rate: [0.0001, 0.001]
  batch_size: [4, 16]
  lr_scaling: sqrt
  reference_batch_size: 16
`);
    const { config, spec: s } = parseSweepFile(file);
    expect(config.model).toBe('tiny');
    expect(config.learning_rate).toBe(1e-3);
    expect(config.tags).toEqual(['mine']);
    expect(s).toEqual({ name: 'lr-bs', learning_rate: [1e-4, 1e-3], batch_size: [4, 16], lr_scaling: 'sqrt', reference_batch_size: 16, alpha_scaling: 'fixed' });
  });

  it('defaults lr_scaling to none and alpha_scaling to fixed', () => {
    expect(parseSweepSpec({ seed: [1, 2, 3] })).toEqual({ seed: [1, 2, 3], lr_scaling: 'none', alpha_scaling: 'fixed' });
  });

  it('refuses an unknown key, naming it as sweep.KEY', () => {
    const errs = errorsOf(() => parseSweepFile({ model: 'tiny', sweep: { lrs: [1e-3] } }));
    expect(errs).toHaveLength(1);
    expect(errs[0].key).toBe('sweep.lrs');
    expect(errs[0].allowed).toContain('unknown key');
    expect(errs[0].allowed).toContain('learning_rate');
    expect(errs[0].message).toContain('sweep.lrs');
  });

  it('refuses bad values, naming the key and what is allowed', () => {
    const errs = errorsOf(() => parseSweepSpec({ learning_rate: [-1] }));
    expect(errs.map((e) => e.key)).toEqual(['sweep.learning_rate']);
    expect(errs[0].value).toEqual([-1]);
    expect(errs[0].message).toMatch(/^sweep\.learning_rate: \[-1\] is not allowed/);
    expect(errs[0].allowed).toContain('above 0');
  });

  it('reports every bad key at once', () => {
    const errs = errorsOf(() => parseSweepSpec({ batch_size: [0], lora_rank: [1.5], seed: [], lr_scaling: 'cubic', alpha_scaling: 'x', reference_batch_size: -2 }));
    expect(errs.map((e) => e.key).sort()).toEqual(['sweep.alpha_scaling', 'sweep.batch_size', 'sweep.lora_rank', 'sweep.lr_scaling', 'sweep.reference_batch_size', 'sweep.seed']);
  });

  it('refuses a list longer than MAX_SWEEP_RUNS', () => {
    const errs = errorsOf(() => parseSweepSpec({ seed: Array.from({ length: MAX_SWEEP_RUNS + 1 }, (_, i) => i) }));
    expect(errs[0].key).toBe('sweep.seed');
  });

  it('refuses a file without a sweep: block, or a sweep that is not a mapping', () => {
    expect(errorsOf(() => parseSweepFile({ model: 'tiny', learning_rate: 1e-3 }))[0].key).toBe('sweep');
    expect(errorsOf(() => parseSweepFile({ model: 'tiny', sweep: [1e-3] }))[0].key).toBe('sweep');
    expect(errorsOf(() => parseSweepFile([]))[0].key).toBe('(config)');
  });

  it('refuses a bad config key beside a good sweep block', () => {
    const errs = errorsOf(() => parseSweepFile({ model: 'tiny', learning_rat: 1e-3, sweep: { seed: [1] } }));
    expect(errs[0].key).toBe('learning_rat');
  });
});

describe('expandSweep', () => {
  it('evaluates every batch size on the same number of validation windows', () => {
    const base = parseConfig({ model: 'tiny', batch_size: 4, eval_batches: 16 });
    const plan = expandSweep(base, spec({ batch_size: [1, 4, 16, 64] }));
    expect(plan.runs.map((r) => [r.config.batch_size, r.config.eval_batches, r.config.batch_size * r.config.eval_batches])).toEqual([[1, 64, 64], [4, 16, 64], [16, 4, 64], [64, 1, 64]]);
  });


  const base = parseConfig({ model: 'tiny', learning_rate: 1e-3, batch_size: 16, lora_rank: 8, lora_alpha: 16, seed: 5, tags: ['mine'] });

  it('takes the product, rank outermost, then batch, rate, seed', () => {
    const plan = expandSweep(base, spec({ learning_rate: [1e-4, 1e-3, 1e-2], batch_size: [4, 16], seed: [1, 2] }));
    expect(plan.kind).toBe('sweep');
    expect(plan.runs).toHaveLength(12);
    const v = plan.runs.map((r) => [r.config.batch_size, r.config.learning_rate, r.config.seed]);
    expect(v.slice(0, 6)).toEqual([[4, 1e-4, 1], [4, 1e-4, 2], [4, 1e-3, 1], [4, 1e-3, 2], [4, 1e-2, 1], [4, 1e-2, 2]]);
    expect(v.slice(6)).toEqual([[16, 1e-4, 1], [16, 1e-4, 2], [16, 1e-3, 1], [16, 1e-3, 2], [16, 1e-2, 1], [16, 1e-2, 2]]);
    expect(plan.runs.every((r) => r.config.lora_rank === 8 && r.config.model === 'tiny')).toBe(true);
    expect(plan.runs[3].varied).toEqual({ learning_rate: 1e-3, batch_size: 4, lora_rank: 8, seed: 2 });
    expect(plan.keys).toEqual(['learning_rate', 'batch_size', 'seed']);
  });

  it('keeps the config value for a key left out', () => {
    const plan = expandSweep(base, spec({ learning_rate: [1e-4, 1e-3] }));
    expect(plan.runs.map((r) => [r.config.batch_size, r.config.seed, r.config.lora_rank])).toEqual([[16, 5, 8], [16, 5, 8]]);
  });

  it.each([
    ['none', [1e-3, 1e-3, 1e-3]],
    ['linear', [2.5e-4, 1e-3, 4e-3]],
    ['sqrt', [5e-4, 1e-3, 2e-3]],
  ] as const)('scales the rate with the batch from reference_batch_size (%s)', (rule, want) => {
    const plan = expandSweep(parseConfig({ model: 'tiny', batch_size: 8, learning_rate: 1e-3 }), spec({ learning_rate: [1e-3], batch_size: [4, 16, 64], lr_scaling: rule, reference_batch_size: 16 }));
    expect(plan.runs.map((r) => r.config.batch_size)).toEqual([4, 16, 64]);
    expect(plan.runs.map((r) => r.config.learning_rate)).toEqual(want);
    expect(plan.runs.map((r) => r.varied?.learning_rate)).toEqual(want);
  });

  it("scales from the config's batch_size when reference_batch_size is left out", () => {
    const plan = expandSweep(base, spec({ learning_rate: [1e-3], batch_size: [4], lr_scaling: 'linear' }));
    expect(plan.runs[0].config.learning_rate).toBe(2.5e-4);
  });

  it('keeps min_lr at most the scaled rate', () => {
    const plan = expandSweep(parseConfig({ model: 'tiny', learning_rate: 1e-3, min_lr: 1e-4 }), spec({ learning_rate: [1e-3], batch_size: [1, 16], lr_scaling: 'linear' }));
    expect(plan.runs.map((r) => [r.config.learning_rate, r.config.min_lr])).toEqual([[6.25e-5, 6.25e-5], [1e-3, 1e-4]]);
  });

  it('keeps alpha / r with alpha_scaling with_rank, and alpha with fixed', () => {
    const grow = expandSweep(base, spec({ lora_rank: [2, 8, 32], alpha_scaling: 'with_rank' }));
    expect(grow.runs.map((r) => r.config.lora_alpha)).toEqual([4, 16, 64]);
    expect(grow.runs.map((r) => r.config.lora_alpha / r.config.lora_rank)).toEqual([2, 2, 2]);
    const fixed = expandSweep(base, spec({ lora_rank: [2, 8, 32] }));
    expect(fixed.runs.map((r) => r.config.lora_alpha)).toEqual([16, 16, 16]);
  });

  it('tags every run sweep:NAME (once, beside the config tags) and names it NAME: label', () => {
    const tagged = parseConfig({ ...base, tags: ['mine', 'sweep:lr'] });
    const plan = expandSweep(tagged, spec({ name: 'lr', learning_rate: [1e-4, 1e-3] }));
    expect(plan.tag).toBe('sweep:lr');
    expect(plan.name).toBe('lr');
    for (const r of plan.runs) expect(r.config.tags).toEqual(['mine', 'sweep:lr']);
    expect(plan.runs.map((r) => r.config.name)).toEqual(['lr: lr 0.0001', 'lr: lr 0.001']);
  });

  it('labels runs with the varied keys only', () => {
    const plan = expandSweep(base, spec({ learning_rate: [1e-4, 1e-3], batch_size: [8], seed: [1, 2] }));
    expect(plan.runs.map((r) => r.label)).toEqual(['lr 0.0001 seed 1', 'lr 0.0001 seed 2', 'lr 0.001 seed 1', 'lr 0.001 seed 2']);
    expect(plan.keys).toEqual(['learning_rate', 'seed']);
  });

  it('counts the rate as varied when scaling makes it differ between batches', () => {
    const plan = expandSweep(base, spec({ learning_rate: [1e-3], batch_size: [4, 16], lr_scaling: 'sqrt' }));
    expect(plan.runs.map((r) => r.label)).toEqual(['lr 0.0005 bs 4', 'lr 0.001 bs 16']);
    expect(plan.keys).toEqual(['learning_rate', 'batch_size']);
  });

  it('numbers the runs when nothing varies', () => {
    const plan = expandSweep(base, spec({ seed: [3] }));
    expect(plan.runs.map((r) => r.label)).toEqual(['run 1']);
    expect(plan.keys).toEqual(['learning_rate']);
  });

  it(`refuses more than ${MAX_SWEEP_RUNS} runs`, () => {
    const ok = expandSweep(base, spec({ learning_rate: logspace(1e-5, 1e-1, 8), seed: [1, 2, 3, 4, 5, 6, 7, 8] }));
    expect(ok.runs).toHaveLength(64);
    const errs = errorsOf(() => expandSweep(base, spec({ learning_rate: logspace(1e-5, 1e-1, 5), batch_size: [4, 8, 16, 32], seed: [1, 2, 3, 4] })));
    expect(errs).toHaveLength(1);
    expect(errs[0].key).toBe('sweep');
    expect(errs[0].value).toBe('80 runs');
  });

  it('refuses a run whose config is invalid, naming the key and the run', () => {
    const errs = errorsOf(() => expandSweep(base, spec({ lora_rank: [8, 128] })));
    expect(errs).toHaveLength(1);
    expect(errs[0].key).toBe('lora_rank');
    expect(errs[0].value).toBe(128);
    expect(errs[0].allowed).toContain('d_model (64)');
    expect(errs[0].allowed).toContain('sweep run r 128');
  });
});

describe('logspace and scaleRate', () => {
  it('spaces rates evenly on a log axis, both ends included', () => {
    expect(logspace(1e-5, 1e-1, 5)).toEqual([1e-5, 1e-4, 1e-3, 1e-2, 1e-1]);
    const r = logspace(1e-4, 3e-3, 7);
    expect(r).toHaveLength(7);
    expect(r[0]).toBe(1e-4);
    expect(r[6]).toBe(3e-3);
    for (let i = 1; i < 7; i++) expect(r[i] / r[i - 1]).toBeCloseTo(30 ** (1 / 6), 2);
    expect(logspace(2e-4, 2e-4, 3)).toEqual([2e-4, 2e-4, 2e-4]);
    expect(logspace(1e-3, 1, 1)).toEqual([1e-3]);
  });

  it('rounds to 3 significant digits', () => {
    expect(logspace(1e-4, 1e-3, 3)).toEqual([1e-4, 3.16e-4, 1e-3]);
  });

  it('refuses a bad range', () => {
    for (const [lo, hi, n] of [[0, 1, 3], [1e-3, 1e-4, 3], [1e-4, 1e-3, 0], [1e-4, 1e-3, 2.5]]) {
      expect(() => logspace(lo, hi, n)).toThrow(ConfigError);
    }
  });

  it('scales a rate by the batch ratio (linear), its square root (sqrt), or not at all', () => {
    expect(scaleRate(1e-3, 4, 16, 'linear')).toBe(2.5e-4);
    expect(scaleRate(1e-3, 4, 16, 'sqrt')).toBe(5e-4);
    expect(scaleRate(1e-3, 4, 16, 'none')).toBe(1e-3);
    expect(scaleRate(2e-4, 64, 16, 'linear')).toBe(8e-4);
    expect(scaleRate(2e-4, 64, 16, 'sqrt')).toBe(4e-4);
    expect(scaleRate(1e-3, 2, 16, 'sqrt')).toBe(3.53553e-4);
  });
});

describe('parseListText (the sweep builder fields)', () => {
  it('reads comma lists, log ranges and empty fields', () => {
    expect(parseListText('learning_rate', ' 1e-4, 3e-4 ,1e-3 ', false)).toEqual([1e-4, 3e-4, 1e-3]);
    expect(parseListText('learning_rate', '1e-5..1e-1 x5', false)).toEqual([1e-5, 1e-4, 1e-3, 1e-2, 1e-1]);
    expect(parseListText('learning_rate', '0.001 .. 0.1 × 3', false)).toEqual([0.001, 0.01, 0.1]);
    expect(parseListText('batch_size', '4 16', true)).toEqual([4, 16]);
    expect(parseListText('seed', '   ', true)).toBeNull();
  });

  it('refuses bad text with the field, the text and what is allowed', () => {
    expect(() => parseListText('batch_size', '4, x', true)).toThrow(/^batch_size: "4, x" is not allowed; integers separated by commas/);
    expect(() => parseListText('batch_size', '2.5', true)).toThrow(ConfigError);
    expect(() => parseListText('learning_rate', '-1e-3', false)).toThrow(/^learning_rate: "-1e-3" is not allowed; a non-empty list of numbers above 0/);
    expect(() => parseListText('learning_rate', '1e-1..1e-3 x3', false)).toThrow(/^learning_rate: .* a range low\.\.high xN with 0 < low ≤ high/);
    expect(() => parseListText('lora_rank', '4, 999', true)).toThrow(/^lora_rank: "4, 999" is not allowed; a non-empty list of integers from 0 to 256/);
  });
});
