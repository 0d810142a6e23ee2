// A run is a value: config + environment + metric series + evaluations + samples + outcome. The same
// JSON comes out of the CLI (run.json) and the browser, and either imports the other's. Files carry
// a format name and a version; imports are validated whole, migrated by version, then stored.

import { z } from 'zod';
import { parseConfig, type TrainConfig } from '../config/config';

export const RUN_FORMAT = 'stepsize.run';
export const RUN_VERSION = 1;

export const OUTCOMES = ['running', 'finished', 'stopped', 'diverged', 'early_stopped', 'interrupted', 'failed'] as const;
export type OutcomeStatus = (typeof OUTCOMES)[number];

/** Outcomes after which there is nothing left to train (the others can be resumed from a checkpoint). */
export const ENDED_OUTCOMES: readonly OutcomeStatus[] = ['finished', 'early_stopped', 'diverged'];

export function isEnded(status: OutcomeStatus): boolean {
  return ENDED_OUTCOMES.includes(status);
}

// JSON has no NaN or Infinity: they are written as null.
const num = z.number().nullable();
const series = z.array(num);

const environmentSchema = z.object({
  runtime: z.enum(['node', 'browser']),
  adapter: z.object({ name: z.string(), vendor: z.string(), architecture: z.string(), description: z.string(), software: z.boolean() }),
  stepsize_version: z.string(),
  user_agent: z.string().nullable(),
  params_total: z.number().int(),
  params_trainable: z.number().int(),
  dispatches_per_step: z.number().int(),
  submits_per_step: z.number().int(),
});

export const runSchema = z.object({
  format: z.literal(RUN_FORMAT),
  version: z.literal(RUN_VERSION),
  id: z.string().min(1),
  name: z.string(),
  tags: z.array(z.string()),
  notes: z.string(),
  created: z.string(),
  config: z.record(z.string(), z.unknown()),
  environment: environmentSchema,
  data: z.object({ source: z.string(), train_bytes: z.number().int(), val_bytes: z.number().int() }),
  metrics: z.object({
    step: z.array(z.number().int()),
    tokens: z.array(z.number()),
    loss: series,
    lr: series,
    grad_norm: series,
    clip: series,
    update_ratio: series,
    elapsed_ms: z.array(z.number()),
  }),
  tensors: z.object({ names: z.array(z.string()), step: z.array(z.number().int()), grad_norm: z.array(series), update_ratio: z.array(series) }),
  /**
   * val_loss is nats per token; val_bpb the same loss in bits per byte of text (loss / ln 2 / the
   * validation split's bytes per token), so runs with different tokenizers compare. Older records lack it.
   */
  evals: z.array(z.object({ step: z.number().int(), tokens: z.number(), val_loss: num, val_bpb: num.optional(), elapsed_ms: z.number() })),
  samples: z.array(z.object({ step: z.number().int(), prompt: z.string(), text: z.string(), temperature: z.number(), top_k: z.number().int() })),
  /** Each time the run went on from a checkpoint: the step it resumed after, when, and on what. */
  resumes: z.array(z.object({ step: z.number().int(), created: z.string(), adapter: z.string() })).default([]),
  outcome: z.object({
    status: z.enum(OUTCOMES),
    step: z.number().int(),
    reason: z.string().nullable(),
    best_val_loss: num,
    best_step: z.number().int().nullable(),
    final_val_loss: num,
    final_train_loss: num,
    elapsed_ms: z.number(),
  }),
});

export type RunRecordJson = z.infer<typeof runSchema>;
export type RunRecord = Omit<RunRecordJson, 'config'> & { config: TrainConfig };
export type RunEnvironment = z.infer<typeof environmentSchema>;
export type RunOutcome = RunRecord['outcome'];

/** A run file that is not a valid run: says which field and why; nothing is stored. */
export class RunImportError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'RunImportError';
  }
}

function migrate(raw: Record<string, unknown>, file: string): Record<string, unknown> {
  const v = raw.version;
  if (v === RUN_VERSION) return raw;
  if (typeof v === 'number' && v > RUN_VERSION) throw new RunImportError(file, `version ${v} is newer than this Stepsize reads (${RUN_VERSION}); update Stepsize`);
  throw new RunImportError(file, `version ${JSON.stringify(v)} is not a known run version (1..${RUN_VERSION})`);
}

/** Validates and migrates a parsed run file; throws RunImportError naming the first bad field. */
export function parseRun(raw: unknown, file = 'run.json'): RunRecord {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new RunImportError(file, 'is not a JSON object');
  const obj = raw as Record<string, unknown>;
  if (obj.format !== RUN_FORMAT) throw new RunImportError(file, `format is ${JSON.stringify(obj.format)}; a Stepsize run has format "${RUN_FORMAT}"`);
  const r = runSchema.safeParse(migrate(obj, file));
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new RunImportError(file, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const lengths = Object.entries(r.data.metrics).map(([k, v]) => [k, v.length] as const);
  const n = r.data.metrics.step.length;
  const off = lengths.find(([, len]) => len !== n);
  if (off) throw new RunImportError(file, `metrics.${off[0]} has ${off[1]} entries but metrics.step has ${n}`);
  let config: TrainConfig;
  try {
    config = parseConfig(r.data.config);
  } catch (e) {
    throw new RunImportError(file, `config: ${(e as Error).message}`);
  }
  return { ...r.data, config };
}

/** JSON text of a run (NaN and Infinity become null). */
export function serializeRun(run: RunRecord): string {
  return JSON.stringify(run, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1);
}
