// Runs a plan (sweep, scenario, range test) from the command line: every run's data and base are
// checked before the first starts, then the runs train one after another, each into its own
// directory under `dir`. Ctrl-C stops the current run and skips the rest.

import { join } from 'node:path';
import type { Plan } from '../experiments/plan';
import type { GpuContext } from '../gpu/device';
import { loadTrainData, readModelFile } from '../node/files';
import { safeName } from '../runs/names';
import type { RunRecord } from '../runs/schema';
import { formatOutcome, trainOne } from './train-one';

export async function runPlan(ctx: GpuContext, plan: Plan, dir: string, quiet = false): Promise<RunRecord[]> {
  const bases = new Set<string>();
  for (const r of plan.runs) {
    loadTrainData(r.config);
    if (r.config.base_model && !bases.has(r.config.base_model)) {
      readModelFile(r.config.base_model);
      bases.add(r.config.base_model);
    }
  }
  let stopped = false;
  const onSigint = () => (stopped = true);
  process.on('SIGINT', onSigint);
  const records: RunRecord[] = [];
  try {
    for (const [i, r] of plan.runs.entries()) {
      if (stopped) break;
      const label = `${i + 1}/${plan.runs.length} ${r.label}`;
      const { record } = await trainOne(ctx, r.config, { dir: join(dir, `${String(i + 1).padStart(2, '0')}-${safeName(r.label)}`), quiet, label });
      process.stdout.write(`${label}: ${formatOutcome(record)}\n`);
      records.push(record);
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  return records;
}
