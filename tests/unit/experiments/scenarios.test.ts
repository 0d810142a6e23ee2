// The classroom scenarios: their runs as configs (on the classroom model, and the CPU tier on the tiny
// one), the note that says so, and the checks computed from synthetic recorded runs, with the CPU
// tier's order set beside PyTorch's.
import { describe, expect, it } from 'vitest';
import { runFacts } from '../../../src/experiments/facts';
import { checkScenario, scenarioById, scenarioDefaults, scenarioNote, scenarioPlan, scenarioRuns, scenarioRunsAt, SCENARIOS, type ScenarioOptions } from '../../../src/experiments/scenarios';
import { compareOrder } from '../../../src/experiments/scenario-calibration';
import { TINY_TIERS } from '../../../src/experiments/scenario-tiny';
import type { RunRecord } from '../../../src/runs/schema';
import { effectiveBatch } from '../../../src/config/config';
import { curve, makeRecord, type Point } from '../helpers/records';

const BASE = 'models/classroom-moby.safetensors';
const OPTIONS: ScenarioOptions[] = [
  { size: 'tiny', stepScale: 1, base: BASE },
  { size: 'classroom', stepScale: 1, base: BASE },
];
const WINDOWS = { tiny: 64, classroom: 480, gpt2: 64 } as const;

