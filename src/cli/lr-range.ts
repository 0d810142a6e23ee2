// `stepsize lr-range --config FILE`: the learning-rate range test on the config's model, data and
// batch (rate ramped from 1e-7 to 1); prints the two suggested rates.

import { rangeTestConfig, suggestRate } from '../experiments/lr-range';
import { readConfigFile } from '../node/files';
import type { NodeBackend } from '../node/gpu';
import { positiveInt, withGpu } from './common';
import { trainOne } from './train-one';

export async function lrRangeCommand(o: { config: string; set?: string[]; steps: number; gpu: NodeBackend; quiet?: boolean }): Promise<void> {
  positiveInt('--steps', o.steps);
  const base = readConfigFile(o.config, o.set ?? []);
  const config = rangeTestConfig({ ...base, output_dir: `${base.output_dir.replace(/\/+$/, '')}-lr-range` }, o.steps);
  await withGpu(o.gpu, async (ctx) => {
    const { record, files } = await trainOne(ctx, config, { quiet: o.quiet, label: 'range test' });
    const s = suggestRate(record);
    const g = (x: number | null) => (x === null ? '-' : x.toExponential(1));
    process.stdout.write(
      `range test over ${record.outcome.step} steps${s.blewUpAt !== null ? `; the loss blew up at lr ${g(s.blewUpAt)}` : ''}\n` +
        `suggested learning_rate: ${g(s.steepest)} (steepest descent), ${g(s.minOverTen)} (minimum ${g(s.minimum)} / 10)\n` +
        files.map((p) => `  ${p}\n`).join(''),
    );
  });
}
