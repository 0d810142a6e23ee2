// The ten classroom scenarios: what we try, what to look for, the runs, and a check that states what
// the recorded runs showed (computed from them, never assumed). Recipe (issue 6, and
// ../shared/bench/torch_scenarios.py): the classroom GPT pretrained on Moby Dick, fine-tuned on SOTU,
// batch 16, context 128, AdamW (β2 0.99, no weight decay on LoRA, 0.01 on full fine-tuning),
// warmup 20 steps then cosine to a tenth, clipping 1.0, LoRA r8 α16 on every linear layer, an
// evaluation every 50 steps on the same held-out windows for every run of a scenario.
// Without a GPU the same scenarios run on the tiny model with a fraction of the steps, and say so.

import { LORA_TARGETS, MODEL_PRESETS } from '../config/architecture';
import type { RunRecord } from '../runs/schema';
import { ConfigError, parseConfig, type ModelChoice, type TrainConfig } from '../config/config';
import { f3, factLine, groupFacts, names, outcomeSentence, runFacts, type GroupFacts, type RunFacts } from './facts';
import type { Plan } from './plan';
import { calibrationSentence, orderLine, oursOf } from './scenario-calibration';
import { closeToReference, curveGap, pairs, samePrefixPairs } from './scenario-verdicts';
import { TINY_TIER_BASE, TINY_TIERS, type ScenarioRun } from './scenario-tiny';
import { GPT2_TIER_BASE, GPT2_TIERS } from './scenario-gpt2';

export interface Scenario {
  id: number;
  title: string;
  /** What we try. */
  tries: string;
  /** What to look for. */
  lookFor: string;
  x: 'step' | 'tokens';
  runs: ScenarioRun[];
  /** Scenario-specific findings, after the common outcome sentence (one group of seeds per run label). */
  extra?(gs: GroupFacts[]): string[];
}

export interface ScenarioCheck {
  /** The check: one or two sentences on what the runs showed. */
  sentence: string;
  /** One line per run. */
  lines: string[];
}

/** Rates as the scenarios' texts write them: 1e-5, 2e-4, 3e-3. */
const e = (lr: number): string => lr.toExponential();

const full = (lr: number, more: Partial<TrainConfig> = {}): Partial<TrainConfig> => ({ lora_rank: 0, learning_rate: lr, weight_decay: 0.01, ...more });
const lora = (lr: number, more: Partial<TrainConfig> = {}): Partial<TrainConfig> => ({ lora_rank: 8, learning_rate: lr, ...more });

