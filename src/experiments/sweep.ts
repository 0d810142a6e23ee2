// Sweeps: a config plus lists of learning rates, batch sizes, LoRA ranks and seeds, whose product is
// run one after another. A learning rate in the list belongs to the reference batch size; a run with
// another batch gets it scaled by the rule (none, linear: × k for batch × k, sqrt: × √k). With
// alpha_scaling 'with_rank', alpha grows with the rank so alpha/r stays as in the config. Every run
// evaluates the same number of validation windows (eval_batches × batch_size as in the config, as
// near as whole batches allow: at least one), so runs of different batch sizes are judged on the
// same held-out text.
// The same spec drives the CLI's `sweep --config FILE` (a `sweep:` block in the YAML) and the page.

import { z } from 'zod';
import { ConfigError, ConfigErrors, parseConfig, type TrainConfig } from '../config/config';
import { MAX_TOGETHER } from '../train/pack';
import type { Plan, PlannedRun } from './plan';

export const SWEEP_KEYS = ['learning_rate', 'batch_size', 'lora_rank', 'seed'] as const;
export type SweepKey = (typeof SWEEP_KEYS)[number];
export type LrScaling = 'none' | 'linear' | 'sqrt';

export interface SweepSpec {
  /** Lists to take the product of; a key left out keeps the config's value. */
  learning_rate?: number[];
  batch_size?: number[];
  lora_rank?: number[];
  seed?: number[];
  lr_scaling: LrScaling;
  /** The batch size the config's (and the list's) learning rates belong to; default: the config's batch_size. */
  reference_batch_size?: number;
  alpha_scaling: 'fixed' | 'with_rank';
  /** Names the sweep's tag (sweep:NAME) and its runs. */
  name?: string;
  /**
   * How many compatible runs train side by side in one step program (src/train/pack.ts): 'auto' (the
   * default) packs as many as fit the adapter, 1 trains one after another. Changes no run's numbers.
   */
  together?: Together;
}

export type Together = 'auto' | number;

/** The `together` value a flag or the page gives: 'auto' or an integer from 1 to MAX_TOGETHER. */
export function parseTogether(value: unknown, key = 'together'): Together {
  const r = SPEC_FIELDS.together.schema.safeParse(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
  if (!r.success) throw new ConfigError(key, value, SPEC_FIELDS.together.allowed);
  return r.data;
}

export const MAX_SWEEP_RUNS = 64;

const list = (item: z.ZodType) => z.array(item).min(1).max(MAX_SWEEP_RUNS);
const SPEC_FIELDS = {
  learning_rate: { schema: list(z.number().gt(0).max(10)), allowed: 'a non-empty list of numbers above 0 and at most 10' },
  batch_size: { schema: list(z.number().int().min(1).max(4096)), allowed: 'a non-empty list of integers from 1 to 4096' },
  lora_rank: { schema: list(z.number().int().min(0).max(256)), allowed: 'a non-empty list of integers from 0 to 256' },
  seed: { schema: list(z.number().int().min(0).max(2 ** 32 - 1)), allowed: 'a non-empty list of integers from 0 to 4294967295' },
  lr_scaling: { schema: z.enum(['none', 'linear', 'sqrt']), allowed: "'none', 'linear' or 'sqrt'" },
  reference_batch_size: { schema: z.number().int().min(1).max(4096), allowed: 'an integer from 1 to 4096' },
  alpha_scaling: { schema: z.enum(['fixed', 'with_rank']), allowed: "'fixed' or 'with_rank'" },
  name: { schema: z.string().min(1).max(80), allowed: 'a string of 1 to 80 characters' },
  together: { schema: z.union([z.literal('auto'), z.number().int().min(1).max(MAX_TOGETHER)]), allowed: `'auto' or an integer from 1 to ${MAX_TOGETHER} (runs trained side by side)` },
} as const;

/** Validates a `sweep:` block; errors name the key as sweep.KEY. */
export function parseSweepSpec(input: unknown): SweepSpec {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new ConfigErrors([new ConfigError('sweep', input, `a mapping with any of ${Object.keys(SPEC_FIELDS).join(', ')}`)]);
  const errs: ConfigError[] = [];
  const out: Record<string, unknown> = { lr_scaling: 'none', alpha_scaling: 'fixed' };
  for (const [k, v] of Object.entries(input)) {
    const f = SPEC_FIELDS[k as keyof typeof SPEC_FIELDS];
    if (!f) {
      errs.push(new ConfigError(`sweep.${k}`, v, `unknown key; known keys: ${Object.keys(SPEC_FIELDS).join(', ')}`));
      continue;
    }
    const r = f.schema.safeParse(v);
    if (r.success) out[k] = r.data;
    else errs.push(new ConfigError(`sweep.${k}`, v, f.allowed));
  }
  if (errs.length) throw new ConfigErrors(errs);
  return out as unknown as SweepSpec;
}

/** A sweep file: a normal config plus a `sweep:` block. */
export function parseSweepFile(raw: unknown): { config: TrainConfig; spec: SweepSpec } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigErrors([new ConfigError('(config)', raw, 'a mapping of keys to values with a sweep: block')]);
  const { sweep, ...rest } = raw as Record<string, unknown>;
  if (sweep === undefined) throw new ConfigErrors([new ConfigError('sweep', undefined, 'a sweep: block with lists of learning_rate, batch_size, lora_rank or seed')]);
  return { config: parseConfig(rest), spec: parseSweepSpec(sweep) };
}

