// Synthetic run records for the pure (no GPU) tests: a valid RunRecord from a few parameters (config
// overrides, training losses per step, evaluations, outcome), with the outcome's best/final figures
// computed the way the trainer's finish() computes them. Each record is checked against the run schema.
import { parseRun, RUN_FORMAT, RUN_VERSION, serializeRun, type OutcomeStatus, type RunRecord } from '../../../src/runs/schema';
import { parseConfig, shapeOf } from '../../../src/config/config';

export type Point = readonly [step: number, value: number | null];

export interface RecordSpec {
  id?: string;
  /** Default: the config's name, else the id. */
  name?: string;
  created?: string;
  /** Config overrides, validated by parseConfig (missing keys take their defaults). */
  config?: Record<string, unknown>;
  /** Training losses: (step, loss) pairs, or plain losses for steps 1, 2, 3, … */
  losses?: readonly Point[] | readonly (number | null)[];
  /** Learning rate per metric row (default: the config's learning_rate on every row). */
  lrs?: readonly (number | null)[];
  /** Evaluations: (step, val_loss). */
  evals?: readonly Point[];
  status?: OutcomeStatus;
  reason?: string | null;
  /** outcome.step (default: the last metric step, else the last evaluation's step, else 0). */
  step?: number;
}

let counter = 0;

function pointsOf(losses: RecordSpec['losses']): Point[] {
  if (!losses) return [];
  return losses.map((l, i) => (Array.isArray(l) ? (l as unknown as Point) : ([i + 1, l as number | null] as const)));
}

/** A valid RunRecord built from a few parameters. */
export function makeRecord(spec: RecordSpec = {}): RunRecord {
  const config = parseConfig(spec.config ?? {});
  const id = spec.id ?? `rec-${++counter}`;
  const tokensPerStep = config.batch_size * config.grad_accum_steps * shapeOf(config.model).context;
  const points = pointsOf(spec.losses);
  if (spec.lrs && spec.lrs.length !== points.length) throw new Error(`makeRecord: ${spec.lrs.length} rates for ${points.length} losses`);
  const evals = (spec.evals ?? []).map(([step, v]) => ({ step, tokens: step * tokensPerStep, val_loss: v, elapsed_ms: step * 10 }));
  const finite = evals.filter((e) => e.val_loss !== null && Number.isFinite(e.val_loss));
  const best = finite.reduce<(typeof finite)[number] | null>((b, e) => (b === null || e.val_loss! < b.val_loss! ? e : b), null);
  const trainLosses = points.map(([, l]) => l).filter((l): l is number => l !== null && Number.isFinite(l));
  const lastStep = points.at(-1)?.[0] ?? evals.at(-1)?.step ?? 0;
  const record: RunRecord = {
    format: RUN_FORMAT,
    version: RUN_VERSION,
    id,
    name: spec.name ?? (config.name || id),
    tags: [...config.tags],
    notes: config.notes,
    created: spec.created ?? new Date(Date.UTC(2026, 0, 1, 0, 0, counter)).toISOString(),
    config,
    environment: {
      runtime: 'node',
      adapter: { name: 'test', vendor: 'test', architecture: 'test', description: 'synthetic', software: true },
      stepsize_version: '0.0.0',
      user_agent: null,
      params_total: 1000,
      params_trainable: 100,
      dispatches_per_step: 10,
      submits_per_step: 1,
    },
    data: { source: config.train_data, train_bytes: 100_000, val_bytes: 10_000 },
    metrics: {
      step: points.map(([s]) => s),
      tokens: points.map(([s]) => s * tokensPerStep),
      loss: points.map(([, l]) => l),
      lr: spec.lrs ? [...spec.lrs] : points.map(() => config.learning_rate),
      grad_norm: points.map(() => 1),
      clip: points.map(() => 1),
      update_ratio: points.map(() => 1e-3),
      elapsed_ms: points.map(([s]) => s * 10),
    },
    tensors: { names: [], step: [], grad_norm: [], update_ratio: [] },
    evals,
    samples: [],
    resumes: [],
    outcome: {
      status: spec.status ?? 'finished',
      step: spec.step ?? lastStep,
      reason: spec.reason ?? null,
      best_val_loss: best?.val_loss ?? null,
      best_step: best?.step ?? null,
      final_val_loss: finite.at(-1)?.val_loss ?? null,
      final_train_loss: trainLosses.at(-1) ?? null,
      elapsed_ms: lastStep * 10,
    },
  };
  // Valid as a run file too (throws RunImportError naming the bad field otherwise).
  parseRun(JSON.parse(serializeRun(record)));
  return record;
}

/** (step, f(step)) for steps from..to (inclusive) every `every` steps. */
export function curve(from: number, to: number, f: (step: number) => number | null, every = 1): Point[] {
  const out: Point[] = [];
  for (let s = from; s <= to; s += every) out.push([s, f(s)]);
  return out;
}
