// `stepsize lr-range --config FILE`: the learning-rate range test on the config's model, data and
// batch (rate ramped from 1e-7 to 1); prints the suggested rate and each rule's answer or why it has none.

import { rangeTestConfig, suggestRate, type RuleAnswer } from '../experiments/lr-range';
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
    const g = (x: number | null) => (x === null ? '–' : x.toExponential(1));
    const rule = (name: string, a: RuleAnswer) => `  ${name}: ${a.lr !== null ? g(a.lr) : `no rate (${a.why})`}\n`;
    process.stdout.write(
      `range test over ${record.outcome.step} steps${s.blewUpAt !== null ? `; the loss blew up at lr ${g(s.blewUpAt)}` : ''}\n` +
        (s.fewSteps ? `  note: ${s.fewSteps}\n` : '') +
        `suggested learning_rate: ${s.edge.lr !== null ? g(s.edge.lr) : 'none'}\n` +
        rule('blow-up edge / 10', s.edge) + rule('steepest descent', s.steepest) + rule(`minimum ${g(s.minimum)} / 10`, s.minOverTen) +
        files.map((p) => `  ${p}\n`).join(''),
    );
  });
}
