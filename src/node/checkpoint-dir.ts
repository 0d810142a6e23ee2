// A run directory's checkpoints on disk: DIR/checkpoint/step-NNNNNNNN/{state.json,tensors.safetensors}.
// A new checkpoint is written whole into a temporary directory, flushed, and renamed into place (the
// commit point); only then are older ones removed. A crash at any moment leaves the previous
// checkpoint intact, and the newest complete one is the one a resume reads.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { syncDir, writeDurable } from './atomic';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, STATE_FILE, TENSORS_FILE, type Checkpoint } from '../runs/checkpoint';

export const CHECKPOINT_DIR = 'checkpoint';
const STEP_DIR = /^step-(\d+)$/;
const TMP_PREFIX = '.tmp-';

const stepDir = (step: number) => `step-${String(step).padStart(8, '0')}`;

function stepsIn(root: string): number[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((n) => STEP_DIR.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && statSync(join(root, m[0])).isDirectory())
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** Writes `c` as the run's latest checkpoint; returns its directory. */
export function writeCheckpoint(runDir: string, c: Checkpoint): string {
  const root = join(runDir, CHECKPOINT_DIR);
  mkdirSync(root, { recursive: true });
  const files = encodeCheckpoint(c);
  // Left by a process killed while writing: never a checkpoint, only a temporary.
  for (const n of readdirSync(root)) if (n.startsWith(TMP_PREFIX)) rmSync(join(root, n), { recursive: true, force: true });
  const tmp = join(root, `${TMP_PREFIX}${stepDir(c.state.step)}-${process.pid}`);
  mkdirSync(tmp);
  try {
    writeDurable(join(tmp, TENSORS_FILE), files.tensors);
    writeDurable(join(tmp, STATE_FILE), files.state);
    syncDir(tmp);
    const final = join(root, stepDir(c.state.step));
    rmSync(final, { recursive: true, force: true });
    renameSync(tmp, final);
    syncDir(root);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  for (const s of stepsIn(root)) if (s !== c.state.step) rmSync(join(root, stepDir(s)), { recursive: true, force: true });
  return join(root, stepDir(c.state.step));
}

/** Removes every checkpoint of a run directory (a fresh run into a used output_dir). */
export function clearCheckpoints(runDir: string): void {
  rmSync(join(runDir, CHECKPOINT_DIR), { recursive: true, force: true });
}

/** Step of the newest complete checkpoint in a run directory, or null. */
export function latestCheckpointStep(runDir: string): number | null {
  return stepsIn(join(runDir, CHECKPOINT_DIR)).at(-1) ?? null;
}

/**
 * Reads and verifies the newest complete checkpoint of a run directory. Throws CheckpointError
 * naming the directory or file when there is none or it fails its checksums; reads nothing else.
 */
export function readCheckpoint(runDir: string): Checkpoint {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new CheckpointError(runDir, 'is not a directory; --resume takes the output_dir of a run');
  const step = latestCheckpointStep(runDir);
  const root = join(runDir, CHECKPOINT_DIR);
  if (step === null) {
    throw new CheckpointError(runDir, `has no checkpoint (${root}/ holds no step-N directory); a run writes one every checkpoint_interval steps and when it is stopped`);
  }
  const dir = join(root, stepDir(step));
  const read = (name: string) => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new CheckpointError(path, 'is missing; the checkpoint is incomplete');
    return readFileSync(path);
  };
  const tensors = new Uint8Array(read(TENSORS_FILE));
  return decodeCheckpoint({ state: read(STATE_FILE).toString('utf8'), tensors }, dir);
}
