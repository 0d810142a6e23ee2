// Runs a plan (sweep, scenario, range test) from the command line: every run is planned and checked
// (data, base, fit, checkpoint) before the first starts, then the runs train in groups of runs that
// can share a step program (src/train/pack.ts), `together` at a time (auto: as many as fit the
// adapter; 1: one after another), each into its own directory under `dir`: the same directories,
// weights and metrics in every case. Ctrl-C stops the current group (with checkpoints) and starts
// no other. With `resume`, runs that ended are read back from their run.json, a run with a
// checkpoint goes on from it, and the rest start afresh.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../experiments/plan';
import { parsePlan, planDifference, serializePlan, type PlanOptions } from '../experiments/plan-file';
import type { GpuContext } from '../gpu/device';
import { writeFileAtomic } from '../node/atomic';
import { latestCheckpointStep } from '../node/checkpoint-dir';
import { safeName } from '../runs/names';
import { isEnded, parseRun, type RunRecord } from '../runs/schema';
import type { Together } from '../experiments/sweep';
import { largestPack, packGroups, packKey } from '../train/pack';
import { interrupted } from './interrupt';
import { recordedStatus, resumableCheckpoint } from './resume';
import { formatOutcome, planCliRun, readRunInputs, trainTogether, type GroupRun, type RunInputs } from './train-one';

export const PLAN_FILE = 'plan.json';

/**
 * The plan a directory trains. A new plan is written to DIR/plan.json; with `resume`, the plan is
 * read from there, and a plan given again must be the same one (else nothing is changed).
 */
export function openPlanDir(dir: string, given: { plan: Plan; options: PlanOptions } | null, resume: boolean): { plan: Plan; options: PlanOptions } {
  const file = join(dir, PLAN_FILE);
  if (!resume) {
    if (!given) throw new Error('a plan to start is needed');
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(file, serializePlan(given.plan, given.options));
    return given;
  }
  if (!existsSync(file)) throw new Error(`--resume: ${dir} has no ${PLAN_FILE}; it is not the directory of a sweep or scenario`);
  const stored = parsePlan(readFileSync(file, 'utf8'), file);
  const diff = given ? planDifference(stored.plan, given.plan) : null;
  if (diff) throw new Error(`--resume: this plan is not the one ${dir} started: ${diff}`);
  return stored;
}

/** Where run i of a plan goes. */
export function planRunDir(dir: string, i: number, label: string): string {
  return join(dir, `${String(i + 1).padStart(2, '0')}-${safeName(label)}`);
}

/**
 * Trains the plan's runs (those `only` keeps: a shard's), `together` at a time where they can share
 * a step program; returns the records of those that ran, in plan order.
 */
export async function runPlan(
  ctx: GpuContext, plan: Plan, dir: string,
  o: { quiet?: boolean; resume?: boolean; only?: (index: number) => boolean; together?: Together } = {},
): Promise<RunRecord[]> {
  const keep = o.only ?? (() => true);
  const inputs = new Map<string, RunInputs>();
  const records = new Map<number, RunRecord>();
  const pending: { i: number; label: string; run: GroupRun }[] = [];
  for (const [i, r] of plan.runs.entries()) {
    if (!keep(i)) continue;
    const label = `${i + 1}/${plan.runs.length} ${r.label}`;
    const runDir = planRunDir(dir, i, r.label);
    const status = o.resume ? recordedStatus(runDir) : null;
    if (status && isEnded(status)) {
      const record = parseRun(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')), join(runDir, 'run.json'));
      process.stdout.write(`${label}: ${formatOutcome(record)} (done before)\n`);
      records.set(i, record);
      continue;
    }
    const key = `${r.config.train_data}\0${r.config.base_model ?? ''}`;
    if (!inputs.has(key)) inputs.set(key, readRunInputs(r.config));
    const resume = o.resume && latestCheckpointStep(runDir) !== null ? resumableCheckpoint(runDir) : undefined;
    pending.push({ i, label, run: { dir: runDir, label, plan: planCliRun(ctx, r.config, inputs.get(key)!, resume) } });
  }
  const together = o.together ?? 'auto';
  const groups = packGroups(pending, (p) => packKey(p.run.plan), (p) => (together === 'auto' ? largestPack(p.run.plan.model.setup, p.run.plan.data.tokens.byteLength, ctx.limits) : together));
  for (const group of groups) {
    if (interrupted()) break;
    const done = await trainTogether(ctx, group.map((g) => g.run), { quiet: o.quiet });
    for (const [k, { record }] of done.entries()) {
      process.stdout.write(`${group[k].label}: ${formatOutcome(record)}\n`);
      records.set(group[k].i, record);
    }
  }
  return [...records.keys()].sort((a, b) => a - b).map((i) => records.get(i)!);
}