export const SCENARIOS: Scenario[] = [
  {
    id: 1, title: 'Learning rate', x: 'step',
    tries: 'LoRA r8 at four learning rates, 300 steps each: 1e-5, 2e-4 (the usual default), 3e-3 and 1e-1.',
    lookFor: 'A rate too low barely moves the validation loss; one far too high ends worse than it started, or diverges.',
    runs: [1e-5, 2e-4, 3e-3, 1e-1].map((lr) => ({ label: `LoRA ${e(lr)}`, set: lora(lr, { max_steps: 300 }) })),
  },
  {
    id: 2, title: 'LoRA against full fine-tuning', x: 'step',
    tries: 'LoRA r8 at 2e-4 against full fine-tuning of every weight at 1e-3 and at 1e-1, 300 steps.',
    lookFor: 'How far each gets, and how a rate that suits the adapters wrecks full fine-tuning when scaled up.',
    runs: [
      { label: 'LoRA 2e-4', set: lora(2e-4, { max_steps: 300 }) },
      { label: 'full 1e-3', set: full(1e-3, { max_steps: 300 }) },
      { label: 'full 1e-1', set: full(1e-1, { max_steps: 300 }) },
    ],
  },
  {
    id: 3, title: 'Small data: over-fitting', x: 'step',
    tries: 'Only the first 16 KB of the SOTU training split: full fine-tuning at 1e-3 and LoRA at 3e-3 for 600 steps, against LoRA at 2e-4 and 1e-4 for 900 steps.',
    lookFor: 'Validation loss rising while training loss falls is over-fitting: the model learns the 16 KB by heart.',
    runs: [
      { label: 'full 1e-3', set: full(1e-3, { max_steps: 600, train_bytes: 16384 }) },
      { label: 'LoRA 3e-3', set: lora(3e-3, { max_steps: 600, train_bytes: 16384 }) },
      { label: 'LoRA 2e-4', set: lora(2e-4, { max_steps: 900, train_bytes: 16384 }) },
      { label: 'LoRA 1e-4', set: lora(1e-4, { max_steps: 900, train_bytes: 16384 }) },
    ],
    extra: (gs) => {
      // Over-fitting is a shape of one run's curves: each seed on its own.
      const runs = gs.flatMap((g) => g.members);
      const over = runs.filter((f) => f.overfit);
      const not = runs.filter((f) => !f.overfit && !f.diverged);
      const out = over.map((f) => `${f.label} over-fitted: validation loss rose from ${f3(f.overfit!.best)} at step ${f.overfit!.bestStep} to ${f3(f.overfit!.final)} while training loss fell from ${f3(f.overfit!.trainAtBest)} to ${f3(f.overfit!.trainEnd)}.`);
      if (!over.length) out.push('No run over-fitted: no validation loss rose from its best while the training loss fell.');
      else if (not.length) out.push(`${names(not)} did not over-fit.`);
      return out;
    },
  },
  {
    id: 4, title: 'The batch-size table', x: 'step',
    tries: 'The folklore table: batch 1, 2, 4 at 1e-4, 1.5e-4, 2e-4, against batch 1 and 2 at 2e-4, all 400 steps.',
    lookFor: 'Whether the smaller batches really need the smaller rates here.',
    runs: [
      { label: 'bs 1 at 1e-4', set: lora(1e-4, { batch_size: 1, max_steps: 400 }) },
      { label: 'bs 2 at 1.5e-4', set: lora(1.5e-4, { batch_size: 2, max_steps: 400 }) },
      { label: 'bs 4 at 2e-4', set: lora(2e-4, { batch_size: 4, max_steps: 400 }) },
      { label: 'bs 1 at 2e-4', set: lora(2e-4, { batch_size: 1, max_steps: 400 }) },
      { label: 'bs 2 at 2e-4', set: lora(2e-4, { batch_size: 2, max_steps: 400 }) },
    ],
    // Each batch size run at two rates: which one ended lower.
    extra: (gs) => pairs(gs, samePrefixPairs(gs, (label) => label.split(' at ')[0])),
  },
  {
    id: 5, title: 'The linear scaling rule', x: 'tokens',
    tries: 'Batch 4 at 5e-4 for 1,600 steps against batch 16 for 400 steps (the same tokens) at 2e-3 (linear rule), 1e-3 (square-root rule) and 5e-4 (unscaled).',
    lookFor: 'Plotted against tokens seen: which rule, if any, lets the bigger batch match the small one.',
    runs: [
      { label: 'bs 4 at 5e-4', set: lora(5e-4, { batch_size: 4, max_steps: 1600 }) },
      { label: 'bs 16 at 2e-3 (linear)', set: lora(2e-3, { max_steps: 400 }) },
      { label: 'bs 16 at 1e-3 (sqrt)', set: lora(1e-3, { max_steps: 400 }) },
      { label: 'bs 16 at 5e-4 (unscaled)', set: lora(5e-4, { max_steps: 400 }) },
    ],
    extra: (gs) => {
      const [ref, ...rest] = gs;
      if (!ref || ref.final === null) return [];
      const { close, how, note } = closeToReference(ref, rest, 0.01);
      return [close.length ? `${names(close)} ended ${how} of batch 4 (${f3(ref.final)}) on the same tokens${note}.` : `No batch-16 run ended ${how} of batch 4's ${f3(ref.final)} on the same tokens${note}.`];
    },
  },
  {
    id: 6, title: 'Gradient accumulation', x: 'step',
    tries: 'Batch 16 against batch 4 with 4 accumulation steps (the same effective batch), same seed and rate, 400 steps.',
    lookFor: 'The same curve: accumulation trades memory for time and changes nothing else.',
    runs: [
      { label: 'bs 16', set: lora(2e-4, { max_steps: 400 }) },
      { label: 'bs 4 × 4 accumulation', set: lora(2e-4, { batch_size: 4, grad_accum_steps: 4, max_steps: 400 }) },
    ],
  },
  {
    id: 7, title: 'Warmup', x: 'step',
    tries: 'From scratch on Moby Dick at 1e-2 for 600 steps: no warmup against 200 warmup steps.',
    lookFor: 'Whether the big first steps of a cold start hurt, and whether warmup is needed at this scale.',
    runs: [
      { label: 'no warmup', set: { lora_rank: 0, base_model: null, train_data: 'moby-dick', learning_rate: 1e-2, warmup_steps: 0, weight_decay: 0.1, max_steps: 600 } },
      { label: '200 warmup steps', set: { lora_rank: 0, base_model: null, train_data: 'moby-dick', learning_rate: 1e-2, warmup_steps: 200, weight_decay: 0.1, max_steps: 600 } },
    ],
    extra: (gs) => gs.flatMap((g) => g.members).filter((f) => f.earlyPeak !== null && f.trainStart !== null).map((f) => `${f.label}: training loss peaked at ${f3(f.earlyPeak)} in the first quarter (first steps' mean ${f3(f.trainStart)}).`),
  },
  {
    id: 8, title: 'LoRA rank', x: 'step',
    tries: 'Rank 1, 4, 8 and 16 at 2e-4 (alpha 16); then rank 16 at 2.5e-4 and at 3e-3. 400 steps.',
    lookFor: 'How much the rank matters at a fixed rate, and whether a higher rank wants another rate.',
    runs: [
      ...[1, 4, 8, 16].map((r) => ({ label: `r ${r} at 2e-4`, set: lora(2e-4, { lora_rank: r, max_steps: 400 }) })),
      { label: 'r 16 at 2.5e-4', set: lora(2.5e-4, { lora_rank: 16, max_steps: 400 }) },
      { label: 'r 16 at 3e-3', set: lora(3e-3, { lora_rank: 16, max_steps: 400 }) },
    ],
    extra: (gs) => {
      // The ranks run at the first run's rate ("r 1 at 2e-4"): how far apart they ended.
      const rate = gs[0]?.label.split(' at ')[1];
      const same = gs.filter((f) => f.label.split(' at ')[1] === rate && f.final !== null);
      if (same.length < 2) return [];
      const finals = same.map((f) => f.final!);
      return [`At ${rate}, ${names(same.map((f) => ({ ...f, label: f.label.split(' at ')[0] })))} ended within ${(Math.max(...finals) - Math.min(...finals)).toFixed(3)} nats of each other.`];
    },
  },
  {
    id: 9, title: 'Schedules', x: 'step',
    tries: 'Cosine from 3e-4 down to 1e-4, against constant 3e-4 and constant 1e-4, 400 steps.',
    lookFor: 'Whether decaying the rate beats holding it, and which constant rate is closer.',
    runs: [
      { label: 'cosine 3e-4 → 1e-4', set: lora(3e-4, { min_lr: 1e-4, max_steps: 400 }) },
      { label: 'constant 3e-4', set: lora(3e-4, { lr_schedule: 'constant', max_steps: 400 }) },
      { label: 'constant 1e-4', set: lora(1e-4, { lr_schedule: 'constant', max_steps: 400 }) },
    ],
  },
  {
    id: 10, title: 'Layer-wise learning rates', x: 'step',
    tries: 'Full fine-tuning at 1e-3: every layer at one rate, against a rate that shrinks by 0.7 per layer from the top down.',
    lookFor: 'Whether training the lower layers more gently helps a fine-tune at this scale.',
    runs: [
      { label: 'one rate', set: full(1e-3, { max_steps: 400 }) },
      { label: 'decay 0.7 per layer', set: full(1e-3, { max_steps: 400, layer_lr_decay: 0.7 }) },
    ],
  },
];

