// `stepsize sweep --config FILE`: a normal config plus a `sweep:` block of lists; trains the product
// one run after another into output_dir/NN-label/ and writes output_dir/summary.csv.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandSweep, parseSweepFile } from '../experiments/sweep';
import { bestRow, summarize, summaryCsv } from '../experiments/summary';
import { readConfigObject } from '../node/files';
import type { NodeBackend } from '../node/gpu';
import { withGpu } from './common';
import { runPlan } from './run-plan';

export async function sweepCommand(o: { config: string; set?: string[]; gpu: NodeBackend; quiet?: boolean }): Promise<void> {
  const { config, spec } = parseSweepFile(readConfigObject(o.config, o.set ?? []));
  const plan = expandSweep(config, { name: config.name || config.output_dir.split('/').filter(Boolean).at(-1), ...spec });
  const dir = config.output_dir;
  process.stderr.write(`stepsize: sweep "${plan.name}": ${plan.runs.length} runs into ${dir}\n`);
  await withGpu(o.gpu, async (ctx) => {
    const records = await runPlan(ctx, plan, dir, o.quiet);
    const rows = summarize(records);
    mkdirSync(dir, { recursive: true });
    const csv = join(dir, 'summary.csv');
    writeFileSync(csv, summaryCsv(rows, plan.keys));
    const best = bestRow(rows);
    process.stdout.write(`${best >= 0 ? `best: ${rows[best].name} (best validation loss ${rows[best].bestVal!.toFixed(4)} at step ${rows[best].bestStep})\n` : 'no run finished without diverging\n'}  ${csv}\n`);
  });
}
