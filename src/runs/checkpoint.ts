// A checkpoint: everything the next step of a run depends on, as two files.
//   tensors.safetensors  per trainable tensor: its values and AdamW's two moments, under PyTorch's
//                        optimizer-state names (param.N, exp_avg.N, exp_avg_sq.N; N an arena view)
//   state.json           the step, the sampler's and optimizer's state, early-stopping state, the run
//                        record so far (metrics, evaluations, samples), what the run started from
//                        (config, data and base hashes) and what it ran on; with the tensors file's
//                        checksum and its own
// The CLI writes them into a directory, the page into one IndexedDB record. Decoding verifies both
// checksums first, so a damaged or truncated checkpoint is refused before anything uses it.

import { z } from 'zod';
import { canonicalJson, checksum, checksumText } from './checksum';
import { decodeSafetensors, encodeSafetensors } from './safetensors';
import { parseRun, serializeRun, type RunRecord } from './schema';

export const CHECKPOINT_FORMAT = 'stepsize.checkpoint';
export const CHECKPOINT_VERSION = 1;
export const STATE_FILE = 'state.json';
export const TENSORS_FILE = 'tensors.safetensors';

const PARTS = [['params', 'param.'], ['m', 'exp_avg.'], ['v', 'exp_avg_sq.']] as const;

/** One trainable tensor (an arena view) with AdamW's first and second moments. */
export interface CheckpointTensor {
  name: string;
  shape: number[];
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

const stateSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.literal(CHECKPOINT_VERSION),
  /** Steps done: the next step is step + 1 (the schedule's position). */
  step: z.number().int().min(1),
  created: z.string(),
  stepsize_version: z.string(),
  kernel_style: z.string(),
  adapter: z.string(),
  config_hash: z.string(),
  /** Checksums of the training text and of the base model's tensors (null: from scratch). */
  data_hash: z.string(),
  base_hash: z.string().nullable(),
  /** The window sampler's generator state. */
  sampler_state: z.number().int().min(0).max(0xffffffff),
  /** The GPU optimizer state block as 32-bit words (first loss for the divergence guard, halt flag…). */
  optimizer_state: z.array(z.number().int().min(0).max(0xffffffff)),
  early_stopping: z.object({ best: z.number().nullable(), since_best: z.number().int().min(0) }),
  tensors_checksum: z.string(),
  record: z.unknown(),
});

export type CheckpointState = Omit<z.infer<typeof stateSchema>, 'record' | 'format' | 'version'> & { record: RunRecord };

export interface Checkpoint {
  state: CheckpointState;
  tensors: CheckpointTensor[];
}

/** The two files of a checkpoint, as bytes and text. */
export interface CheckpointFiles {
  state: string;
  tensors: Uint8Array;
}

/** A checkpoint that cannot be used: names the file and what is wrong. Nothing is changed. */
export class CheckpointError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'CheckpointError';
  }

  /** Wraps an error whose message may already start with the file's name. */
  static of(file: string, e: unknown): CheckpointError {
    const m = (e as Error).message;
    return new CheckpointError(file, m.startsWith(`${file}`) ? m.slice(file.length).replace(/^:?\s*/, '') : m);
  }
}

export function encodeCheckpoint(c: Checkpoint): CheckpointFiles {
  const tensors = encodeSafetensors(
    PARTS.flatMap(([key, prefix]) => c.tensors.map((t) => ({ name: prefix + t.name, shape: t.shape, data: t[key] }))),
    { format: 'pt', checkpoint_step: String(c.state.step) },
  );
  // The record goes through its own serializer (NaN and Infinity become null) so the checksum is of
  // exactly the JSON that is written.
  const body = {
    ...c.state,
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    tensors_checksum: checksum(tensors),
    record: JSON.parse(serializeRun(c.state.record)) as unknown,
  };
  return { state: JSON.stringify({ ...body, checksum: checksumText(canonicalJson(body)) }, null, 1) + '\n', tensors };
}

/**
 * Verifies and decodes a checkpoint's files. `where` names them in errors (a directory, or "the
 * browser's checkpoint of run X"); throws CheckpointError at the first problem.
 */
export function decodeCheckpoint(files: CheckpointFiles, where: string): Checkpoint {
  const stateFile = `${where}/${STATE_FILE}`;
  const tensorsFile = `${where}/${TENSORS_FILE}`;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(files.state) as Record<string, unknown>;
  } catch (e) {
    throw new CheckpointError(stateFile, `is not JSON (${(e as Error).message}); the checkpoint is damaged or was cut short`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new CheckpointError(stateFile, 'is not a JSON object');
  const { checksum: stored, ...body } = raw;
  const actual = checksumText(canonicalJson(body));
  if (stored !== actual) throw new CheckpointError(stateFile, `checksum ${JSON.stringify(stored)} does not match its contents (${actual}); the checkpoint is damaged`);
  if (body.format !== CHECKPOINT_FORMAT) throw new CheckpointError(stateFile, `format is ${JSON.stringify(body.format)}; a checkpoint has format "${CHECKPOINT_FORMAT}"`);
  if (body.version !== CHECKPOINT_VERSION) throw new CheckpointError(stateFile, `version ${JSON.stringify(body.version)} is not one this Stepsize reads (${CHECKPOINT_VERSION})`);
  const parsed = stateSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CheckpointError(stateFile, `${issue.path.join('.')}: ${issue.message}`);
  }
  let record: RunRecord;
  try {
    record = parseRun(parsed.data.record, `${stateFile}`);
  } catch (e) {
    throw CheckpointError.of(stateFile, e);
  }
  const tensorsSum = checksum(files.tensors);
  if (tensorsSum !== parsed.data.tensors_checksum) {
    throw new CheckpointError(tensorsFile, `checksum ${tensorsSum} does not match the one state.json records (${parsed.data.tensors_checksum}); the checkpoint is damaged or was cut short`);
  }
  let named;
  try {
    named = decodeSafetensors(files.tensors, tensorsFile).tensors;
  } catch (e) {
    throw CheckpointError.of(tensorsFile, e);
  }
  const byName = new Map(named.map((t) => [t.name, t]));
  const tensors: CheckpointTensor[] = [];
  for (const p of named.filter((t) => t.name.startsWith('param.'))) {
    const name = p.name.slice('param.'.length);
    const parts = PARTS.map(([, prefix]) => byName.get(prefix + name));
    const missing = PARTS.find((_, i) => !parts[i]);
    if (missing) throw new CheckpointError(tensorsFile, `tensor ${missing[1]}${name} is missing`);
    const odd = parts.find((t) => t!.shape.join(',') !== p.shape.join(','));
    if (odd) throw new CheckpointError(tensorsFile, `tensor ${odd.name} has shape [${odd.shape.join(', ')}] but ${p.name} has [${p.shape.join(', ')}]`);
    tensors.push({ name, shape: p.shape, params: parts[0]!.data, m: parts[1]!.data, v: parts[2]!.data });
  }
  if (tensors.length * PARTS.length !== named.length) {
    const stray = named.find((t) => !PARTS.some(([, prefix]) => t.name.startsWith(prefix) && byName.has(`param.${t.name.slice(prefix.length)}`)));
    throw new CheckpointError(tensorsFile, `tensor ${stray?.name ?? '?'} belongs to no parameter`);
  }
  const { format: _f, version: _v, ...state } = parsed.data;
  return { state: { ...state, record }, tensors };
}
