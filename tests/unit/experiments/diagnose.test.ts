// Diagnoses of a run's curves on made-up series: each one fires on the curve its rule describes, at
// the step it refers to, with the numbers in its evidence; none fires on flat noise, on too few
// steps or on a healthy run; a record still training is diagnosed from what it has so far.
import { describe, expect, it } from 'vitest';
import { diagnose, LOW_UPDATE_RATIO, MIN_STEPS, SPIKE_FACTOR, type Diagnosis } from '../../../src/experiments/diagnose';
import type { RunRecord } from '../../../src/runs/schema';
import { curve, makeRecord, type Point } from '../helpers/records';

/** Deterministic noise in [-1, 1) (an LCG), so a "noisy" curve is the same on every run. */
function noise(seed = 1): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

const ids = (ds: Diagnosis[]) => ds.map((d) => d.id);
const find = (ds: Diagnosis[], id: Diagnosis['id']) => ds.find((d) => d.id === id);

/** Sets per-step gradient norms and update ratios from functions of the step. */
function withSteps(r: RunRecord, o: { grad?: (s: number) => number | null; ratio?: (s: number) => number | null }): RunRecord {
  if (o.grad) r.metrics.grad_norm = r.metrics.step.map(o.grad);
  if (o.ratio) r.metrics.update_ratio = r.metrics.step.map(o.ratio);
  return r;
}

/** Per-tensor rows every `every` steps: grad norm and update ratio of tensor `name` at a step. */
function withTensors(r: RunRecord, names: string[], f: (name: string, step: number) => [grad: number, ratio: number], every = 10): RunRecord {
  const steps = r.metrics.step.filter((s) => s === 1 || s % every === 0);
  r.tensors = { names, step: steps, grad_norm: steps.map((s) => names.map((n) => f(n, s)[0])), update_ratio: steps.map((s) => names.map((n) => f(n, s)[1])) };
  return r;
}

/** A healthy run: training loss falling from 3 to ~2 with a little noise, validation falling with it. */
function healthy(steps = 300): RunRecord {
  const z = noise(7);
  return makeRecord({
    config: { model: 'tiny', max_steps: steps },
    losses: curve(1, steps, (s) => 2 + Math.exp(-s / 80) + 0.03 * z()),
    evals: curve(0, steps, (s) => 2.05 + Math.exp(-s / 80), 50),
  });
}

describe('diagnose: nothing without evidence', () => {
  it('gives nothing for a healthy falling run, an empty record, or a flat noisy one', () => {
    expect(diagnose(healthy())).toEqual([]);
    expect(diagnose(makeRecord({ status: 'running' }))).toEqual([]);
    const z = noise(3);
    const flat = makeRecord({ losses: curve(1, 400, () => 2 + 0.1 * z()), evals: curve(0, 400, () => 2.05 + 0.01 * z(), 25) });
    withSteps(flat, { grad: () => 1 + 0.5 * z() });
    expect(diagnose(flat)).toEqual([]);
  });

  it('each diagnosis names a step, its numbers, and its rule from RULES.md', () => {
    const r = makeRecord({ losses: curve(1, 200, (s) => (s <= 100 ? 3 - s / 100 : 2 + (s - 100) / 50)) });
    const [d] = diagnose(r);
    expect(d.id).toBe('rate-too-high');
    expect(d.evidence).toMatch(/\d\.\d{3}/);
    expect(d.rule).toMatch(/^Rules? \d+/);
    expect(d.advice.length).toBeGreaterThan(10);
  });
});

