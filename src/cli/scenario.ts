// `stepsize scenario N`: runs a classroom scenario's runs into out/NN-label/ and prints its check
// (what the runs showed) with one line per run; also writes check.txt and summary.csv. On a GPU it
// uses the classroom model (pretraining its base on Moby Dick first if --base is not given and none
// is cached); on SwiftShader the tiny model with the shipped tiny base and a tenth of the steps.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkScenario, scenarioById, scenarioDefaults, scenarioNote, scenarioPlan, SCENARIOS, type ScenarioSize } from '../experiments/scenarios';
import { summarize, summaryCsv } from '../experiments/summary';
import type { NodeBackend } from '../node/gpu';
import { ConfigError } from '../train/config';
import { pretrainConfig } from '../train/pretrain';
import { withGpu } from './common';
import { runPlan } from './run-plan';
import { trainOne } from './train-one';

/** The tiny base the app ships (public/base), relative to the bundled CLI (dist/cli/stepsize.mjs). */
function shippedTinyBase(): string {
  return fileURLToPath(new URL('../../public/base/tiny.safetensors', import.meta.url));
}

export function listScenarios(): void {
  for (const s of SCENARIOS) process.stdout.write(`${String(s.id).padStart(2)}  ${s.title}: ${s.tries}\n`);
}

export async function scenarioCommand(id: string, o: { size?: ScenarioSize; stepsScale?: number; base?: string; out?: string; gpu: NodeBackend; quiet?: boolean }): Promise<void> {
  const n = Number(id);
  if (!Number.isInteger(n)) throw new ConfigError('scenario', id, `a number from 1 to ${SCENARIOS.length}`);
  const scenario = scenarioById(n);
  if (o.stepsScale !== undefined && !(o.stepsScale > 0 && o.stepsScale <= 1)) throw new ConfigError('--steps-scale', o.stepsScale, 'a number above 0 and at most 1');
  await withGpu(o.gpu, async (ctx) => {
    const defaults = scenarioDefaults(ctx.adapter.isSoftware);
    const size = o.size ?? defaults.size;
    const stepScale = o.stepsScale ?? (size === defaults.size ? defaults.stepScale : 1);
    let base = o.base ?? (size === 'tiny' ? shippedTinyBase() : 'runs/base-classroom/model.safetensors');
    if (!existsSync(base)) {
      if (o.base || size === 'tiny') throw new ConfigError('--base', base, 'a path to an existing model.safetensors of the scenario model');
      process.stderr.write(`stepsize: no classroom base at ${base}; pretraining one on Moby Dick first (DESIGN.md's recipe)\n`);
      const { files } = await trainOne(ctx, { ...pretrainConfig('classroom'), output_dir: 'runs/base-classroom' }, { quiet: o.quiet, label: 'base' });
      base = files.find((f) => f.endsWith('model.safetensors'))!;
    }
    const plan = scenarioPlan(scenario, { size, stepScale, base });
    const out = o.out ?? `runs/scenario-${scenario.id}`;
    const note = scenarioNote({ size, stepScale });
    process.stderr.write(`stepsize: ${plan.name}: ${plan.runs.length} runs into ${out}\n${note ? `stepsize: ${note}\n` : ''}`);
    const records = await runPlan(ctx, plan, out, o.quiet);
    const check = checkScenario(scenario, records);
    const text = `${plan.name}\n${note ? `${note}\n` : ''}\nWhat we try: ${scenario.tries}\nWhat to look for: ${scenario.lookFor}\n\nCheck: ${check.sentence}\n${check.lines.map((l) => `  ${l}\n`).join('')}`;
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'check.txt'), text);
    writeFileSync(join(out, 'summary.csv'), summaryCsv(summarize(records), ['learning_rate', 'batch_size', 'lora_rank']));
    process.stdout.write(`${text}  ${join(out, 'check.txt')}\n`);
  });
}
