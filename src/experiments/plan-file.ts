// plan.json: a plan as written into its directory when it starts (sweep, scenario), so that
// `--resume DIR` knows which runs belong to it without the sweep file or the scenario options. A
// plan given again (a sweep file, a scenario number) must produce the same runs.

import { z } from 'zod';
import { canonicalJson } from '../runs/checksum';
import { RESUME_FREE_KEYS } from '../train/checkpoint';
import { CONFIG_KEYS, parseConfig } from '../config/config';
import type { Plan } from './plan';
import { SWEEP_KEYS } from './sweep';

export const PLAN_FORMAT = 'stepsize.plan';
export const PLAN_VERSION = 1;

/** What a command needs besides the runs to finish the plan (a scenario's id and options). */
export type PlanOptions = Record<string, string | number | boolean | null>;

const fileSchema = z.object({
  format: z.literal(PLAN_FORMAT),
  version: z.literal(PLAN_VERSION),
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  plan: z.object({
    kind: z.enum(['sweep', 'scenario', 'range']),
    name: z.string(),
    tag: z.string(),
    x: z.enum(['step', 'tokens']),
    keys: z.array(z.enum(SWEEP_KEYS)),
    runs: z.array(z.object({ label: z.string(), config: z.unknown(), varied: z.record(z.string(), z.number()).optional() })).min(1),
  }),
});

export function serializePlan(plan: Plan, options: PlanOptions): string {
  return JSON.stringify({ format: PLAN_FORMAT, version: PLAN_VERSION, options, plan }, null, 1) + '\n';
}

/** Parses plan.json; throws naming the file and the field. */
export function parsePlan(text: string, file: string): { plan: Plan; options: PlanOptions } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: is not JSON (${(e as Error).message})`);
  }
  const r = fileSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const runs = r.data.plan.runs.map((run, i) => {
    try {
      return { ...run, config: parseConfig(run.config) };
    } catch (e) {
      throw new Error(`${file}: plan.runs.${i}.config: ${(e as Error).message}`);
    }
  });
  return { plan: { ...r.data.plan, runs } as Plan, options: r.data.options };
}

/** The first way `now` differs from the plan a directory started with, or null. */
export function planDifference(was: Plan, now: Plan): string | null {
  if (was.runs.length !== now.runs.length) return `it has ${now.runs.length} runs; the plan in the directory has ${was.runs.length}`;
  for (const [i, run] of now.runs.entries()) {
    const old = was.runs[i];
    if (old.label !== run.label) return `run ${i + 1} is "${run.label}"; in the directory it is "${old.label}"`;
    const key = CONFIG_KEYS.find((k) => !RESUME_FREE_KEYS.includes(k) && canonicalJson(old.config[k]) !== canonicalJson(run.config[k]));
    if (key) return `run ${i + 1} (${run.label}) has ${key} ${JSON.stringify(run.config[key])}; in the directory it has ${JSON.stringify(old.config[key])}`;
  }
  return null;
}
