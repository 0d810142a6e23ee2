// What a model setup needs before anything is allocated: the parameter table (P, and the trainable
// prefix that G, M and V cover), the activation arena X of one micro-batch, the optimizer's tensor
// table and every buffer's size. Planned once per run: the fit check, the memory estimate, the
// resume check and GpuModel.create all read the same plan.

import { buildOptimTable, STATE_BYTES, STEP_BYTES, workSize, type OptimTable } from '../kernels/optim';
import type { Runs } from '../kernels/runs';
import { planActivations, type ActivationPlan } from './activations';
import type { ModelSetup } from './gpu-model';
import { buildParamTable, optimTensors, type ParamTable } from './params';

/** What sizes the arenas: a setup without the optimizer's numbers, the ring and the kernel style. */
export type ArenaSetup = Pick<ModelSetup, 'shape' | 'scope' | 'microBatch' | 'seqLen' | 'accum' | 'evalBatches' | 'training'>;

/** The parameter table and the activation arena of a setup. */
export interface ModelArenas {
  params: ParamTable;
  acts: ActivationPlan;
}

/**
 * Bytes of each GPU buffer whose size depends on the setup, named as in ModelBuffers (the corpus is
 * the caller's text, the optimizer table is uploaded from `table.data`), for all packed runs.
 */
export interface BufferBytes {
  P: number;
  G: number;
  M: number;
  V: number;
  X: number;
  windows: number;
  work: number;
  ring: number;
  step: number;
  state: number;
}

export interface ModelPlan extends ModelArenas {
  setup: ModelSetup;
  /**
   * The packed runs (setup.runs, default 1) and the elements from one run's data to the next: P, X
   * and G (G's serves M and V) rounded up to 64 elements, so each run's region starts 256-byte aligned.
   */
  runs: Runs;
  /** The trainable tensors in chunks, for the optimizer's dispatches [nChunks + nTensors rows]. */
  table: OptimTable;
  bytes: BufferBytes;
}

/**
 * The arenas of a setup: the parameter table, and activations for one micro-batch [microBatch,
 * seqLen] with loss rows for every micro-batch of a step or every evaluation batch, whichever is
 * more. `params` may be passed in where only the micro-batch varies (it does not depend on it).
 */
export function planArenas(s: ArenaSetup, params = buildParamTable(s.shape, s.scope)): ModelArenas {
  const training = s.training !== false;
  const lossRows = Math.max(training ? s.accum : 0, s.evalBatches) * s.microBatch * s.seqLen;
  return { params, acts: planActivations(s.shape, params, s.microBatch, s.seqLen, lossRows, training) };
}

const align64 = (n: number) => Math.ceil(n / 64) * 64;

export function planModel(setup: ModelSetup): ModelPlan {
  const { params, acts } = planArenas(setup);
  const table = buildOptimTable(optimTensors(params));
  const K = setup.runs ?? 1;
  if (!Number.isInteger(K) || K < 1) throw new Error(`runs: ${K} is not allowed; an integer ≥ 1`);
  // An evaluation-only model keeps placeholder G, M and V (a binding cannot be empty).
  const trainable = setup.training !== false ? Math.max(params.trainableSize, 4) : 4;
  const runs: Runs = {
    count: K,
    P: align64(params.size),
    X: align64(acts.layout.size),
    G: align64(trainable),
    windows: (setup.accum + setup.evalBatches) * setup.microBatch,
  };
  const bytes: BufferBytes = {
    P: (K - 1) * runs.P * 4 + params.size * 4,
    G: ((K - 1) * runs.G + trainable) * 4,
    M: ((K - 1) * runs.G + trainable) * 4,
    V: ((K - 1) * runs.G + trainable) * 4,
    X: (K - 1) * runs.X * 4 + acts.layout.bytes,
    windows: K * runs.windows * 4,
    work: K * Math.max(1, workSize(table)) * 4,
    ring: K * setup.ringSlots * table.slotSize * 4,
    step: K * STEP_BYTES,
    state: K * STATE_BYTES,
  };
  return { setup, params, acts, table, bytes, runs };
}