describe('diagnose: the rate is too high', () => {
  it('names the step a diverged run halted at, with its reason', () => {
    const r = makeRecord({ losses: curve(1, 37, (s) => 3 + s / 10), status: 'diverged', reason: 'diverged at step 37: loss 6.7 is more than 3 nats above the first step\'s' });
    const d = find(diagnose(r), 'rate-too-high')!;
    expect(d.step).toBe(37);
    expect(d.evidence).toContain('loss 6.7 is more than 3 nats');
  });

  it('names the first step whose loss is not a number', () => {
    const losses: (number | null)[] = curve(1, 30, (s) => 3 - s / 100).map(([, l]) => l);
    losses[14] = null;
    const d = find(diagnose(makeRecord({ losses, status: 'running' })), 'rate-too-high')!;
    expect(d.step).toBe(15);
    expect(d.evidence).toMatch(/step 15 is not a finite number/);
  });

  it('sees a training loss that fell and then rose, from the step the rise passed 10%', () => {
    const r = makeRecord({ losses: curve(1, 200, (s) => (s <= 100 ? 3 - s / 100 : 2 + (s - 100) / 50)), status: 'running' });
    const d = find(diagnose(r), 'rate-too-high')!;
    expect(d.step).toBeGreaterThan(100);
    expect(d.step).toBeLessThan(130);
    expect(d.evidence).toMatch(/rose from 2\.0\d\d at step 10\d to 3\.\d+ at step 200/);
  });

  it('does not fire on too few steps, or on a bump the loss recovered from', () => {
    expect(ids(diagnose(makeRecord({ losses: curve(1, MIN_STEPS - 1, (s) => 2 + s / 5) })))).toEqual([]);
    const bump = makeRecord({ losses: curve(1, 300, (s) => 3 - s / 300 + (s > 100 && s < 130 ? 0.5 : 0)) });
    expect(find(diagnose(bump), 'rate-too-high')).toBeUndefined();
  });
});

describe('diagnose: over-fitting', () => {
  const spec = {
    losses: curve(1, 500, (s) => 3 - s / 500),
    evals: [[0, 3], [100, 2.6], [200, 2.4], [300, 2.45], [400, 2.52], [500, 2.6]] as Point[],
  };

  it('fires when validation rises from its best while training falls, at the best step', () => {
    const d = find(diagnose(makeRecord(spec)), 'overfitting')!;
    expect(d.step).toBe(200);
    expect(d.evidence).toMatch(/from 2\.400 at step 200 .* to 2\.600 at step 500/);
    expect(d.rule).toContain('15');
  });

  it('works on a live record whose outcome has no best or final yet, once the rise is there', () => {
    const live = makeRecord({ ...spec, status: 'running' });
    live.outcome = { ...live.outcome, best_val_loss: null, best_step: null, final_val_loss: null };
    expect(find(diagnose(live), 'overfitting')?.step).toBe(200);
    const early = makeRecord({ losses: spec.losses.slice(0, 320), evals: spec.evals.slice(0, 4), status: 'running' });
    expect(find(diagnose(early), 'overfitting')).toBeUndefined();
  });

  it('does not fire on one evaluation above the best, nor when training rose too', () => {
    const once = makeRecord({ ...spec, evals: spec.evals.slice(0, 4).concat([[400, 2.39], [500, 2.5]]) });
    expect(find(diagnose(once), 'overfitting')).toBeUndefined();
    const bothUp = makeRecord({ ...spec, losses: curve(1, 500, (s) => 2 + s / 1000) });
    expect(find(diagnose(bothUp), 'overfitting')).toBeUndefined();
  });
});

describe('diagnose: the rate is too low', () => {
  const z = noise(11);
  const low = (ratio: number, o: { fall?: number; config?: Record<string, unknown> } = {}) =>
    withSteps(makeRecord({ config: { warmup_steps: 20, lr_schedule: 'constant', ...o.config }, losses: curve(1, 200, (s) => 2.5 - (o.fall ?? 0) * s + 0.005 * z()) }), { ratio: () => ratio });

  it('fires when the update/weight ratio is far below 1e-3 and the loss is flat, at the window end', () => {
    const d = find(diagnose(low(2e-5)), 'rate-too-low')!;
    expect(d.step).toBe(200);
    expect(d.evidence).toMatch(/median update\/weight ratio was 2\.0e-5/);
  });

  it('does not fire when the loss falls well, when the ratio is ordinary, or during warmup only', () => {
    expect(find(diagnose(low(2e-5, { fall: 0.002 })), 'rate-too-low')).toBeUndefined();
    expect(find(diagnose(low(LOW_UPDATE_RATIO * 2)), 'rate-too-low')).toBeUndefined();
    expect(find(diagnose(low(2e-5, { config: { warmup_steps: 190, max_steps: 200 } })), 'rate-too-low')).toBeUndefined();
  });

  it('ignores the end of a decay and a range test, whose small rates are meant', () => {
    const lrs = curve(1, 200, (s) => (s <= 100 ? 1e-3 : 1e-5)).map(([, v]) => v);
    const decayed = withSteps(makeRecord({ config: { warmup_steps: 20 }, lrs, losses: curve(1, 200, (s) => (s <= 100 ? 3 - s / 100 : 2)) }), { ratio: (s) => (s <= 100 ? 1e-3 : 1e-5) });
    expect(find(diagnose(decayed), 'rate-too-low')).toBeUndefined();
    expect(find(diagnose(low(2e-5, { config: { lr_schedule: 'exponential', warmup_steps: 0 } })), 'rate-too-low')).toBeUndefined();
  });
});