describe('scenarioPlan', () => {
  for (const o of OPTIONS) {
    describe(`${o.size}, step scale ${o.stepScale}`, () => {
      it.each(SCENARIOS.map((s) => [s.id, s] as const))('scenario %i builds valid configs', (id, s) => {
        const plan = scenarioPlan(s, o);
        expect(plan.kind).toBe('scenario');
        expect(plan.tag).toBe(`scenario:${id}`);
        expect(plan.x).toBe(s.x);
        const planned = scenarioRunsAt(s, o.size);
        expect(plan.runs.map((r) => r.label)).toEqual(planned.map((r) => r.label));
        plan.runs.forEach((r, i) => {
          const c = r.config;
          const want = Math.max(4, Math.round((planned[i].set.max_steps ?? 400) * o.stepScale));
          expect(c.name).toBe(`S${id} ${s.title}: ${r.label}`);
          expect(c.tags).toEqual([`scenario:${id}`]);
          expect(c.model).toBe(o.size);
          expect(c.max_steps).toBe(want);
          expect(c.warmup_steps).toBeLessThan(c.max_steps!);
          expect(c.eval_interval).toBe(o.size === 'classroom' ? 50 : Math.round(want / 5));
          expect(c.sample_interval).toBe(0);
          expect(c.base_model).toBe(id === 7 ? null : BASE);
          expect(c.learning_rate).toBe(planned[i].set.learning_rate);
        });
        // Every run of a scenario is evaluated on the same number of held-out windows.
        expect(plan.runs.map((r) => r.config.eval_batches * r.config.batch_size)).toEqual(plan.runs.map(() => WINDOWS[o.size]));
      });
    });
  }

  it("runs scenarios 1 and 8 on a GPT-2 base with the rules' numbers, and refuses the others at that size", () => {
    const model = { d_model: 768, n_layer: 12, n_head: 12, context: 1024 };
    const o: ScenarioOptions = { size: 'gpt2', stepScale: 1, base: 'gpt2', model };
    const s1 = scenarioPlan(scenarioById(1), o).runs.map((r) => r.config);
    expect(s1.map((c) => c.learning_rate)).toEqual([1e-4, 1.5e-4, 2e-4, 2.5e-4, 3e-4]);
    for (const c of s1) {
      expect(c).toMatchObject({ model, base_model: 'gpt2', lora_rank: 8, lora_alpha: 16, batch_size: 4, block_size: null, max_steps: 300, train_data: 'sotu' });
      expect(c.lora_targets).toEqual(['c_attn', 'c_proj', 'c_fc']);
      expect(c.eval_batches * c.batch_size).toBe(WINDOWS.gpt2);
    }
    expect(scenarioPlan(scenarioById(8), o).runs.map((r) => [r.config.lora_rank, r.config.learning_rate])).toEqual([[8, 2e-4], [16, 2e-4], [16, 2.5e-4]]);
    expect(scenarioNote(o)).toMatch(/^GPT-2: this scenario runs on the GPT-2 base, batch 4, context 128/);
    expect(() => scenarioPlan(scenarioById(2), o)).toThrow(/^--size: "gpt2" is not allowed; classroom or tiny for scenario 2; gpt2 runs scenarios 1 and 8/);
    expect(() => scenarioPlan(scenarioById(1), { ...o, model: undefined })).toThrow(/^--base: "gpt2" is not allowed; a GPT-2 directory/);
  });

  it('scenario 5 gives batch 4 and batch 16 the same tokens', () => {
    for (const [o, tokens] of [[OPTIONS[0], 800], [OPTIONS[1], 6400]] as const) {
      const runs = scenarioPlan(scenarioById(5), o).runs.map((r) => r.config);
      expect(runs.map((c) => [c.batch_size, c.max_steps])).toEqual(o.size === 'classroom' ? [[4, 1600], [16, 400], [16, 400], [16, 400]] : [[4, 200], [16, 50], [16, 50], [16, 50]]);
      expect(runs.map((c) => effectiveBatch(c) * c.max_steps!)).toEqual([tokens, tokens, tokens, tokens]);
      expect(runs.map((c) => c.learning_rate)).toEqual([5e-4, 2e-3, 1e-3, 5e-4]);
    }
  });

  it('scenario 6 keeps the effective batch, seed and rate, and accumulates 4 × 4', () => {
    const [a, b] = scenarioPlan(scenarioById(6), OPTIONS[1]).runs.map((r) => r.config);
    expect([a.batch_size, a.grad_accum_steps, b.batch_size, b.grad_accum_steps]).toEqual([16, 1, 4, 4]);
    expect(effectiveBatch(a)).toBe(effectiveBatch(b));
    expect([a.seed, a.learning_rate, a.max_steps]).toEqual([b.seed, b.learning_rate, b.max_steps]);
    expect([a.eval_batches, b.eval_batches]).toEqual([30, 120]);
  });

  it('scenario 7 trains from scratch on moby-dick, with and without warmup', () => {
    for (const o of OPTIONS) {
      const runs = scenarioPlan(scenarioById(7), o).runs.map((r) => r.config);
      for (const c of runs) expect([c.train_data, c.base_model, c.lora_rank, c.learning_rate]).toEqual(['moby-dick', null, 0, 1e-2]);
      expect(runs.map((c) => c.warmup_steps)).toEqual(o.size === 'classroom' ? [0, 200] : [0, 50]);
      expect(runs.map((c) => c.max_steps)).toEqual(o.size === 'classroom' ? [600, 600] : [200, 200]);
    }
  });

  it('fine-tunes SOTU from the base elsewhere: LoRA r8 alpha 16, or full fine-tuning with weight decay', () => {
    const [lora, full] = scenarioPlan(scenarioById(2), OPTIONS[1]).runs.map((r) => r.config);
    expect([lora.train_data, lora.lora_rank, lora.lora_alpha, lora.weight_decay, lora.lr_schedule]).toEqual(['sotu', 8, 16, 0, 'cosine']);
    expect([full.lora_rank, full.weight_decay]).toEqual([0, 0.01]);
    const s3 = scenarioPlan(scenarioById(3), OPTIONS[0]).runs.map((r) => r.config);
    expect(s3.map((c) => c.train_bytes)).toEqual([4096, 4096]);
    expect(s3.map((c) => c.max_steps)).toEqual([400, 400]);
  });

  it('scales warmup with the steps (but keeps no warmup at 0)', () => {
    expect(scenarioPlan(scenarioById(1), OPTIONS[1]).runs.map((r) => r.config.warmup_steps)).toEqual([20, 20, 20, 20]);
    expect(scenarioPlan(scenarioById(1), OPTIONS[0]).runs.map((r) => r.config.warmup_steps)).toEqual([10, 10, 10, 10]);
    expect(scenarioPlan(scenarioById(1), { ...OPTIONS[0], stepScale: 0.5 }).runs.map((r) => [r.config.max_steps, r.config.warmup_steps])).toEqual([[100, 5], [100, 5], [100, 5], [100, 5]]);
  });
});

