// `stepsize train --config FILE`: validates everything first (config, data, base model, fit), then
// trains with a progress bar and writes the run into output_dir. Ctrl-C stops cleanly and still
// writes what was recorded.

import { SingleBar } from 'cli-progress';
import { readConfigFile, loadTrainData, readModelFile, writeRunDir } from '../node/files';
import type { NodeBackend } from '../node/gpu';
import { Trainer } from '../train/trainer';
import { VERSION, withGpu } from './common';

export async function trainCommand(o: { config: string; set?: string[]; gpu: NodeBackend; quiet?: boolean }): Promise<void> {
  const config = readConfigFile(o.config, o.set ?? []);
  const data = loadTrainData(config);
  const base = config.base_model ? readModelFile(config.base_model) : null;
  await withGpu(o.gpu, async (ctx) => {
    const bar = new SingleBar({
      format: 'step {value}/{total} | loss {loss} | {tps} tok/s | {elapsed}s | ETA {eta_formatted}',
      noTTYOutput: true,
      notTTYSchedule: 5000,
      hideCursor: true,
    });
    const trainer = await Trainer.create(ctx, { config, text: data.bytes, dataSource: data.source, base, runtime: 'node', version: VERSION }, {
      status: (s) => bar.update(s.step, { loss: s.loss === null ? '-' : s.loss.toFixed(4), tps: Math.round(s.tokensPerSec), elapsed: (s.elapsedMs / 1000).toFixed(1) }),
    });
    process.stderr.write(`stepsize: ${ctx.adapter.name}; ${trainer.record.environment.params_trainable} of ${trainer.record.environment.params_total} parameters train; ${trainer.model.train.dispatchCount} dispatches per step\n`);
    if (!o.quiet) bar.start(trainer.maxSteps, 0, { loss: '-', tps: 0, elapsed: '0.0' });
    const onSigint = () => trainer.stop();
    process.once('SIGINT', onSigint);
    let record;
    try {
      record = await trainer.run();
    } finally {
      process.off('SIGINT', onSigint);
      bar.stop();
    }
    const arena = await trainer.readParams();
    const files = writeRunDir(config.output_dir, record, trainer.model.params, arena, trainer.shape);
    trainer.destroy();
    const out = record.outcome;
    const f = (x: number | null) => (x === null ? '-' : x.toFixed(4));
    process.stdout.write(
      `${out.status} at step ${out.step}${out.reason ? ` (${out.reason})` : ''}: train loss ${f(out.final_train_loss)}, ` +
        `val loss ${f(out.final_val_loss)} (best ${f(out.best_val_loss)} at step ${out.best_step ?? '-'}), ${(out.elapsed_ms / 1000).toFixed(1)} s\n` +
        files.map((p) => `  ${p}\n`).join(''),
    );
  });
}
