// Training runs from the command line: data and base loaded, a progress bar per run, each run
// directory kept current as the run goes (run.json and metrics.csv at the start, at every evaluation
// and checkpoint and every few seconds; checkpoints under checkpoint/; the weights as soon as the run
// ends), and Ctrl-C or SIGTERM stopping after the current step with a checkpoint. Runs given together
// train packed side by side in one model (src/train/pack.ts); each writes what it would alone.
// `train`, `sweep`, `scenario` and `lr-range` all go through it.

import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { clearCheckpoints, writeCheckpoint } from '../node/checkpoint-dir';
import { loadTrainData, readModelFile } from '../node/files';
import { writeRunDir, writeRunRecord } from '../node/run-dir';
import type { GpuContext } from '../gpu/device';
import type { Checkpoint } from '../runs/checkpoint';
import type { ModelFile } from '../runs/model-files';
import type { RunRecord } from '../runs/schema';
import type { TrainConfig } from '../config/config';
import { planRun, type RunPlan } from '../train/plan';
import { Trainer, type TrainerEvents } from '../train/trainer';
import { VERSION } from './common';
import { stopOnInterrupt } from './interrupt';

/** run.json and metrics.csv are rewritten at least this often while metrics arrive. */
const RECORD_EVERY_MS = 5000;

export interface TrainOneOptions {
  /** Where run.json, metrics.csv, checkpoint/ and the weights go (default: config.output_dir). */
  dir?: string;
  quiet?: boolean;
  /** Shown before the progress bar ("3/8 lr 0.001"). */
  label?: string;
  /** Continue the run in `dir` from this checkpoint (read from it). */
  resume?: Checkpoint;
  /** The text and base, when the caller read (and so checked) them already. */
  inputs?: RunInputs;
}

export interface RunInputs {
  data: { bytes: Uint8Array; source: string };
  base: ModelFile | null;
}

/** One run of a group: its directory, label, and the plan checked for this adapter. */
export interface GroupRun {
  dir: string;
  label?: string;
  plan: RunPlan;
}

/** Reads and checks a config's training text and base model (no GPU needed). */
export function readRunInputs(config: TrainConfig): RunInputs {
  return { data: loadTrainData(config), base: config.base_model ? readModelFile(config.base_model) : null };
}

/** Plans a run on this adapter from its config, inputs and checkpoint (refusals name the key). */
export function planCliRun(ctx: GpuContext, config: TrainConfig, inputs: RunInputs, resume?: Checkpoint): RunPlan {
  return planRun({ config, text: inputs.data.bytes, dataSource: inputs.data.source, base: inputs.base, limits: ctx.limits, resume });
}

export function formatOutcome(r: RunRecord): string {
  const out = r.outcome;
  const f = (x: number | null) => (x === null ? '-' : x.toFixed(4));
  return `${out.status} at step ${out.step}${out.reason ? ` (${out.reason})` : ''}: train loss ${f(out.final_train_loss)}, ` +
    `val loss ${f(out.final_val_loss)} (best ${f(out.best_val_loss)} at step ${out.best_step ?? '-'}), ${(out.elapsed_ms / 1000).toFixed(1)} s`;
}

/** Validates data and base, trains (or resumes), keeps the run directory written; returns the record and the files. */
export async function trainOne(ctx: GpuContext, config: TrainConfig, o: TrainOneOptions = {}): Promise<{ record: RunRecord; files: string[] }> {
  const plan = planCliRun(ctx, config, o.inputs ?? readRunInputs(config), o.resume);
  return (await trainTogether(ctx, [{ dir: o.dir ?? config.output_dir, label: o.label, plan }], o))[0];
}

/**
 * Trains the runs side by side (one run: alone), each into its directory; returns each run's record
 * and the files its directory ended with, in the order given.
 */