/** A run label repeated over seeds ends in " · seed N". */
const SEED_SUFFIX = / · seed \d+$/;

/** The label of seed `seed`'s run of a scenario run repeated with `seeds` seeds (the label alone for one). */
export const seedLabel = (label: string, seed: number, seeds: number): string => (seeds > 1 ? `${label} · seed ${seed}` : label);

/** The scenario run a run label belongs to: the label without its seed. */
export const groupOfLabel = (label: string): string => label.replace(SEED_SUFFIX, '');

/** A recorded run's label: its name after "S{id} {title}: " (the plan's names), else `fallback`. */
function labelOf(s: Scenario, r: RunRecord, fallback: string): string {
  const prefix = `S${s.id} ${s.title}: `;
  return r.name.startsWith(prefix) ? r.name.slice(prefix.length) : fallback;
}

/**
 * The check: what the runs (in the scenario's order, at this size, each repeated over any number of
 * seeds) showed, comparing the settings by their seeds' means and calling a difference real only
 * beyond the seed noise; their order by final validation loss; at the CPU tier that order beside
 * PyTorch's for the same configs.
 */
export function checkScenario(s: Scenario, runs: readonly RunRecord[], size: ScenarioSize = 'classroom'): ScenarioCheck {
  const planned = scenarioRunsAt(s, size);
  const fs = runs.map((r, i) => runFacts(r, labelOf(s, r, planned[i]?.label ?? r.name)));
  const gs = groupFacts(fs, groupOfLabel);
  const parts = [outcomeSentence(gs)];
  if (s.id === 6 && gs.length === 2) {
    const of = (g: GroupFacts) => runs.filter((_, i) => groupOfLabel(fs[i].label) === g.label);
    parts.push(`Batch 16 and 4 × 4 accumulation gave ${curveGap(of(gs[0]), of(gs[1]))}`);
  }
  parts.push(...(s.extra?.(gs) ?? []));
  const ordered = gs.flatMap((g) => { const v = oursOf(g); return v === null ? [] : [{ label: g.label, final: v }]; });
  if (ordered.length > 1) parts.push(`In order of ${gs.some((g) => g.members.length > 1) ? 'mean ' : ''}final validation loss: ${orderLine(ordered)}.`);
  const ref = size === 'tiny' ? TINY_TIERS[s.id].pytorch : null;
  if (ref && Object.keys(ref).length) parts.push(calibrationSentence(gs, ref));
  const line = (f: RunFacts) => {
    const key = groupOfLabel(f.label);
    return ref && key in ref ? `${factLine(f)}; PyTorch ${ref[key] === 'diverged' ? 'diverged' : f3(ref[key] as number)}` : factLine(f);
  };
  return { sentence: parts.join(' '), lines: fs.map(line) };
}

