// Building a run record as training goes: a fresh record, then steps, evaluations and samples
// appended in place (the UI and the CLI read the same object).

import type { Dataset } from '../data/dataset';
import type { AdapterSummary } from '../gpu/device';
import { RUN_FORMAT, RUN_VERSION, type RunRecord } from '../runs/schema';
import type { TrainConfig } from '../config/config';

export interface StepRow {
  step: number;
  tokens: number;
  loss: number;
  lr: number;
  gradNorm: number;
  clip: number;
  updateRatio: number;
  elapsedMs: number;
  tensorGradNorms: Float32Array;
  tensorUpdateRatios: Float32Array;
}

export function newRunId(): string {
  const rand = Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0');
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${rand}`;
}

export function newRunRecord(o: {
  id?: string;
  config: TrainConfig;
  dataSource: string;
  data: Dataset;
  runtime: 'node' | 'browser';
  userAgent: string | null;
  adapter: AdapterSummary;
  version: string;
  counts: { total: number; trainable: number };
  dispatches: number;
  tensorNames: string[];
}): RunRecord {
  const c = o.config;
  return {
    format: RUN_FORMAT,
    version: RUN_VERSION,
    id: o.id ?? newRunId(),
    name: c.name || (o.runtime === 'node' ? c.output_dir.split('/').filter(Boolean).at(-1) : null) || describeRun(c),
    tags: [...c.tags],
    notes: c.notes,
    created: new Date().toISOString(),
    config: structuredClone(c),
    environment: {
      runtime: o.runtime,
      adapter: { name: o.adapter.name, vendor: o.adapter.vendor, architecture: o.adapter.architecture, description: o.adapter.description, software: o.adapter.isSoftware },
      stepsize_version: o.version,
      user_agent: o.userAgent,
      params_total: o.counts.total,
      params_trainable: o.counts.trainable,
      dispatches_per_step: o.dispatches,
      submits_per_step: 1,
    },
    data: { source: o.dataSource, train_bytes: o.data.trainLen, val_bytes: o.data.valLen },
    metrics: { step: [], tokens: [], loss: [], lr: [], grad_norm: [], clip: [], update_ratio: [], elapsed_ms: [] },
    tensors: { names: o.tensorNames, step: [], grad_norm: [], update_ratio: [] },
    evals: [],
    samples: [],
    resumes: [],
    outcome: { status: 'running', step: 0, reason: null, best_val_loss: null, best_step: null, final_val_loss: null, final_train_loss: null, elapsed_ms: 0 },
  };
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** A default run name from what usually varies: mode, model, learning rate, batch, data. */
export function describeRun(c: TrainConfig): string {
  const mode = c.lora_rank > 0 ? `LoRA r${c.lora_rank}` : c.base_model ? 'full FT' : 'scratch';
  const model = typeof c.model === 'string' ? c.model : `d${c.model.d_model}×${c.model.n_layer}`;
  const batch = c.grad_accum_steps > 1 ? `${c.batch_size}×${c.grad_accum_steps}` : `${c.batch_size}`;
  const data = c.train_data.replace(/^upload: /, '');
  return `${mode} ${model} lr ${c.learning_rate} bs ${batch} ${data}`;
}

/** Appends step rows; per-tensor figures are kept every `tensorEvery` steps (recordLastTensors adds the last). */
export function recordSteps(run: RunRecord, rows: readonly StepRow[], nTensors: number, tensorEvery: number): void {
  const m = run.metrics;
  rows.forEach((r) => {
    m.step.push(r.step);
    m.tokens.push(r.tokens);
    m.loss.push(finite(r.loss));
    m.lr.push(finite(r.lr));
    m.grad_norm.push(finite(r.gradNorm));
    m.clip.push(finite(r.clip));
    m.update_ratio.push(finite(r.updateRatio));
    m.elapsed_ms.push(Math.round(r.elapsedMs * 10) / 10);
    if (r.step % tensorEvery === 0) pushTensors(run, r, nTensors);
  });
  run.outcome.step = rows.at(-1)?.step ?? run.outcome.step;
}

function pushTensors(run: RunRecord, r: StepRow, nTensors: number): void {
  run.tensors.step.push(r.step);
  run.tensors.grad_norm.push(Array.from(r.tensorGradNorms.subarray(0, nTensors), finite));
  run.tensors.update_ratio.push(Array.from(r.tensorUpdateRatios.subarray(0, nTensors), finite));
}

/**
 * The last step's per-tensor figures, when the run ended between two kept steps. (Kept steps depend
 * only on the step number, never on when metrics were read back, so a resumed run records the same.)
 */
export function recordLastTensors(run: RunRecord, last: StepRow, nTensors: number): void {
  if (run.tensors.step.at(-1) !== last.step) pushTensors(run, last, nTensors);
}

export function recordEval(run: RunRecord, e: RunRecord['evals'][number]): void {
  const finite = (v: number | null | undefined) => (v != null && Number.isFinite(v) ? v : null);
  run.evals.push({ ...e, val_loss: finite(e.val_loss), ...(e.val_bpb !== undefined ? { val_bpb: finite(e.val_bpb) } : {}) });
}

export function recordSample(run: RunRecord, s: RunRecord['samples'][number]): void {
  run.samples.push(s);
}
