// The training side of checkpoints: what a run's identity is (config, data, base), whether a
// checkpoint belongs to the run about to resume, when the next checkpoint is due, and moving the
// trainable tensors between a checkpoint and the parameter arena. The file format is src/runs/checkpoint.ts.

import type { ParamTable } from '../model/params';
import type { Checkpoint, CheckpointState, CheckpointTensor } from '../runs/checkpoint';
import { canonicalJson, checksum, checksumText } from '../runs/checksum';
import type { ModelFile } from '../runs/model-files';
import type { RunRecord } from '../runs/schema';
import { CONFIG_KEYS, ConfigError, type ConfigKey, type TrainConfig } from '../config/config';

/**
 * Keys that name, describe or file a run but never change its numbers: a resume may differ in them
 * (checkpoint_interval only decides where checkpoints fall; the record does not depend on it).
 */
export const RESUME_FREE_KEYS: readonly ConfigKey[] = ['name', 'tags', 'notes', 'output_dir', 'checkpoint_interval'];

/** Automatic checkpoints (checkpoint_interval null): at least this long apart… */
export const AUTO_CHECKPOINT_MS = 10_000;
/** …and at most this share of the time trained since the last one. */
export const AUTO_CHECKPOINT_SHARE = 0.01;

function numbersOf(c: TrainConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c };
  for (const k of RESUME_FREE_KEYS) delete out[k];
  return out;
}

/** Checksum of the keys that decide a run's numbers. */
export function configHash(c: TrainConfig): string {
  return checksumText(canonicalJson(numbersOf(c)));
}

/** Checksum of a model file's tensors (names, shapes and values, in name order), not of its encoding. */
export function baseHash(base: ModelFile): string {
  const parts = [...base.tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const head = checksumText(canonicalJson(parts.map((t) => [t.name, t.shape])));
  return checksumText(head + parts.map((t) => checksum(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))).join(''));
}

export function dataHash(text: Uint8Array): string {
  return checksum(text);
}

const show = (v: unknown) => JSON.stringify(v);

/**
 * Why a checkpoint cannot continue this run, one error per reason, each naming the key or file:
 * a config key that differs, other training text, another base model, or tensors that are not this
 * model's trainable ones. Empty when it can.
 */
export function resumeProblems(ckpt: Checkpoint, now: { config: TrainConfig; dataHash: string; baseHash: string | null; table: ParamTable }): ConfigError[] {
  const errs: ConfigError[] = [];
  const was = ckpt.state.record.config;
  for (const k of CONFIG_KEYS) {
    if (RESUME_FREE_KEYS.includes(k)) continue;
    if (canonicalJson(was[k]) !== canonicalJson(now.config[k])) errs.push(new ConfigError(k, now.config[k], `${show(was[k])}, as when the run started (a resumed run keeps its config)`));
  }
  if (errs.length) return errs;
  if (ckpt.state.data_hash !== now.dataHash) {
    errs.push(new ConfigError('train_data', now.config.train_data, `the same text the run started with (its checksum was ${ckpt.state.data_hash}, this text's is ${now.dataHash}: the file has changed)`));
  }
  if (ckpt.state.base_hash !== now.baseHash) {
    errs.push(new ConfigError('base_model', now.config.base_model, `the same base model the run started from (its tensors' checksum was ${ckpt.state.base_hash}, this file's is ${now.baseHash})`));
  }
  const trainable = now.table.views.filter((v) => v.trainable);
  const have = new Map(ckpt.tensors.map((t) => [t.name, t]));
  for (const v of trainable) {
    const t = have.get(v.name);
    if (!t) errs.push(new ConfigError('checkpoint', v.name, 'a tensor of the checkpoint (it is missing)'));
    else if (t.shape.join(',') !== v.shape.join(',')) errs.push(new ConfigError('checkpoint', `${v.name} [${t.shape.join(', ')}]`, `shape [${v.shape.join(', ')}]`));
  }
  if (ckpt.tensors.length !== trainable.length && !errs.length) {
    const extra = ckpt.tensors.find((t) => !now.table.byName.get(t.name)?.trainable);
    errs.push(new ConfigError('checkpoint', extra?.name, 'only tensors this model trains'));
  }
  return errs;
}