describe('scenarioNote, scenarioDefaults, scenarioById', () => {
  it('says nothing for the classroom model at full length', () => {
    expect(scenarioNote({ size: 'classroom', stepScale: 1 })).toBeNull();
  });

  it('says when the tiny model or fewer steps stand in', () => {
    const tiny = scenarioNote({ size: 'tiny', stepScale: 0.1 });
    expect(tiny).toContain('tiny');
    expect(tiny).toContain('d 64, 2 layers, context 64');
    expect(tiny).toContain('10% of the steps');
    expect(scenarioNote({ size: 'tiny', stepScale: 1 })).toContain('tiny');
    const short = scenarioNote({ size: 'classroom', stepScale: 0.5 });
    expect(short).toContain('50% of the steps');
    expect(short).not.toContain('tiny');
  });

  it('defaults to the CPU tier (tiny model, its own step counts) on a software adapter', () => {
    expect(scenarioDefaults(true)).toEqual({ size: 'tiny', stepScale: 1 });
    expect(scenarioDefaults(false)).toEqual({ size: 'classroom', stepScale: 1 });
  });

  it('finds scenarios 1 to 10 and refuses others', () => {
    expect(SCENARIOS.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(scenarioById(4).title).toBe('The batch-size table');
    expect(() => scenarioById(11)).toThrow(/scenario: 11 is not allowed/);
  });
});

/** A finished run with validation losses `evals` and training losses `losses`. */
function rec(evals: Point[], losses: Point[] = curve(1, evals.at(-1)![0], (s) => 2.5 - s / 1000), more: Partial<Parameters<typeof makeRecord>[0]> = {}): RunRecord {
  return makeRecord({ config: { model: 'tiny' }, evals, losses, ...more });
}

/** Validation loss from `start` to `final` at steps 0, 150 (`mid`) and 300. */
const val = (start: number, mid: number, final: number): Point[] => [[0, start], [150, mid], [300, final]];

describe('checkScenario', () => {
  it('scenario 1 names the run that ended above its start, the one that barely moved, and the lowest', () => {
    const s = scenarioById(1);
    const check = checkScenario(s, [rec(val(2.1, 2.095, 2.09)), rec(val(2.1, 1.95, 1.9)), rec(val(2.1, 1.7, 1.75)), rec(val(2.1, 2.8, 2.6))]);
    expect(check.sentence).toBe(
      'LoRA 1e-1 ended above its starting loss (2.100 → 2.600); LoRA 1e-5 barely moved (less than 0.02 nats); LoRA 3e-3 reached the lowest validation loss (1.700 at step 150; one seed, no noise estimate).' +
        ' In order of final validation loss: LoRA 3e-3 1.750 < LoRA 2e-4 1.900 < LoRA 1e-5 2.090 < LoRA 1e-1 2.600.',
    );
    expect(check.lines).toEqual([
      'LoRA 1e-5: validation 2.100 → 2.090 (best 2.090 at step 300)',
      'LoRA 2e-4: validation 2.100 → 1.900 (best 1.900 at step 300)',
      'LoRA 3e-3: validation 2.100 → 1.750 (best 1.700 at step 150)',
      'LoRA 1e-1: validation 2.100 → 2.600 (best 2.100 at step 0)',
    ]);
  });

  it('scenario 1 says where a run diverged and leaves it out of the lowest', () => {
    const diverged = rec([[0, 2.1]], curve(1, 37, (s) => 2 + s), { status: 'diverged', reason: 'diverged at step 37: loss 39.0 is 3 above the first step', step: 37 });
    const check = checkScenario(scenarioById(1), [rec(val(2.1, 2.0, 1.98)), rec(val(2.1, 1.95, 1.9)), rec(val(2.1, 1.7, 1.75)), diverged]);
    expect(check.sentence).toBe('LoRA 1e-1 diverged at step 37; LoRA 3e-3 reached the lowest validation loss (1.700 at step 150; one seed, no noise estimate). In order of final validation loss: LoRA 3e-3 1.750 < LoRA 2e-4 1.900 < LoRA 1e-5 1.980 < LoRA 1e-1 diverged.');
    expect(check.lines[3]).toBe('LoRA 1e-1: diverged at step 37 (loss 39.0 is 3 above the first step)');
  });

  it('says when no run recorded a validation loss', () => {
    const check = checkScenario(scenarioById(2), [rec([[10, null]]), rec([[10, null]]), rec([[10, null]])]);
    expect(check.sentence).toBe('No run recorded a validation loss.');
  });

  // Scenario 3: 600 steps; training loss falls 2 → 1 all along.
  const falling = curve(1, 600, (s) => 2 - s / 600);
  const overfitting = rec([[0, 2.0], [100, 1.8], [200, 1.7], [300, 1.8], [400, 1.9], [500, 2.0], [600, 2.1]], falling);
  const improving = (steps: number) => rec([[0, 2.0], [steps / 2, 1.8], [steps, 1.6]], curve(1, steps, (s) => 2 - s / 1000));
  // Validation rises after its best, but so does the training loss: not over-fitting.
  const bothRising = rec([[0, 2.1], [300, 1.8], [600, 1.9], [900, 2.0]], curve(1, 900, (s) => 1.5 + Math.abs(s - 300) / 1000));

  it('scenario 3 names the run that over-fitted and the ones that did not', () => {
    const check = checkScenario(scenarioById(3), [overfitting, improving(600), improving(900), bothRising]);
    expect(check.sentence).toContain(
      'full 1e-3 over-fitted: validation loss rose from 1.700 at step 200 to 2.100 while training loss fell from 1.667 to 1.049.',
    );
    expect(check.sentence).toContain('LoRA 3e-3, LoRA 2e-4 and LoRA 1e-4 did not over-fit.');
    expect(check.sentence).not.toContain('No run over-fitted');
  });

  it('scenario 3 says when no run over-fitted', () => {
    const check = checkScenario(scenarioById(3), [improving(600), improving(600), improving(900), bothRising]);
    expect(check.sentence).toContain('No run over-fitted: no validation loss rose from its best while the training loss fell.');
    expect(check.sentence).not.toMatch(/\S+ over-fitted: validation/);
  });

  it('scenario 5 names the batch-16 runs that ended within 0.01 of batch 4', () => {
    const check = checkScenario(scenarioById(5), [rec(val(2.2, 2.1, 2.0)), rec(val(2.2, 2.1, 2.005)), rec(val(2.2, 2.1, 2.02)), rec(val(2.2, 2.1, 2.3))]);
    expect(check.sentence).toContain('bs 16 at 2e-3 (linear) ended within 0.01 of batch 4 (2.000) on the same tokens (one seed, no noise estimate).');
    const none = checkScenario(scenarioById(5), [rec(val(2.2, 2.1, 2.0)), rec(val(2.2, 2.1, 2.1)), rec(val(2.2, 2.1, 2.02)), rec(val(2.2, 2.1, 2.3))]);
    expect(none.sentence).toContain("No batch-16 run ended within 0.01 of batch 4's 2.000 on the same tokens (one seed, no noise estimate).");
  });

  it('scenario 6 says "the same curve" for identical runs, and that they tied', () => {
    const evals: Point[] = curve(0, 400, (s) => 2.2 - s / 1000, 50);
    const check = checkScenario(scenarioById(6), [rec(evals), rec(evals)]);
    expect(check.sentence).toMatch(/^bs 16 and bs 4 × 4 accumulation tied for the lowest validation loss \(1\.800; one seed, no noise estimate\)\./);
    expect(check.sentence).toContain(
      'Batch 16 and 4 × 4 accumulation gave the same curve: validation losses differ by at most 0.0e+0 over 9 evaluations, training losses by at most 0.0e+0.',
    );
  });

  it('scenario 6 tells nearly the same curve from different curves', () => {
    const evals: Point[] = curve(0, 400, (s) => 2.2 - s / 1000, 50);
    const shifted = (d: number) => rec(evals.map(([s, v]) => [s, s === 200 ? v! + d : v] as const));
    expect(checkScenario(scenarioById(6), [rec(evals), shifted(0.005)]).sentence).toContain('gave nearly the same curve: validation losses differ by at most 5.0e-3 over 9 evaluations');
    expect(checkScenario(scenarioById(6), [rec(evals), shifted(0.05)]).sentence).toContain('gave different curves: validation losses differ by at most 5.0e-2');
  });

  it('scenario 8 states the spread among the first four ranks', () => {
    const finals = [1.9, 1.85, 1.87, 1.88, 1.8, 2.5];
    const check = checkScenario(scenarioById(8), finals.map((f) => rec(val(2.1, 2.0, f))));
    expect(check.sentence).toContain('At 2e-4, r 1, r 4, r 8 and r 16 ended within 0.050 nats of each other.');
    expect(check.sentence).toContain('r 16 at 2.5e-4 reached the lowest validation loss (1.800 at step 300; one seed, no noise estimate)');
    expect(check.sentence).toContain('r 16 at 3e-3 ended above its starting loss (2.100 → 2.500)');
  });

  it('scenario 4 compares each batch at the two rates', () => {
    const check = checkScenario(scenarioById(4), [2.0, 1.95, 1.9, 1.97, 1.93].map((f) => rec(val(2.1, 2.05, f))));
    expect(check.sentence).toContain('bs 1 at 2e-4 ended lower than bs 1 at 1e-4 (1.970 against 2.000; one seed, no noise estimate).');
    expect(check.sentence).toContain('bs 2 at 2e-4 ended lower than bs 2 at 1.5e-4 (1.930 against 1.950; one seed, no noise estimate).');
    const level = checkScenario(scenarioById(4), [2.0, 1.95, 1.9, 1.97, 1.9502].map((f) => rec(val(2.1, 2.05, f))));
    expect(level.sentence).toContain('bs 2 at 1.5e-4 and bs 2 at 2e-4 ended level (1.950 and 1.950; one seed, no noise estimate).');
  });
});

describe('scenarios repeated over seeds', () => {
  const base = { size: 'tiny' as const, stepScale: 1, base: 'public/base/tiny.safetensors' };

  it('repeats every run with seeds 1..K, labelled "· seed k", and refuses K outside 1..8', () => {
    const plan = scenarioPlan(scenarioById(1), { ...base, seeds: 3 });
    expect(plan.runs).toHaveLength(12);
    expect(plan.runs.slice(0, 4).map((r) => [r.label, r.config.seed])).toEqual([['LoRA 1e-5 · seed 1', 1], ['LoRA 1e-5 · seed 2', 2], ['LoRA 1e-5 · seed 3', 3], ['LoRA 2e-4 · seed 1', 1]]);
    expect(plan.runs[0].config.name).toBe('S1 Learning rate: LoRA 1e-5 · seed 1');
    // One seed: the labels and names as before, seed 1.
    expect(scenarioPlan(scenarioById(1), base).runs.map((r) => [r.label, r.config.seed])[0]).toEqual(['LoRA 1e-5', 1]);
    expect(() => scenarioPlan(scenarioById(1), { ...base, seeds: 0 })).toThrow(/seeds: 0 is not allowed; an integer from 1 to 8/);
    expect(() => scenarioPlan(scenarioById(1), { ...base, seeds: 9 })).toThrow(/seeds: 9 is not allowed/);
  });

  /** Scenario 1's runs at 3 seeds each, named as the plan names them, with final validation losses `finals[label]`. */
  const seeded = (finals: Record<string, number[]>) => Object.entries(finals).flatMap(([label, fs]) => fs.map((f, k) =>
    rec(val(2.549, (2.549 + f) / 2, f), undefined, { name: `S1 Learning rate: ${label} · seed ${k + 1}` })));

  it('calls the lowest setting lower only when its lead is beyond the seed noise', () => {
    const check = checkScenario(scenarioById(1), seeded({ 'LoRA 1e-5': [2.548, 2.549, 2.547], 'LoRA 2e-4': [2.535, 2.533, 2.536], 'LoRA 3e-3': [2.512, 2.514, 2.511], 'LoRA 1e-1': [3.05, 3.04, 3.06] }), 'tiny');
    expect(check.sentence).toContain('LoRA 3e-3 reached the lowest mean validation loss (2.512 ± 0.002 over 3 seeds at step 300), lower than every other beyond the seed noise (Welch\'s test, p < 0.05)');
    expect(check.sentence).toContain('In order of mean final validation loss: LoRA 3e-3 2.512 < LoRA 2e-4 2.535 < LoRA 1e-5 2.548 < LoRA 1e-1 3.050.');
    expect(check.sentence).toContain('the same order as PyTorch on all 6 pairs');
    expect(check.lines).toHaveLength(12);
    expect(check.lines[0]).toBe('LoRA 1e-5 · seed 1: validation 2.549 → 2.548 (best 2.548 at step 300); PyTorch 2.591');
  });

  it('says which settings are within seed noise of the lowest', () => {
    const check = checkScenario(scenarioById(1), seeded({ 'LoRA 1e-5': [2.548, 2.549, 2.547], 'LoRA 2e-4': [2.52, 2.51, 2.53], 'LoRA 3e-3': [2.512, 2.524, 2.5], 'LoRA 1e-1': [3.05, 3.04, 3.06] }), 'tiny');
    expect(check.sentence).toContain('LoRA 3e-3 reached the lowest mean validation loss (2.512 ± 0.012 over 3 seeds at step 300), but LoRA 2e-4 is within seed noise of it (n = 3, ±0.012)');
    expect(check.sentence).not.toContain('lower than every other');
  });

  it('scenario 4 pairs: within seed noise of each other, or lower with p and n', () => {
    const labels = ['bs 1 at 1.5e-3', 'bs 2 at 2.1e-3', 'bs 4 at 3e-3', 'bs 1 at 3e-3', 'bs 2 at 3e-3'];
    const finals = [[2.527, 2.53, 2.524], [2.52, 2.522, 2.518], [2.512, 2.513, 2.511], [2.522, 2.532, 2.527], [2.5215, 2.5205, 2.5225]];
    const runs = labels.flatMap((l, i) => finals[i].map((f, k) => rec(val(2.549, 2.53, f), undefined, { name: `S4 The batch-size table: ${l} · seed ${k + 1}` })));
    const check = checkScenario(scenarioById(4), runs, 'tiny');
    expect(check.sentence).toContain('bs 1 at 1.5e-3 and bs 1 at 3e-3 ended within seed noise of each other (2.527 and 2.527; n = 3, ±0.005).');
    expect(check.sentence).toMatch(/bs 2 at 2\.1e-3 and bs 2 at 3e-3 ended within seed noise of each other/);
  });
});

describe('runFacts', () => {
  it('sees over-fitting: validation rising from its best while training loss falls', () => {
    const r = rec([[0, 2.0], [100, 1.8], [200, 1.7], [300, 1.8], [400, 1.9], [500, 2.0], [600, 2.1]], curve(1, 600, (s) => 2 - s / 600));
    const f = runFacts(r, 'x');
    expect(f.overfit).not.toBeNull();
    expect(f.overfit!.bestStep).toBe(200);
    expect(f.overfit!.best).toBe(1.7);
    expect(f.overfit!.final).toBe(2.1);
    expect(f.overfit!.trainAtBest).toBeCloseTo(2 - 200 / 600, 10);
    expect(f.overfit!.trainEnd).toBeCloseTo(2 - 570.5 / 600, 10);
    expect([f.start, f.final, f.best, f.bestStep, f.lastEvalStep, f.diverged]).toEqual([2.0, 2.1, 1.7, 200, 600, false]);
  });

  it('does not call validation and training loss rising together over-fitting', () => {
    const r = rec([[0, 2.1], [300, 1.8], [600, 1.9], [900, 2.0]], curve(1, 900, (s) => 1.5 + Math.abs(s - 300) / 1000));
    const f = runFacts(r);
    expect(f.best).toBe(1.8);
    expect(f.final).toBe(2.0);
    expect(f.trainEnd!).toBeGreaterThan(1.5);
    expect(f.overfit).toBeNull();
  });

  it('does not call a rise of less than 1% over-fitting, nor a best at the last evaluation', () => {
    const falling = curve(1, 600, (s) => 2 - s / 600);
    expect(runFacts(rec([[0, 2.0], [300, 1.7], [600, 1.71]], falling)).overfit).toBeNull();
    expect(runFacts(rec([[0, 2.0], [300, 1.8], [600, 1.7]], falling)).overfit).toBeNull();
  });

  it('reads the early training-loss peak and the first and last tenth', () => {
    const losses = curve(1, 100, (s) => (s === 10 ? 9 : 5 - s / 100));
    const f = runFacts(rec([[0, 5], [100, 4]], losses));
    expect(f.earlyPeak).toBe(9);
    expect(f.trainStart).toBeCloseTo((9 + [1, 2, 3, 4, 5, 6, 7, 8, 9].reduce((a, s) => a + 5 - s / 100, 0)) / 10, 10);
    expect(f.trainEnd).toBeCloseTo(5 - 95.5 / 100, 10);
    expect(f.tokens).toBe(100 * 16 * 64);
  });
});

describe('scenarioRuns', () => {
  it("takes each run's newest attempt with the scenario's tag and name", () => {
    const s = scenarioById(6);
    const plan = scenarioPlan(s, OPTIONS[0]);
    const make = (i: number, created: string, tags = [plan.tag]) => makeRecord({ config: { ...plan.runs[i].config, tags }, created, evals: [[0, 2]] });
    const old = make(0, '2026-01-01T00:00:00.000Z');
    const newer = make(0, '2026-01-02T00:00:00.000Z');
    const untagged = make(1, '2026-01-03T00:00:00.000Z', []);
    expect(scenarioRuns(s, [old, newer, untagged])).toEqual([newer, null]);
  });
});

describe('the CPU tier beside PyTorch', () => {
  it('has a PyTorch final loss for every run of every scenario', () => {
    for (const s of SCENARIOS) expect(Object.keys(TINY_TIERS[s.id].pytorch).sort(), `scenario ${s.id}`).toEqual(scenarioRunsAt(s, 'tiny').map((r) => r.label).sort());
  });

  it('prints our order and PyTorch\'s, and counts the pairs PyTorch separates', () => {
    const s = scenarioById(1);
    const ok = checkScenario(s, [rec(val(2.59, 2.59, 2.5915)), rec(val(2.59, 2.58, 2.577)), rec(val(2.59, 2.56, 2.556)), rec(val(2.59, 3.1, 3.07))], 'tiny');
    expect(ok.sentence).toContain('PyTorch, same configs and base: LoRA 3e-3 2.557 < LoRA 2e-4 2.576 < LoRA 1e-5 2.591 < LoRA 1e-1 3.064; the same order as PyTorch on all 6 pairs it separates by more than 0.005.');
    expect(ok.lines[2]).toBe('LoRA 3e-3: validation 2.590 → 2.556 (best 2.556 at step 300); PyTorch 2.557');
    // 1e-5 and 2e-4 swapped: one pair of six disagrees, and is named.
    const swapped = checkScenario(s, [rec(val(2.59, 2.58, 2.57)), rec(val(2.59, 2.59, 2.59)), rec(val(2.59, 2.56, 2.556)), rec(val(2.59, 3.1, 3.07))], 'tiny');
    expect(swapped.sentence).toContain('on 5 of 6 pairs it separates by more than 0.005 (not: LoRA 1e-5 / LoRA 2e-4)');
  });

  it('holds only pairs PyTorch separates to an order: a near tie is free', () => {
    const f = (label: string, final: number) => ({ ...runFacts(rec(val(2.6, 2.6, final))), label });
    const ref = { a: 2.554, b: 2.553, c: 2.561 };
    expect(compareOrder([f('a', 2.5), f('b', 2.6), f('c', 2.7)], ref)).toEqual({ pairs: 2, agree: 2, disagree: [] });
    expect(compareOrder([f('a', 2.5), f('b', 2.6), f('c', 2.45)], { ...ref, b: 'diverged' })).toEqual({ pairs: 3, agree: 2, disagree: ['a / c'] });
  });
});
