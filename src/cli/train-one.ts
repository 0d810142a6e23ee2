// One training run from the command line: data and base loaded, a progress bar, the run directory
// kept current as the run goes (run.json and metrics.csv at the start, at every evaluation and
// checkpoint and every few seconds; checkpoints under checkpoint/; the weights at the end), and
// Ctrl-C or SIGTERM stopping after the current step with a checkpoint. `train`, `sweep`, `scenario`
// and `lr-range` all go through it.

import { SingleBar } from 'cli-progress';
import { clearCheckpoints, writeCheckpoint } from '../node/checkpoint-dir';
import { loadTrainData, readModelFile } from '../node/files';
import { writeRunDir, writeRunRecord } from '../node/run-dir';
import type { GpuContext } from '../gpu/device';
import type { Checkpoint } from '../runs/checkpoint';
import type { ModelFile } from '../runs/model-files';
import type { RunRecord } from '../runs/schema';
import type { TrainConfig } from '../config/config';
import { planRun } from '../train/plan';
import { Trainer } from '../train/trainer';
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

/** Reads and checks a config's training text and base model (no GPU needed). */
export function readRunInputs(config: TrainConfig): RunInputs {
  return { data: loadTrainData(config), base: config.base_model ? readModelFile(config.base_model) : null };
}

export function formatOutcome(r: RunRecord): string {
  const out = r.outcome;
  const f = (x: number | null) => (x === null ? '-' : x.toFixed(4));
  return `${out.status} at step ${out.step}${out.reason ? ` (${out.reason})` : ''}: train loss ${f(out.final_train_loss)}, ` +
    `val loss ${f(out.final_val_loss)} (best ${f(out.best_val_loss)} at step ${out.best_step ?? '-'}), ${(out.elapsed_ms / 1000).toFixed(1)} s`;
}

/** Validates data and base, trains (or resumes), keeps the run directory written; returns the record and the files. */
export async function trainOne(ctx: GpuContext, config: TrainConfig, o: TrainOneOptions = {}): Promise<{ record: RunRecord; files: string[] }> {
  const dir = o.dir ?? config.output_dir;
  const { data, base } = o.inputs ?? readRunInputs(config);
  const bar = new SingleBar({
    format: `${o.label ? `${o.label} | ` : ''}step {value}/{total} | loss {loss} | {tps} tok/s | {elapsed}s | ETA {eta_text}`,
    noTTYOutput: true,
    notTTYSchedule: 5000,
    hideCursor: true,
  });
  let recordedAt = 0;
  const keepRecord = () => {
    writeRunRecord(dir, trainer.record);
    recordedAt = performance.now();
  };
  const plan = planRun({ config, text: data.bytes, dataSource: data.source, base, limits: ctx.limits, resume: o.resume });
  const trainer: Trainer = await Trainer.create(ctx, { plan, runtime: 'node', version: VERSION }, {
    status: (s) => {
      // cli-progress computes its own {eta} (NF before the first step); ours is '–' until a step has run.
      const eta = s.step > 0 && s.state === 'running' ? `${Math.round((s.elapsedMs / s.step) * (s.maxSteps - s.step) / 1000)}s` : '–';
      bar.update(s.step, { loss: s.loss === null ? '–' : s.loss.toFixed(4), tps: Math.round(s.tokensPerSec), elapsed: (s.elapsedMs / 1000).toFixed(1), eta_text: eta });
      if (s.state === 'running' && performance.now() - recordedAt > RECORD_EVERY_MS) keepRecord();
    },
    eval: () => keepRecord(),
    checkpoint: (c) => {
      writeCheckpoint(dir, c);
      keepRecord();
    },
  });
  // Everything checked: from here on the directory is this run's.
  if (!o.resume) clearCheckpoints(dir);
  keepRecord();
  const env = trainer.record.environment;
  process.stderr.write(
    `stepsize: ${ctx.adapter.name}; ${env.params_trainable} of ${env.params_total} parameters train; ${trainer.model.train.dispatchCount} dispatches per step` +
      `${o.resume ? `; resuming ${dir} after step ${o.resume.state.step}` : ''}\n`,
  );
  if (!o.quiet) bar.start(trainer.maxSteps, trainer.currentStep, { loss: '–', tps: 0, elapsed: '0.0', eta_text: '–' });
  const release = stopOnInterrupt(() => trainer.stop());
  try {
    let record: RunRecord;
    try {
      record = await trainer.run();
    } catch (e) {
      keepRecord();
      throw e;
    }
    const arena = await trainer.readParams();
    const files = writeRunDir(dir, record, trainer.model.params, arena, trainer.shape);
    const cost = trainer.checkpointCost();
    if (cost.count) {
      const share = (100 * cost.totalMs) / Math.max(1, record.outcome.elapsed_ms);
      process.stderr.write(`stepsize: ${cost.count} checkpoint(s), ${(cost.totalMs / cost.count).toFixed(0)} ms each (${share.toFixed(2)}% of training time)\n`);
    }
    return { record, files };
  } finally {
    release();
    bar.stop();
    trainer.destroy();
  }
}