/** The JSON half of a checkpoint after `step` (the tensors' checksum is filled in when it is encoded). */
export function checkpointState(o: {
  step: number;
  record: RunRecord;
  config: TrainConfig;
  identity: { data: string; base: string | null };
  kernelStyle: string;
  adapter: string;
  sampler: number;
  optimizer: Uint32Array;
  early: { best: number; sinceBest: number };
}): CheckpointState {
  return {
    step: o.step,
    created: new Date().toISOString(),
    stepsize_version: o.record.environment.stepsize_version,
    kernel_style: o.kernelStyle,
    adapter: o.adapter,
    config_hash: configHash(o.config),
    data_hash: o.identity.data,
    base_hash: o.identity.base,
    sampler_state: o.sampler,
    optimizer_state: Array.from(o.optimizer),
    early_stopping: { best: Number.isFinite(o.early.best) ? o.early.best : null, since_best: o.early.sinceBest },
    tensors_checksum: '',
    record: o.record,
  };
}

/** The record a resumed run goes on with: the checkpoint's, running again, with the resume noted. */
export function resumedRecord(from: Checkpoint, c: TrainConfig, adapter: string): RunRecord {
  const r = structuredClone(from.state.record);
  r.config = structuredClone(c);
  r.outcome = { ...r.outcome, status: 'running', reason: null };
  r.resumes.push({ step: from.state.step, created: new Date().toISOString(), adapter });
  return r;
}

/** The trainable tensors of a snapshot (prefix of P, M and V, all with the arena's offsets). */
export function checkpointTensors(table: ParamTable, snap: { params: Float32Array; m: Float32Array; v: Float32Array }): CheckpointTensor[] {
  return table.views.filter((v) => v.trainable).map((v) => ({
    name: v.name, shape: [...v.shape],
    params: snap.params.slice(v.offset, v.offset + v.size),
    m: snap.m.slice(v.offset, v.offset + v.size),
    v: snap.v.slice(v.offset, v.offset + v.size),
  }));
}

/** Writes a checkpoint's tensors into the host arena (parameters) and fresh moment arenas [trainableSize]. */
export function restoreTensors(table: ParamTable, ckpt: Checkpoint, arena: Float32Array): { m: Float32Array; v: Float32Array } {
  const m = new Float32Array(table.trainableSize);
  const v = new Float32Array(table.trainableSize);
  const have = new Map(ckpt.tensors.map((t) => [t.name, t]));
  for (const view of table.views.filter((x) => x.trainable)) {
    const t = have.get(view.name)!;
    arena.set(t.params, view.offset);
    m.set(t.m, view.offset);
    v.set(t.v, view.offset);
  }
  return { m, v };
}

/** When the next checkpoint is due: every `interval` steps, or automatically (null), or never (0). */
export class CheckpointClock {
  private lastAt = 0;
  private lastCostMs = 0;
  /** Checkpoints written, and the milliseconds they took in all (for the end-of-run report). */
  count = 0;
  totalMs = 0;

  constructor(private readonly interval: number | null, now: number) {
    this.lastAt = now;
  }

  due(step: number, now: number): boolean {
    if (this.interval === 0) return false;
    if (this.interval !== null) return step % this.interval === 0;
    return now - this.lastAt >= Math.max(AUTO_CHECKPOINT_MS, this.lastCostMs / AUTO_CHECKPOINT_SHARE);
  }

  wrote(costMs: number, now: number): void {
    this.lastAt = now;
    this.lastCostMs = costMs;
    this.count++;
    this.totalMs += costMs;
  }
}
