// `stepsize sweep --config FILE`: a normal config plus a `sweep:` block of lists; trains the product
// one run after another into output_dir/NN-label/ and writes output_dir/summary.csv (a row per run),
// groups.csv (a row per group of seeds) and check.txt (the verdict, also printed).
// `--shard I/N` trains only the I-th of N deterministic slices (runs I, I+N, I+2N, … of the plan, so
// each shard gets a spread of the settings) into output_dir/shard-I-of-N/, run directories numbered
// as in the whole plan; `stepsize merge` puts the shards' runs back together.
// `stepsize sweep --resume DIR`: the sweep in DIR (its plan.json) goes on: ended runs are kept, the
// interrupted one resumes from its checkpoint, the rest train.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandSweep, parseSweepFile, parseTogether, type Together } from '../experiments/sweep';
import { groupRows, groupsCsv, groupVerdict, type GroupKey } from '../experiments/groups';
import { lrBatchMap } from '../experiments/lr-batch-map';
import { bestRow, summarize, summaryCsv } from '../experiments/summary';
import { readConfigObject, withBaseModelShape } from '../node/files';
import type { NodeBackend } from '../node/gpu';
import type { RunRecord } from '../runs/schema';
import { withGpu } from './common';
import type { Plan } from '../experiments/plan';
import type { PlanOptions } from '../experiments/plan-file';
import { openPlanDir, runPlan } from './run-plan';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** "I/N" → the shard; refused, naming the flag, unless 1 ≤ I ≤ N ≤ runs. */
export function parseShard(text: string, runs: number): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!m || index < 1 || index > count || count > runs) throw new Error(`--shard: ${JSON.stringify(text)} is not allowed; I/N with 1 ≤ I ≤ N ≤ ${runs} (the sweep's runs)`);
  return { index, count };
}

/** Whether run i (0-based) of the plan belongs to the shard. */
export const inShard = (s: Shard, i: number): boolean => i % s.count === s.index - 1;

/** Writes summary.csv, groups.csv and check.txt for the runs into dir; prints the best run and the verdict. */
export function writeSweepResults(dir: string, records: readonly RunRecord[], plan: Pick<Plan, 'keys'>, target: number | null): void {
  const rows = summarize(records, target);
  mkdirSync(dir, { recursive: true });
  const csv = join(dir, 'summary.csv');
  writeFileSync(csv, summaryCsv(rows, plan.keys));
  const keys = plan.keys.filter((k): k is GroupKey => k !== 'seed');
  const groups = groupRows(rows, keys);
  writeFileSync(join(dir, 'groups.csv'), groupsCsv(groups, keys));
  // Over both learning rate and batch size: which scaling rule the best rates follow.
  const map = lrBatchMap(rows);
  const verdict = map ? `${groupVerdict(groups)} ${map.verdict}` : groupVerdict(groups);
  writeFileSync(join(dir, 'check.txt'), verdict + '\n');
  const best = bestRow(rows);
  process.stdout.write(`${best >= 0 ? `best: ${rows[best].name} (best validation loss ${rows[best].bestVal!.toFixed(4)} at step ${rows[best].bestStep})\n` : 'no run finished without diverging\n'}${verdict}\n  ${csv}\n  ${join(dir, 'groups.csv')}\n`);
}

export function checkTarget(target: number | undefined): number | null {
  if (target === undefined) return null;
  if (!(Number.isFinite(target) && target > 0)) throw new Error(`--target: ${target} is not allowed; a validation loss above 0`);
  return target;
}

export async function sweepCommand(o: { config?: string; resume?: string; set?: string[]; target?: number; shard?: string; together?: string; gpu: NodeBackend; quiet?: boolean }): Promise<void> {
  if (!o.config && !o.resume) throw new Error('sweep: give --config FILE (a new sweep) or --resume DIR (a sweep to continue)');
  const target = checkTarget(o.target);
  let together: Together = o.together === undefined ? 'auto' : parseTogether(o.together, '--together');
  let given: { plan: Plan; options: PlanOptions; dir: string } | null = null;
  if (o.config) {
    const { config, spec } = parseSweepFile(withBaseModelShape(readConfigObject(o.config, o.set ?? [])));
    if (o.together === undefined) together = spec.together ?? 'auto';
    const plan = expandSweep(config, { name: config.name || config.output_dir.split('/').filter(Boolean).at(-1), ...spec });
    const shard = o.shard === undefined ? null : parseShard(o.shard, plan.runs.length);
    given = shard
      ? { plan, options: { shard: `${shard.index}/${shard.count}` }, dir: join(config.output_dir, `shard-${shard.index}-of-${shard.count}`) }
      : { plan, options: {}, dir: config.output_dir };
  } else if (o.shard !== undefined) {
    throw new Error('--shard: give it with --config (a resumed shard keeps the shard it started as)');
  }
  const dir = o.resume ?? given!.dir;
  const { plan, options } = openPlanDir(dir, given, o.resume !== undefined);
  if (given && o.resume && (given.options.shard ?? null) !== (options.shard ?? null)) {
    throw new Error(`--resume: ${dir} started as ${options.shard ? `shard ${options.shard}` : 'the whole sweep'}, not ${given.options.shard ? `shard ${given.options.shard}` : 'the whole sweep'}`);
  }
  const shard = typeof options.shard === 'string' ? parseShard(options.shard, plan.runs.length) : null;
  const mine = plan.runs.filter((_, i) => !shard || inShard(shard, i)).length;
  process.stderr.write(`stepsize: sweep "${plan.name}": ${shard ? `shard ${shard.index} of ${shard.count}, ${mine} of ${plan.runs.length} runs` : `${plan.runs.length} runs`} ${o.resume ? 'resumed in' : 'into'} ${dir}\n`);
  await withGpu(o.gpu, async (ctx) => {
    const records = await runPlan(ctx, plan, dir, { quiet: o.quiet, resume: o.resume !== undefined, only: shard ? (i) => inShard(shard, i) : undefined, together });
    writeSweepResults(dir, records, plan, target);
    if (shard) process.stdout.write(`shard ${shard.index} of ${shard.count}: merge the shards with  stepsize merge ${join(dir, '..', 'shard-*')} --out DIR\n`);
  });
}
