// One training run from the command line: data and base loaded, a progress bar, Ctrl-C stopping
// cleanly, the run directory written. `train`, `sweep`, `scenario` and `lr-range` all go through it.

import { SingleBar } from 'cli-progress';
import { loadTrainData, readModelFile, writeRunDir } from '../node/files';
import type { GpuContext } from '../gpu/device';
import type { RunRecord } from '../runs/schema';
import type { TrainConfig } from '../train/config';
import { Trainer } from '../train/trainer';
import { VERSION } from './common';

export interface TrainOneOptions {
  /** Where run.json, metrics.csv and the weights go (default: config.output_dir). */
  dir?: string;
  quiet?: boolean;
  /** Shown before the progress bar ("3/8 lr 0.001"). */
  label?: string;
  /** Set by the caller to stop the plan it belongs to. */
  onTrainer?: (t: Trainer) => void;
}

export function formatOutcome(r: RunRecord): string {
  const out = r.outcome;
  const f = (x: number | null) => (x === null ? '-' : x.toFixed(4));
  return `${out.status} at step ${out.step}${out.reason ? ` (${out.reason})` : ''}: train loss ${f(out.final_train_loss)}, ` +
    `val loss ${f(out.final_val_loss)} (best ${f(out.best_val_loss)} at step ${out.best_step ?? '-'}), ${(out.elapsed_ms / 1000).toFixed(1)} s`;
}

/** Validates data and base, trains, writes the run directory; returns the record and the files written. */
export async function trainOne(ctx: GpuContext, config: TrainConfig, o: TrainOneOptions = {}): Promise<{ record: RunRecord; files: string[] }> {
  const data = loadTrainData(config);
  const base = config.base_model ? readModelFile(config.base_model) : null;
  const bar = new SingleBar({
    format: `${o.label ? `${o.label} | ` : ''}step {value}/{total} | loss {loss} | {tps} tok/s | {elapsed}s | ETA {eta_formatted}`,
    noTTYOutput: true,
    notTTYSchedule: 5000,
    hideCursor: true,
  });
  const trainer = await Trainer.create(ctx, { config, text: data.bytes, dataSource: data.source, base, runtime: 'node', version: VERSION }, {
    status: (s) => bar.update(s.step, { loss: s.loss === null ? '-' : s.loss.toFixed(4), tps: Math.round(s.tokensPerSec), elapsed: (s.elapsedMs / 1000).toFixed(1) }),
  });
  o.onTrainer?.(trainer);
  process.stderr.write(`stepsize: ${ctx.adapter.name}; ${trainer.record.environment.params_trainable} of ${trainer.record.environment.params_total} parameters train; ${trainer.model.train.dispatchCount} dispatches per step\n`);
  if (!o.quiet) bar.start(trainer.maxSteps, 0, { loss: '-', tps: 0, elapsed: '0.0' });
  const onSigint = () => trainer.stop();
  process.once('SIGINT', onSigint);
  try {
    const record = await trainer.run();
    const arena = await trainer.readParams();
    const files = writeRunDir(o.dir ?? config.output_dir, record, trainer.model.params, arena, trainer.shape);
    return { record, files };
  } finally {
    process.off('SIGINT', onSigint);
    bar.stop();
    trainer.destroy();
  }
}
