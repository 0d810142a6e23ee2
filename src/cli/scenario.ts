// `stepsize scenario N`: runs a classroom scenario's runs into out/NN-label/ and prints its check
// (what the runs showed) with one line per run; also writes check.txt and summary.csv. On a GPU it
// uses the classroom model (pretraining its base on Moby Dick first if --base is not given and none
// is cached); on SwiftShader its CPU tier (src/experiments/scenario-tiny.ts): the tiny model from the
// shipped tiny base at rates calibrated with PyTorch. --print-plan prints the runs' configs (no GPU).
// `scenario --resume DIR` continues a scenario stopped part-way (its plan.json says which).

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkScenario, MAX_SCENARIO_SEEDS, scenarioById, scenarioDefaults, scenarioNote, scenarioPlan, scenarioTries, SCENARIOS, type ScenarioSize } from '../experiments/scenarios';
import { summarize, summaryCsv } from '../experiments/summary';
import { parseTogether } from '../experiments/sweep';
import type { NodeBackend } from '../node/gpu';
import { ConfigError, modelChoiceOf } from '../config/config';
import { readModelFile } from '../node/files';
import { pretrainConfig } from '../train/pretrain';
import type { Plan } from '../experiments/plan';
import type { PlanOptions } from '../experiments/plan-file';
import type { GpuContext } from '../gpu/device';
import { withGpu } from './common';
import { openPlanDir, runPlan } from './run-plan';
import { trainOne } from './train-one';

/** The tiny base the app ships (public/base), relative to the bundled CLI (dist/cli/stepsize.mjs). */
function shippedTinyBase(): string {
  return fileURLToPath(new URL('../../public/base/tiny.safetensors', import.meta.url));
}

export function listScenarios(): void {
  for (const s of SCENARIOS) process.stdout.write(`${String(s.id).padStart(2)}  ${s.title}: ${s.tries}\n`);
}

export interface ScenarioCommandOptions {
  size?: ScenarioSize;
  stepsScale?: number;
  /** Seeds per run (1..MAX_SCENARIO_SEEDS). */
  seeds?: number;
  base?: string;
  out?: string;
  /** The directory of a scenario to continue (its plan.json); a number given too must match it. */
  resume?: string;
  gpu: NodeBackend;
  quiet?: boolean;
  /** Print the plan (label and config of every run) as JSON instead of running it. */
  printPlan?: boolean;
  /** Runs side by side: 'auto' (default) or 1..MAX_TOGETHER, as a flag gives it. */
  together?: string;
}

