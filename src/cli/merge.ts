// `stepsize merge DIR... --out DIR`: runs trained anywhere — a sweep's shards on several machines
// (`sweep --shard I/N`), run directories copied from a cluster — put back together: every run.json
// under the directories (a run directory, a sweep or shard directory, or a folder of those, three
// levels down at most), each run once (by id), in the plan's order where the directories carry the
// same plan.json, then summary.csv, groups.csv and check.txt over all of them, as `sweep` writes them.
// A directory with no run in it, or a run.json that does not parse, is refused by name before anything
// is written.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Plan } from '../experiments/plan';
import { parsePlan } from '../experiments/plan-file';
import { differingKeys, summarize } from '../experiments/summary';
import { parseRun, type RunRecord } from '../runs/schema';
import { PLAN_FILE } from './run-plan';
import { checkTarget, writeSweepResults } from './sweep';

/** How deep below a given directory run.json files are looked for (shards/shard-1-of-3/01-lr…/run.json). */
const MAX_DEPTH = 3;

interface Found {
  record: RunRecord;
  /** The run directory's position in its plan (its NN- prefix, 0-based), or null. */
  index: number | null;
  file: string;
}

function walk(dir: string, depth: number, runs: Found[], plans: Plan[]): void {
  const runFile = join(dir, 'run.json');
  if (existsSync(runFile)) {
    const record = parseRun(JSON.parse(readFileSync(runFile, 'utf8')), runFile);
    const m = /^(\d+)-/.exec(basename(dir));
    runs.push({ record, index: m ? Number(m[1]) - 1 : null, file: runFile });
    return;
  }
  const planFile = join(dir, PLAN_FILE);
  if (existsSync(planFile)) plans.push(parsePlan(readFileSync(planFile, 'utf8'), planFile).plan);
  if (depth >= MAX_DEPTH) return;
  for (const name of readdirSync(dir).sort()) {
    const sub = join(dir, name);
    if (statSync(sub).isDirectory()) walk(sub, depth + 1, runs, plans);
  }
}

export function mergeCommand(dirs: string[], o: { out: string; target?: number }): void {
  const target = checkTarget(o.target);
  const found: Found[] = [];
  const plans: Plan[] = [];
  for (const d of dirs) {
    if (!existsSync(d) || !statSync(d).isDirectory()) throw new Error(`merge: ${d} is not a directory`);
    const before = found.length;
    try {
      walk(d, 0, found, plans);
    } catch (e) {
      throw new Error(`merge: ${(e as Error).message}`);
    }
    if (found.length === before) throw new Error(`merge: ${d} holds no run.json (looked ${MAX_DEPTH} levels down)`);
  }
  const byId = new Map<string, Found>();
  for (const f of found) if (!byId.has(f.record.id)) byId.set(f.record.id, f);
  const runs = [...byId.values()];
  // One plan behind every directory that has one: the plan's order and columns, and what is missing.
  const plan = plans.length && plans.every((p) => p.name === plans[0].name && p.runs.length === plans[0].runs.length) ? plans[0] : null;
  const position = (f: Found) => (plan && f.index !== null && plan.runs[f.index]?.config.name === f.record.name ? f.index : Infinity);
  runs.sort((a, b) => position(a) - position(b) || a.record.name.localeCompare(b.record.name));
  const records = runs.map((f) => f.record);
  const keys = plan?.keys ?? differingKeys(summarize(records));
  if (plan) {
    const have = new Set(runs.map(position));
    const missing = plan.runs.filter((_, i) => !have.has(i)).map((r) => r.label);
    process.stdout.write(`merged ${plan.runs.length - missing.length} of the ${plan.runs.length} runs of sweep "${plan.name}"${missing.length ? `; missing: ${missing.join(', ')}` : ''}\n`);
  } else {
    process.stdout.write(`merged ${records.length} runs\n`);
  }
  writeSweepResults(o.out, records, { keys }, target);
}