/** classroom: on a GPU; tiny: the CPU tier; gpt2: scenarios 1 and 8 on a GPT-2 base, on a GPU. */
export type ScenarioSize = 'classroom' | 'tiny' | 'gpt2';
/** The sizes whose model is a preset (the page's). */
export type PresetScenarioSize = Exclude<ScenarioSize, 'gpt2'>;

export interface ScenarioOptions {
  size: ScenarioSize;
  /** The model value of the base (gpt2: its config.json's sizes); the preset of that name otherwise. */
  model?: ModelChoice;
  /** Multiplies every step count (warmup and evaluation intervals too); 1 by default. */
  stepScale: number;
  /** base_model for the fine-tuning runs (a path, or the page's base value). */
  base: string;
  /** Each run repeated with seeds 1..seeds, so the check can tell a real difference from seed noise; 1 by default. */
  seeds?: number;
}

/** The most seeds a scenario repeats its runs with. */
export const MAX_SCENARIO_SEEDS = 8;

/** Evaluation windows per evaluation, the same for every run of a scenario (eval_batches × batch). */
const EVAL_WINDOWS: Record<ScenarioSize, number> = { classroom: 480, tiny: 64, gpt2: 64 };
/** Evaluations per run at the tiny tier (every 40 steps of a 200-step run; each costs about four training steps there). */
const TINY_EVALS = 5;

/** The default on this machine: the classroom model on a GPU, the calibrated tiny tier on a CPU. */
export function scenarioDefaults(software: boolean): { size: PresetScenarioSize; stepScale: number } {
  return software ? { size: 'tiny', stepScale: 1 } : { size: 'classroom', stepScale: 1 };
}

export function scenarioNote(o: Pick<ScenarioOptions, 'size' | 'stepScale'>): string | null {
  const steps = o.stepScale === 1 ? '' : `, with ${Math.round(o.stepScale * 1000) / 10}% of the steps`;
  if (o.size === 'classroom') return steps ? `This scenario runs${steps}.` : null;
  if (o.size === 'gpt2') return `GPT-2: this scenario runs on the GPT-2 base, batch 4, context 128, with the rules' own numbers${steps}.`;
  const t = MODEL_PRESETS.tiny;
  return `No GPU here: this scenario runs its CPU tier, the tiny model (d ${t.dModel}, ${t.nLayer} layers, context ${t.context}) from the shipped tiny base, batch 4, at rates chosen for that size with PyTorch${steps}. Its numbers are not the classroom model's; the check says what these runs showed, beside PyTorch's.`;
}