/** n rates spaced evenly on a log axis from `lo` to `hi` (both included), rounded to 3 significant digits. */
export function logspace(lo: number, hi: number, n: number): number[] {
  if (!(lo > 0) || !(hi >= lo) || !Number.isInteger(n) || n < 1) throw new ConfigError('range', `${lo}..${hi} × ${n}`, 'low > 0, high ≥ low and a count ≥ 1');
  if (n === 1) return [lo];
  return Array.from({ length: n }, (_, i) => Number((lo * (hi / lo) ** (i / (n - 1))).toPrecision(3)));
}

export function scaleRate(rate: number, batch: number, reference: number, rule: LrScaling): number {
  const k = batch / reference;
  const f = rule === 'linear' ? k : rule === 'sqrt' ? Math.sqrt(k) : 1;
  return Number((rate * f).toPrecision(6));
}

const SHORT: Record<SweepKey, string> = { learning_rate: 'lr', batch_size: 'bs', lora_rank: 'r', seed: 'seed' };

/** The keys whose values differ between the points (for names and tables). */
function variedKeys(spec: SweepSpec): SweepKey[] {
  return SWEEP_KEYS.filter((k) => (spec[k]?.length ?? 0) > 1 || (k === 'learning_rate' && spec.lr_scaling !== 'none' && (spec.batch_size?.length ?? 0) > 1));
}

/** Expands a sweep into its runs (the product of the lists), each config validated on its own. */
export function expandSweep(base: TrainConfig, spec: SweepSpec): Plan {
  const rates = spec.learning_rate ?? [base.learning_rate];
  const batches = spec.batch_size ?? [base.batch_size];
  const ranks = spec.lora_rank ?? [base.lora_rank];
  const seeds = spec.seed ?? [base.seed];
  const total = rates.length * batches.length * ranks.length * seeds.length;
  if (total > MAX_SWEEP_RUNS) throw new ConfigErrors([new ConfigError('sweep', `${total} runs`, `at most ${MAX_SWEEP_RUNS} runs (the product of the lists)`)]);
  const reference = spec.reference_batch_size ?? base.batch_size;
  const name = spec.name ?? `sweep ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
  const tag = `sweep:${name}`;
  const shown = variedKeys(spec);
  const runs: PlannedRun[] = [];
  const errs: ConfigError[] = [];
  for (const rank of ranks) {
    for (const batch of batches) {
      for (const rate of rates) {
        for (const seed of seeds) {
          const values: Record<SweepKey, number> = { learning_rate: scaleRate(rate, batch, reference, spec.lr_scaling), batch_size: batch, lora_rank: rank, seed };
          const label = shown.length ? shown.map((k) => `${SHORT[k]} ${values[k]}`).join(' ') : `run ${runs.length + 1}`;
          const alpha = spec.alpha_scaling === 'with_rank' && base.lora_rank > 0 && rank > 0 ? (base.lora_alpha * rank) / base.lora_rank : base.lora_alpha;
          const raw = {
            ...base, ...values, lora_alpha: alpha, name: `${name}: ${label}`, tags: [...base.tags.filter((t) => t !== tag), tag],
            min_lr: base.min_lr === null ? null : Math.min(base.min_lr, values.learning_rate),
            // The same validation windows at every batch size (eval_batches counts batches of batch_size).
            eval_batches: batch === base.batch_size ? base.eval_batches : Math.max(1, Math.round((base.eval_batches * base.batch_size) / batch)),
          };
          try {
            runs.push({ label, config: parseConfig(raw), varied: values });
          } catch (e) {
            if (!(e instanceof ConfigErrors)) throw e;
            for (const x of e.errors) errs.push(new ConfigError(x.key, x.value, `${x.allowed} (in sweep run ${label})`));
          }
        }
      }
    }
  }
  if (errs.length) throw new ConfigErrors(errs);
  return { kind: 'sweep', name, tag, runs, x: 'step', keys: shown.length ? shown : ['learning_rate'] };
}

/**
 * A list the sweep builder's field holds: "1e-4, 3e-4, 1e-3", or a log-spaced range "1e-5..1e-1 x5"
 * (five rates from 1e-5 to 1e-1). Empty text means "the config's value" (null).
 */
export function parseListText(key: string, text: string, integer: boolean): number[] | null {
  const t = text.trim();
  if (!t) return null;
  const allowed = integer ? 'integers separated by commas' : 'numbers separated by commas, or a log range like 1e-5..1e-1 x5';
  const range = /^(\S+?)\s*\.\.\s*(\S+?)\s*[x×]\s*(\d+)$/i.exec(t);
  if (range && !integer) {
    const [lo, hi, n] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (!(lo > 0) || !(hi >= lo) || !(n >= 1 && n <= MAX_SWEEP_RUNS)) throw new ConfigError(key, t, `a range low..high xN with 0 < low ≤ high and 1 ≤ N ≤ ${MAX_SWEEP_RUNS}`);
    return logspace(lo, hi, n);
  }
  const parts = t.split(/[\s,;]+/).filter(Boolean);
  const nums = parts.map(Number);
  if (nums.some((v) => !Number.isFinite(v) || (integer && !Number.isInteger(v)))) throw new ConfigError(key, t, allowed);
  const f = SPEC_FIELDS[key as keyof typeof SPEC_FIELDS];
  if (f) {
    const r = f.schema.safeParse(nums);
    if (!r.success) throw new ConfigError(key, t, f.allowed);
  }
  return nums;
}