describe('diagnose: nothing is learning', () => {
  const names = ['blocks.0.attn.q.lora_A.weight', 'blocks.0.attn.q.lora_B.weight', 'blocks.0.attn.v.lora_A.weight', 'blocks.0.attn.v.lora_B.weight'];
  const run = () => makeRecord({ config: { lora_rank: 4 }, losses: curve(1, 60, (s) => 3 - s / 100), status: 'running' });

  it('names a LoRA B still at zero (and its A, whose gradient is then zero)', () => {
    const r = withTensors(run(), names, (n, s) => (n.startsWith('blocks.0.attn.q') ? [n.includes('lora_A') ? 0 : 0.5, 0] : [0.5, s === 1 && n.includes('lora_B') ? 0 : 1e-3]));
    const d = find(diagnose(r), 'not-learning')!;
    expect(d.tensors).toEqual(['blocks.0.attn.q.lora_A.weight', 'blocks.0.attn.q.lora_B.weight']);
    expect(d.step).toBe(60);
    expect(d.evidence).toContain('from 40 to 60');
    expect(d.evidence).toMatch(/gradient exactly zero: blocks\.0\.attn\.q\.lora_A\.weight; LoRA B still at zero .*: blocks\.0\.attn\.q\.lora_B\.weight/);
    expect(d.advice).toContain('lora_b_lr_mult');
  });

  it('names a full fine-tuning tensor whose gradient is exactly zero, and a run whose global gradient is zero', () => {
    const r = withTensors(makeRecord({ losses: curve(1, 60, () => 3) }), ['wte.weight', 'head.weight'], (n) => [n === 'head.weight' ? 0 : 0.3, 1e-3]);
    expect(find(diagnose(r), 'not-learning')?.tensors).toEqual(['head.weight']);
    const g = withSteps(makeRecord({ losses: curve(1, 60, () => 3) }), { grad: () => 0 });
    expect(find(diagnose(g), 'not-learning')?.evidence).toMatch(/global gradient norm is exactly 0/);
  });

  it('does not fire for a B that is zero only at step 1, nor on too few recorded rows', () => {
    const moving = withTensors(run(), names, (n, s) => [n.includes('lora_A') && s === 1 ? 0 : 0.5, n.includes('lora_B') && s === 1 ? 0 : 1e-3]);
    expect(find(diagnose(moving), 'not-learning')).toBeUndefined();
    const short = withTensors(makeRecord({ losses: curve(1, 25, () => 3) }), names, () => [0, 0]);
    expect(find(diagnose(short), 'not-learning')).toBeUndefined();
  });
});

describe('diagnose: gradient-norm spikes', () => {
  const z = noise(5);
  const spiky = (at: number, size: number, config: Record<string, unknown> = {}) =>
    withSteps(makeRecord({ config, losses: curve(1, 120, (s) => 3 - s / 200) }), { grad: (s) => (s === at ? size : 1 + 0.2 * z()) });

  it('fires on a norm far above the running median, at its step, and suits the advice to the config', () => {
    const d = find(diagnose(spiky(60, 8)), 'grad-spikes')!;
    expect(d.step).toBe(60);
    expect(d.evidence).toMatch(/reached 8\.00 at step 60, [7-9]\.\d× the median/);
    expect(d.advice).toContain('Clipping is on');
    expect(find(diagnose(spiky(60, 8, { grad_clip: 0 })), 'grad-spikes')!.advice).toContain('Turn on gradient clipping');
  });

  it('does not fire below the factor, nor before there is a median to compare with', () => {
    expect(find(diagnose(spiky(60, SPIKE_FACTOR * 0.7)), 'grad-spikes')).toBeUndefined();
    expect(find(diagnose(spiky(5, 50)), 'grad-spikes')).toBeUndefined();
  });
});