export async function scenarioCommand(id: string | undefined, o: ScenarioCommandOptions): Promise<void> {
  const n = id === undefined ? null : Number(id);
  if (n !== null && !Number.isInteger(n)) throw new ConfigError('scenario', id, `a number from 1 to ${SCENARIOS.length}`);
  if (n === null && !o.resume) throw new ConfigError('scenario', id, `a number from 1 to ${SCENARIOS.length}, or --resume DIR`);
  if (n !== null) scenarioById(n);
  if (o.stepsScale !== undefined && !(o.stepsScale > 0 && o.stepsScale <= 1)) throw new ConfigError('--steps-scale', o.stepsScale, 'a number above 0 and at most 1');
  if (o.seeds !== undefined && !(Number.isInteger(o.seeds) && o.seeds >= 1 && o.seeds <= MAX_SCENARIO_SEEDS)) throw new ConfigError('--seeds', o.seeds, `an integer from 1 to ${MAX_SCENARIO_SEEDS}`);
  const seeds = o.seeds ?? 1;
  const together = o.together === undefined ? 'auto' : parseTogether(o.together, '--together');
  if (o.printPlan) {
    if (n === null) throw new ConfigError('scenario', id, `a number from 1 to ${SCENARIOS.length} with --print-plan`);
    const size = o.size ?? 'tiny';
    const base = o.base ?? (size === 'tiny' ? shippedTinyBase() : 'runs/base-classroom/model.safetensors');
    const plan = scenarioPlan(scenarioById(n), { size, stepScale: o.stepsScale ?? 1, base, seeds, model: gpt2Model(size, o) });
    process.stdout.write(`${JSON.stringify({ name: plan.name, runs: plan.runs.map((r) => ({ label: r.label, config: r.config })) }, null, 1)}\n`);
    return;
  }
  await withGpu(o.gpu, async (ctx) => {
    let given: { plan: Plan; options: PlanOptions } | null = null;
    if (n !== null) {
      const defaults = scenarioDefaults(ctx.adapter.isSoftware);
      const size = o.size ?? defaults.size;
      const stepScale = o.stepsScale ?? defaults.stepScale;
      const model = gpt2Model(size, o);
      given = { plan: scenarioPlan(scenarioById(n), { size, stepScale, seeds, model, base: await scenarioBase(ctx, size, o) }), options: { scenario: n, size, stepScale, seeds } };
    }
    const out = o.resume ?? o.out ?? `runs/scenario-${n}`;
    const { plan, options } = openPlanDir(out, given, o.resume !== undefined);
    const scenario = scenarioById(Number(options.scenario));
    const note = scenarioNote({ size: options.size as ScenarioSize, stepScale: Number(options.stepScale) });
    process.stderr.write(`stepsize: ${plan.name}: ${plan.runs.length} runs ${o.resume ? 'resumed in' : 'into'} ${out}\n${note ? `stepsize: ${note}\n` : ''}`);
    const records = await runPlan(ctx, plan, out, { quiet: o.quiet, resume: o.resume !== undefined, together });
    if (records.length < plan.runs.length) {
      process.stdout.write(`stopped after ${records.length} of ${plan.runs.length} runs; continue with: stepsize scenario --resume ${out}\n`);
      return;
    }
    const size = options.size as ScenarioSize;
    const check = checkScenario(scenario, records, size);
    const text = `${plan.name}\n${note ? `${note}\n` : ''}\nWhat we try: ${scenarioTries(scenario, size)}\nWhat to look for: ${scenario.lookFor}\n\nCheck: ${check.sentence}\n${check.lines.map((l) => `  ${l}\n`).join('')}`;
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'check.txt'), text);
    writeFileSync(join(out, 'summary.csv'), summaryCsv(summarize(records), ['learning_rate', 'batch_size', 'lora_rank', 'seed']));
    process.stdout.write(`${text}  ${join(out, 'check.txt')}\n`);
  });
}

/** With --size gpt2: the model value of the GPT-2 directory --base (which it must name). */
function gpt2Model(size: ScenarioSize, o: ScenarioCommandOptions) {
  if (size !== 'gpt2') return undefined;
  if (!o.base) throw new ConfigError('--base', o.base, 'a GPT-2 directory (config.json, model.safetensors, tokenizer.json) with --size gpt2');
  const file = readModelFile(o.base, '--base');
  if (file.shape.family !== 'gpt2') throw new ConfigError('--base', o.base, 'a GPT-2 directory with --size gpt2 (this is a Stepsize model file)');
  return modelChoiceOf(file.shape);
}

/** The base the scenario fine-tunes: --base, the shipped tiny base, or the classroom base (pretrained first if missing). */
async function scenarioBase(ctx: GpuContext, size: ScenarioSize, o: ScenarioCommandOptions): Promise<string> {
  const base = o.base ?? (size === 'tiny' ? shippedTinyBase() : 'runs/base-classroom/model.safetensors');
  if (existsSync(base)) return base;
  if (o.base || size === 'tiny') throw new ConfigError('--base', base, 'a path to an existing model.safetensors of the scenario model');
  process.stderr.write(`stepsize: no classroom base at ${base}; pretraining one on Moby Dick first (DESIGN.md's recipe)\n`);
  const { files } = await trainOne(ctx, { ...pretrainConfig('classroom'), output_dir: 'runs/base-classroom' }, { quiet: o.quiet, label: 'base' });
  return files.find((f) => f.endsWith('model.safetensors'))!;
}