export async function trainTogether(ctx: GpuContext, runs: readonly GroupRun[], o: { quiet?: boolean } = {}): Promise<{ record: RunRecord; files: string[] }[]> {
  const bars = new MultiBar({
    format: '{label}step {value}/{total} | loss {loss} | {tps} tok/s | {elapsed}s | ETA {eta_text}',
    noTTYOutput: true,
    notTTYSchedule: 5000,
    hideCursor: true,
  }, Presets.legacy);
  const recordedAt = runs.map(() => 0);
  const files: string[][] = runs.map(() => []);
  const bar: (SingleBar | null)[] = runs.map(() => null);
  let trainer: Trainer | null = null;
  const keepRecord = (k: number) => {
    writeRunRecord(runs[k].dir, trainer!.lanes[k].record);
    recordedAt[k] = performance.now();
  };
  const events = runs.map((run, k): TrainerEvents => ({
    status: (s) => {
      // cli-progress computes its own {eta} (NF before the first step); ours is '–' until a step has run.
      const eta = s.step > 0 && s.state === 'running' ? `${Math.round((s.elapsedMs / s.step) * (s.maxSteps - s.step) / 1000)}s` : '–';
      bar[k]?.update(s.step, { loss: s.loss === null ? '–' : s.loss.toFixed(4), tps: Math.round(s.tokensPerSec), elapsed: (s.elapsedMs / 1000).toFixed(1), eta_text: eta });
      if (s.state === 'running' && performance.now() - recordedAt[k] > RECORD_EVERY_MS) keepRecord(k);
    },
    eval: () => keepRecord(k),
    checkpoint: (c) => {
      writeCheckpoint(run.dir, c);
      keepRecord(k);
    },
    ended: async (record) => {
      // The weights now: a packed run's stay as they ended while the others train on.
      files[k] = writeRunDir(run.dir, record, trainer!.model.params, await trainer!.readParams(k), run.plan.shape, run.plan.base?.hf);
    },
  }));
  trainer = await Trainer.createPacked(ctx, runs.map((r) => ({ plan: r.plan, runtime: 'node' as const, version: VERSION })), events);
  const t = trainer;
  // Everything checked: from here on the directories are these runs'.
  for (const [k, r] of runs.entries()) {
    if (!r.plan.resume) clearCheckpoints(r.dir);
    keepRecord(k);
  }
  const env = t.record.environment;
  const resumed = runs.filter((r) => r.plan.resume).map((r) => `${r.dir} after step ${r.plan.resume!.state.step}`);
  process.stderr.write(
    `stepsize: ${ctx.adapter.name}; ${env.params_trainable} of ${env.params_total} parameters train; ${t.model.train.dispatchCount} dispatches per step` +
      `${runs.length > 1 ? ` for ${runs.length} runs side by side` : ''}${resumed.length ? `; resuming ${resumed.join(', ')}` : ''}\n`,
  );
  if (!o.quiet) {
    for (const [k, r] of runs.entries()) {
      bar[k] = bars.create(t.lanes[k].maxSteps, t.lanes[k].step, { label: r.label ? `${r.label} | ` : '', loss: '–', tps: 0, elapsed: '0.0', eta_text: '–' });
    }
  }
  const release = stopOnInterrupt(() => t.stop());
  try {
    let records: RunRecord[];
    try {
      records = await t.runAll();
    } catch (e) {
      for (const k of runs.keys()) keepRecord(k);
      throw e;
    }
    for (const [k, record] of records.entries()) {
      const cost = t.checkpointCost(k);
      if (!cost.count) continue;
      const share = (100 * cost.totalMs) / Math.max(1, record.outcome.elapsed_ms);
      process.stderr.write(`stepsize: ${runs.length > 1 ? `${runs[k].label ?? runs[k].dir}: ` : ''}${cost.count} checkpoint(s), ${(cost.totalMs / cost.count).toFixed(0)} ms each (${share.toFixed(2)}% of training time)\n`);
    }
    return records.map((record, k) => ({ record, files: files[k] }));
  } finally {
    release();
    bars.stop();
    t.destroy();
  }
}
