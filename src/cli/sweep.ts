// `stepsize sweep --config FILE`: a normal config plus a `sweep:` block of lists; trains the product
// one run after another into output_dir/NN-label/ and writes output_dir/summary.csv (a row per run),
// groups.csv (a row per group of seeds) and check.txt (the verdict, also printed).
// `stepsize sweep --resume DIR`: the sweep in DIR (its plan.json) goes on: ended runs are kept, the
// interrupted one resumes from its checkpoint, the rest train.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandSweep, parseSweepFile } from '../experiments/sweep';
import { groupKeysOf, groupRows, groupsCsv, groupVerdict } from '../experiments/groups';
import { bestRow, summarize, summaryCsv } from '../experiments/summary';
import { readConfigObject, withBaseModelShape } from '../node/files';
import type { NodeBackend } from '../node/gpu';
import { withGpu } from './common';
import type { Plan } from '../experiments/plan';
import type { PlanOptions } from '../experiments/plan-file';
import { openPlanDir, runPlan } from './run-plan';

export async function sweepCommand(o: { config?: string; resume?: string; set?: string[]; target?: number; gpu: NodeBackend; quiet?: boolean }): Promise<void> {
  if (!o.config && !o.resume) throw new Error('sweep: give --config FILE (a new sweep) or --resume DIR (a sweep to continue)');
  if (o.target !== undefined && !(Number.isFinite(o.target) && o.target > 0)) throw new Error(`--target: ${o.target} is not allowed; a validation loss above 0`);
  let given: { plan: Plan; options: PlanOptions; dir: string } | null = null;
  if (o.config) {
    const { config, spec } = parseSweepFile(withBaseModelShape(readConfigObject(o.config, o.set ?? [])));
    given = { plan: expandSweep(config, { name: config.name || config.output_dir.split('/').filter(Boolean).at(-1), ...spec }), options: {}, dir: config.output_dir };
  }
  const dir = o.resume ?? given!.dir;
  const { plan } = openPlanDir(dir, given, o.resume !== undefined);
  process.stderr.write(`stepsize: sweep "${plan.name}": ${plan.runs.length} runs ${o.resume ? 'resumed in' : 'into'} ${dir}\n`);
  await withGpu(o.gpu, async (ctx) => {
    const records = await runPlan(ctx, plan, dir, { quiet: o.quiet, resume: o.resume !== undefined });
    const rows = summarize(records, o.target ?? null);
    mkdirSync(dir, { recursive: true });
    const csv = join(dir, 'summary.csv');
    writeFileSync(csv, summaryCsv(rows, plan.keys));
    const keys = groupKeysOf(rows);
    const groups = groupRows(rows, keys);
    writeFileSync(join(dir, 'groups.csv'), groupsCsv(groups, keys));
    const verdict = groupVerdict(groups);
    writeFileSync(join(dir, 'check.txt'), verdict + '\n');
    const best = bestRow(rows);
    process.stdout.write(`${best >= 0 ? `best: ${rows[best].name} (best validation loss ${rows[best].bestVal!.toFixed(4)} at step ${rows[best].bestStep})\n` : 'no run finished without diverging\n'}${verdict}\n  ${csv}\n  ${join(dir, 'groups.csv')}\n`);
  });
}
