// `--resume DIR`: what may be resumed and with which config. The checkpoint's own checks (config
// keys, text, base model, tensors) happen in planRun (src/train/plan.ts), before anything is written; a refusal
// here or there leaves DIR exactly as it was.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCheckpoint } from '../node/checkpoint-dir';
import { applyOverrides, readConfigFile } from '../node/files';
import { CheckpointError, type Checkpoint } from '../runs/checkpoint';
import { isEnded, parseRun, type OutcomeStatus } from '../runs/schema';
import { parseConfig, type TrainConfig } from '../config/config';

/** The outcome DIR/run.json records, or null when there is no readable run.json. */
export function recordedStatus(dir: string): OutcomeStatus | null {
  const path = join(dir, 'run.json');
  if (!existsSync(path)) return null;
  try {
    return parseRun(JSON.parse(readFileSync(path, 'utf8')), path).outcome.status;
  } catch {
    return null;
  }
}

/** The latest checkpoint of a run that has not ended; refuses (CheckpointError) otherwise. */
export function resumableCheckpoint(dir: string): Checkpoint {
  const status = recordedStatus(dir);
  if (status && isEnded(status)) throw new CheckpointError(dir, `the run has already ended (${status} in ${join(dir, 'run.json')}); there is nothing to resume`);
  return readCheckpoint(dir);
}

/**
 * The config a resumed run trains with: the one it started with, or --config (with --set), which
 * must then agree with it on every key that changes the numbers.
 */
export function resumeConfig(ckpt: Checkpoint, o: { config?: string; set?: string[] }): TrainConfig {
  if (o.config) return readConfigFile(o.config, o.set ?? []);
  return o.set?.length ? parseConfig(applyOverrides({ ...ckpt.state.record.config }, o.set)) : ckpt.state.record.config;
}
