// `stepsize train --config FILE`: validates everything first (config, data, base model, fit), then
// trains with a progress bar and keeps the run written into output_dir as it goes.
// `stepsize train --resume DIR`: continues the run in DIR from its latest checkpoint to its end,
// bit for bit as if it had never stopped; refuses (and changes nothing in DIR) when there is no
// checkpoint, it fails its checksums, or the config, text or base model differ from the run's.

import { readConfigFile } from '../node/files';
import type { NodeBackend } from '../node/gpu';
import { withGpu } from './common';
import { resumableCheckpoint, resumeConfig } from './resume';
import { formatOutcome, readRunInputs, trainOne } from './train-one';

export async function trainCommand(o: { config?: string; resume?: string; set?: string[]; gpu: NodeBackend; quiet?: boolean }): Promise<void> {
  if (!o.config && !o.resume) throw new Error('train: give --config FILE (a new run) or --resume DIR (a run to continue)');
  const resume = o.resume ? resumableCheckpoint(o.resume) : undefined;
  const config = resume ? resumeConfig(resume, o) : readConfigFile(o.config!, o.set ?? []);
  const inputs = readRunInputs(config);
  await withGpu(o.gpu, async (ctx) => {
    const { record, files } = await trainOne(ctx, config, { quiet: o.quiet, dir: o.resume, resume, inputs });
    process.stdout.write(`${formatOutcome(record)}\n${files.map((p) => `  ${p}\n`).join('')}`);
  });
}
