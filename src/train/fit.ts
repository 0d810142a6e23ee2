// Does a configuration fit the adapter? Activations of one micro-batch live in one storage buffer,
// so they must fit the adapter's maxStorageBufferBindingSize (and every buffer its maxBufferSize).
// When they do not, the error suggests a micro-batch × accumulation split with the same effective batch.

import { planActivations } from '../model/activations';
import { buildParamTable, type TrainScope } from '../model/params';
import type { ModelShape } from '../config/architecture';
import { ConfigError } from '../config/config';

/** Bytes of GPU memory a training setup needs, by kind (for the fit check and the browser's estimate). */
export function estimateMemory(shape: ModelShape, scope: TrainScope, B: number, accum: number, evalBatches: number, corpusBytes: number): { total: number; activations: number; params: number; optimizer: number } {
  const params = buildParamTable(shape, scope);
  const acts = planActivations(shape, params, B, shape.context, Math.max(accum, evalBatches) * B * shape.context, true);
  const p = params.size * 4;
  const opt = params.trainableSize * 4 * 3;
  return { total: p + opt + acts.layout.bytes + corpusBytes, activations: acts.layout.bytes, params: p, optimizer: opt };
}

export interface FitLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

export function activationBytes(shape: ModelShape, scope: TrainScope, B: number, accum: number, evalBatches: number): number {
  const params = buildParamTable(shape, scope);
  const T = shape.context;
  return planActivations(shape, params, B, T, Math.max(accum, evalBatches) * B * T, true).layout.bytes;
}

/** The largest micro-batch that fits, or 0. */
export function largestMicroBatch(shape: ModelShape, scope: TrainScope, accum: number, evalBatches: number, limits: FitLimits): number {
  const cap = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  let lo = 0;
  let hi = 4096;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (activationBytes(shape, scope, mid, accum, evalBatches) <= cap) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A split b × k = effective batch with b as large as fits. */
export function suggestSplit(effective: number, maxMicro: number): { batch: number; accum: number } | null {
  for (let b = Math.min(effective, maxMicro); b >= 1; b--) if (effective % b === 0) return { batch: b, accum: effective / b };
  return null;
}

export function checkFits(shape: ModelShape, scope: TrainScope, B: number, accum: number, evalBatches: number, limits: FitLimits): void {
  const cap = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const need = activationBytes(shape, scope, B, accum, evalBatches);
  if (need <= cap) return;
  const max = largestMicroBatch(shape, scope, accum, evalBatches, limits);
  const split = suggestSplit(B * accum, max);
  const mib = (x: number) => `${(x / 2 ** 20).toFixed(0)} MiB`;
  throw new ConfigError(
    'batch_size',
    B,
    `at most ${max} on this GPU: a micro-batch of ${B} needs ${mib(need)} of activations and the adapter allows ${mib(cap)} per buffer` +
      (split ? `; keep the effective batch of ${B * accum} with batch_size ${split.batch} and grad_accum_steps ${split.accum}` : ''),
  );
}
