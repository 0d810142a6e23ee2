// The sweep builder's fields, kept as typed, and the plan they describe on top of a config. Pure:
// the builder previews the plan as the person types, and Experiments runs it.

import type { Plan } from '../../experiments/plan';
import { expandSweep, parseListText, type LrScaling, type SweepSpec, type Together } from '../../experiments/sweep';
import { ConfigError, ConfigErrors, type TrainConfig } from '../../config/config';

export interface SweepForm {
  name: string;
  learning_rate: string;
  batch_size: string;
  lora_rank: string;
  seed: string;
  lr_scaling: LrScaling;
  reference_batch_size: string;
  alpha_with_rank: boolean;
  /** Runs trained side by side: 'auto' (as many as fit the GPU) or a number (1: one after another). */
  together: Together;
}

export const DEFAULT_SWEEP_FORM: SweepForm = { name: '', learning_rate: '1e-4, 3e-4, 1e-3', batch_size: '', lora_rank: '', seed: '', lr_scaling: 'none', reference_batch_size: '', alpha_with_rank: false, together: 'auto' };

/** The sweep the form describes on top of `config`; throws ConfigErrors naming the field. */
export function sweepPlan(f: SweepForm, config: TrainConfig): Plan {
  const errs: ConfigError[] = [];
  const field = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ConfigError) errs.push(e);
      else if (e instanceof ConfigErrors) errs.push(...e.errors);
      else throw e;
      return undefined;
    }
  };
  const spec: SweepSpec = { lr_scaling: f.lr_scaling, alpha_scaling: f.alpha_with_rank ? 'with_rank' : 'fixed' };
  for (const key of ['learning_rate', 'batch_size', 'lora_rank', 'seed'] as const) {
    const v = field(() => parseListText(key, f[key], key !== 'learning_rate'));
    if (v) spec[key] = v;
  }
  const ref = f.reference_batch_size.trim();
  if (ref) {
    const n = Number(ref);
    if (!Number.isInteger(n) || n < 1) errs.push(new ConfigError('reference_batch_size', ref, 'an integer ≥ 1 (the batch size the learning rates belong to)'));
    else spec.reference_batch_size = n;
  }
  if (f.name.trim()) spec.name = f.name.trim();
  if (errs.length) throw new ConfigErrors(errs);
  return expandSweep(config, spec);
}