/** What the scenario tries at this size. */
export function scenarioTries(s: Scenario, size: ScenarioSize): string {
  return size === 'tiny' ? TINY_TIERS[s.id].tries : size === 'gpt2' ? gpt2Tier(s).tries : s.tries;
}

/** Scenario s's GPT-2 tier; refused for a scenario without one. */
function gpt2Tier(s: Scenario) {
  const t = GPT2_TIERS[s.id];
  if (!t) throw new ConfigError('--size', 'gpt2', `classroom or tiny for scenario ${s.id}; gpt2 runs scenarios ${Object.keys(GPT2_TIERS).join(' and ')}`);
  return t;
}

/** The runs at this size: the classroom ones, or the CPU tier's. */
export function scenarioRunsAt(s: Scenario, size: ScenarioSize): readonly ScenarioRun[] {
  return size === 'tiny' ? TINY_TIERS[s.id].runs : size === 'gpt2' ? gpt2Tier(s).runs : s.runs;
}

export function scenarioById(id: number): Scenario {
  const s = SCENARIOS.find((x) => x.id === id);
  if (!s) throw new Error(`scenario: ${id} is not allowed; a number from 1 to ${SCENARIOS.length}`);
  return s;
}

/** The scenario's runs as configs. */
export function scenarioPlan(s: Scenario, o: ScenarioOptions): Plan {
  const scale = (n: number) => Math.max(1, Math.round(n * o.stepScale));
  const tag = `scenario:${s.id}`;
  const tiny = o.size === 'tiny';
  const gpt2 = o.size === 'gpt2';
  if (gpt2 && !o.model) throw new ConfigError('--base', o.base, "a GPT-2 directory, whose config.json gives the scenario's model");
  const seeds = o.seeds ?? 1;
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > MAX_SCENARIO_SEEDS) throw new ConfigError('seeds', seeds, `an integer from 1 to ${MAX_SCENARIO_SEEDS}`);
  const runs = scenarioRunsAt(s, o.size).flatMap((r) => Array.from({ length: seeds }, (_, k) => {
    const label = seedLabel(r.label, k + 1, seeds);
    const set = { ...(tiny ? TINY_TIER_BASE : gpt2 ? GPT2_TIER_BASE : {}), ...r.set };
    const steps = Math.max(4, scale(set.max_steps ?? 400));
    const batch = set.batch_size ?? 16;
    const warm = set.warmup_steps ?? 20;
    const raw: Partial<TrainConfig> = {
      name: `S${s.id} ${s.title}: ${label}`,
      tags: [tag],
      model: o.model ?? (o.size as PresetScenarioSize),
      base_model: o.base,
      train_data: 'sotu',
      val_split: 0.1,
      batch_size: 16,
      lora_alpha: 16,
      lora_targets: [...LORA_TARGETS] as TrainConfig['lora_targets'],
      weight_decay: 0,
      beta2: 0.99,
      grad_clip: 1,
      lr_schedule: 'cosine',
      sample_interval: 0,
      sample_length: 120,
      ...set,
      max_steps: steps,
      warmup_steps: warm === 0 ? 0 : Math.min(steps - 1, scale(warm)),
      eval_interval: tiny ? Math.max(1, Math.round(steps / TINY_EVALS)) : o.stepScale === 1 ? 50 : Math.max(1, Math.round(steps / 6)),
      eval_batches: Math.max(1, Math.round(EVAL_WINDOWS[o.size] / batch)),
      seed: k + 1,
    };
    return { label, config: parseConfig(raw) };
  }));
  return { kind: 'scenario', name: `Scenario ${s.id}: ${s.title}`, tag, runs, x: s.x, keys: ['learning_rate', 'batch_size', 'lora_rank'] };
}

/** A scenario's latest recorded attempt: for each of its runs and seeds, the newest run with the tag and that name. */
export function scenarioRuns(s: Scenario, all: readonly RunRecord[], size: ScenarioSize = 'classroom', seeds = 1): (RunRecord | null)[] {
  const tagged = all.filter((r) => r.tags.includes(`scenario:${s.id}`));
  return scenarioRunsAt(s, size).flatMap((r) => Array.from({ length: seeds }, (_, k) => {
    const name = `S${s.id} ${s.title}: ${seedLabel(r.label, k + 1, seeds)}`;
    return tagged.filter((x) => x.name === name).sort((a, b) => b.created.localeCompare(a.created))[0] ?? null;
  }));
}
