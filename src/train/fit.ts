// Does a configuration fit the adapter? Activations of one micro-batch live in one storage buffer,
// so they must fit the adapter's maxStorageBufferBindingSize (and every buffer its maxBufferSize).
// When they do not, the error suggests a micro-batch × accumulation split with the same effective batch.
// Every figure comes from the model's plan (src/model/plan.ts): a run checks the very plan it builds.

import { buildParamTable, type ParamTable, type TrainScope } from '../model/params';
import { planArenas, type ArenaSetup, type ModelArenas, type ModelPlan } from '../model/plan';
import type { ModelShape } from '../config/architecture';
import { ConfigError, ConfigErrors } from '../config/config';

export interface FitLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/** Bytes of GPU memory a training setup needs, by kind. */
export interface MemoryEstimate {
  total: number;
  activations: number;
  params: number;
  optimizer: number;
}

/** The arenas of training micro-batches of B sequences of T tokens. */
function trainingArenas(shape: ModelShape, scope: TrainScope, B: number, T: number, accum: number, evalBatches: number): ArenaSetup {
  return { shape, scope, microBatch: B, seqLen: T, accum, evalBatches };
}

/** P, the optimizer's G, M and V over the trainable prefix, X, and the corpus. */
export function memoryOf(a: ModelArenas, corpusBytes: number): MemoryEstimate {
  const params = a.params.size * 4;
  const optimizer = a.params.trainableSize * 4 * 3;
  const activations = a.acts.layout.bytes;
  return { total: params + optimizer + activations + corpusBytes, activations, params, optimizer };
}

/** The memory estimate the browser shows before a run (the run itself keeps memoryOf its plan). */
export function estimateMemory(shape: ModelShape, scope: TrainScope, B: number, T: number, accum: number, evalBatches: number, corpusBytes: number): MemoryEstimate {
  return memoryOf(planArenas(trainingArenas(shape, scope, B, T, accum, evalBatches)), corpusBytes);
}

/** The most bytes one buffer may hold on this adapter. */
function bufferCap(limits: FitLimits): number {
  return Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
}

/** The largest micro-batch of setup `s` whose activations fit under `cap` bytes, or 0. */
function largestFitting(s: ArenaSetup, params: ParamTable, cap: number): number {
  let lo = 0;
  let hi = 4096;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (planArenas({ ...s, microBatch: mid }, params).acts.layout.bytes <= cap) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The largest micro-batch that fits, or 0. */
export function largestMicroBatch(shape: ModelShape, scope: TrainScope, T: number, accum: number, evalBatches: number, limits: FitLimits): number {
  return largestFitting(trainingArenas(shape, scope, 1, T, accum, evalBatches), buildParamTable(shape, scope), bufferCap(limits));
}

/** A split b × k = effective batch with b as large as fits. */
export function suggestSplit(effective: number, maxMicro: number): { batch: number; accum: number } | null {
  for (let b = Math.min(effective, maxMicro); b >= 1; b--) if (effective % b === 0) return { batch: b, accum: effective / b };
  return null;
}

/** Bytes as the refusals say them: whole MiB (GiB from 1 GiB, KiB below 1 MiB). */
const mib = (x: number) => (x >= 2 ** 30 ? `${(x / 2 ** 30).toFixed(2)} GiB` : x >= 2 ** 20 ? `${(x / 2 ** 20).toFixed(0)} MiB` : `${(x / 2 ** 10).toFixed(0)} KiB`);

/**
 * Refuses (ConfigErrors) a plan with a buffer this adapter cannot hold: the parameters or their
 * gradient and moments (on base_model, or model: the model itself is too big), else the activations
 * of one micro-batch (on batch_size, with a split that fits).
 */
export function checkFits(plan: ModelPlan, limits: FitLimits, modelKey: 'base_model' | 'model' = 'model', modelValue: unknown = null): void {
  const cap = bufferCap(limits);
  const weights = Math.max(plan.bytes.P, plan.bytes.G, plan.bytes.M, plan.bytes.V);
  if (weights > cap) {
    const total = plan.bytes.P + plan.bytes.G + plan.bytes.M + plan.bytes.V;
    throw new ConfigErrors([new ConfigError(
      modelKey,
      modelValue,
      `a model whose arenas fit this GPU: its parameters need ${mib(plan.bytes.P)} in one buffer (${mib(total)} with gradients and AdamW moments) and the adapter allows ${mib(cap)} per buffer`,
    )]);
  }
  const need = plan.bytes.X;
  if (need <= cap) return;
  const { microBatch: B, accum } = plan.setup;
  const max = largestFitting(plan.setup, plan.params, cap);
  const split = suggestSplit(B * accum, max);
  throw new ConfigErrors([new ConfigError(
    'batch_size',
    B,
    `at most ${max} on this GPU: a micro-batch of ${B} needs ${mib(need)} of activations and the adapter allows ${mib(cap)} per buffer` +
      (split ? `; keep the effective batch of ${B * accum} with batch_size ${split.batch} and grad_accum_steps ${split.accum}` : ''),
  )]);
}
