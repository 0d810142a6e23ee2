// `stepsize train --config FILE`: validates everything first (config, data, base model, fit), then
// trains with a progress bar and writes the run into output_dir. Ctrl-C stops cleanly and still
// writes what was recorded.

import { readConfigFile } from '../node/files';
import type { NodeBackend } from '../node/gpu';
import { withGpu } from './common';
import { formatOutcome, trainOne } from './train-one';

export async function trainCommand(o: { config: string; set?: string[]; gpu: NodeBackend; quiet?: boolean }): Promise<void> {
  const config = readConfigFile(o.config, o.set ?? []);
  await withGpu(o.gpu, async (ctx) => {
    const { record, files } = await trainOne(ctx, config, { quiet: o.quiet });
    process.stdout.write(`${formatOutcome(record)}\n${files.map((p) => `  ${p}\n`).join('')}`);
  });
}
