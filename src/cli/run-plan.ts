// Runs a plan (sweep, scenario, range test) from the command line: every run's data and base are
// checked before the first starts, then the runs train one after another, each into its own
// directory under `dir`. Ctrl-C stops the current run (with a checkpoint) and starts no other.
// With `resume`, runs that ended are read back from their run.json, a run with a checkpoint goes on
// from it, and the rest start afresh.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../experiments/plan';
import { parsePlan, planDifference, serializePlan, type PlanOptions } from '../experiments/plan-file';
import type { GpuContext } from '../gpu/device';
import { writeFileAtomic } from '../node/atomic';
import { latestCheckpointStep } from '../node/checkpoint-dir';
import { loadTrainData, readModelFile } from '../node/files';
import { safeName } from '../runs/names';
import { isEnded, parseRun, type RunRecord } from '../runs/schema';
import { interrupted } from './interrupt';
import { recordedStatus, resumableCheckpoint } from './resume';
import { formatOutcome, trainOne } from './train-one';

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

/** Trains the plan's runs (those `only` keeps: a shard's), in order; returns the records of those that ran. */
export async function runPlan(ctx: GpuContext, plan: Plan, dir: string, o: { quiet?: boolean; resume?: boolean; only?: (index: number) => boolean } = {}): Promise<RunRecord[]> {
  const keep = o.only ?? (() => true);
  const bases = new Set<string>();
  for (const [i, r] of plan.runs.entries()) {
    if (!keep(i)) continue;
    loadTrainData(r.config);
    if (r.config.base_model && !bases.has(r.config.base_model)) {
      readModelFile(r.config.base_model);
      bases.add(r.config.base_model);
    }
  }
  const records: RunRecord[] = [];
  for (const [i, r] of plan.runs.entries()) {
    if (!keep(i)) continue;
    if (interrupted()) break;
    const label = `${i + 1}/${plan.runs.length} ${r.label}`;
    const runDir = planRunDir(dir, i, r.label);
    const status = o.resume ? recordedStatus(runDir) : null;
    if (status && isEnded(status)) {
      const record = parseRun(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')), join(runDir, 'run.json'));
      process.stdout.write(`${label}: ${formatOutcome(record)} (done before)\n`);
      records.push(record);
      continue;
    }
    const resume = o.resume && latestCheckpointStep(runDir) !== null ? resumableCheckpoint(runDir) : undefined;
    const { record } = await trainOne(ctx, r.config, { dir: runDir, quiet: o.quiet, label, resume });
    process.stdout.write(`${label}: ${formatOutcome(record)}\n`);
    records.push(record);
  }
  return records;
}
