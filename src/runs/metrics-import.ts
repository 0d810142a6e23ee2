// Runs from a metrics CSV: a run directory's metrics.csv, the page's multi-run export (a leading
// `run` column), or another tool's table with at least `step` and `loss` columns. The config is
// unknown, so each run gets the defaults and is tagged csv-import; missing columns stay empty
// (tokens: the step). Every refusal names the file, the line and the column, and imports nothing.

import { parseConfig } from '../config/config';
import { METRIC_COLUMNS, parseCsv } from './csv';
import { RUN_FORMAT, RUN_VERSION, RunImportError, parseRun, type RunRecord } from './schema';

const REQUIRED = ['step', 'loss'] as const;

function numberCell(file: string, line: number, column: string, text: string | undefined, nullable: boolean): number | null {
  const t = (text ?? '').trim();
  if (t === '' || /^nan$/i.test(t)) {
    if (nullable) return null;
    throw new RunImportError(file, `line ${line}: ${column} is empty; it must be a number`);
  }
  const v = Number(t);
  if (!Number.isFinite(v)) throw new RunImportError(file, `line ${line}: ${column} is ${JSON.stringify(t)}; it must be a number`);
  return v;
}

/** The runs in a metrics CSV; `newId()` gives each its id, `now` its creation time. */
export function runsFromMetricsCsv(text: string, file: string, newId: () => string, now: string): RunRecord[] {
  let table;
  try {
    table = parseCsv(text);
  } catch (e) {
    throw new RunImportError(file, (e as Error).message);
  }
  const missing = REQUIRED.filter((c) => !table.fields.includes(c));
  if (missing.length) throw new RunImportError(file, `has no ${missing.join(' or ')} column; a metrics CSV needs step and loss (columns: ${table.fields.join(', ') || 'none'})`);
  if (!table.rows.length) throw new RunImportError(file, 'has no rows');
  const byRun = new Map<string, { line: number; row: Record<string, string> }[]>();
  const base = file.replace(/^.*[\\/]/, '').replace(/\.csv$/i, '');
  table.rows.forEach((row, i) => {
    const name = table.fields.includes('run') ? row.run || base : base;
    byRun.set(name, [...(byRun.get(name) ?? []), { line: i + 2, row }]);
  });
  return [...byRun].map(([name, rows]) => {
    const col = (c: string, nullable = true) => rows.map(({ line, row }) => (table.fields.includes(c) ? numberCell(file, line, c, row[c], nullable) : null));
    const step = col('step', false) as number[];
    step.forEach((s, i) => {
      if (!Number.isInteger(s) || s < 0 || (i > 0 && s <= step[i - 1])) throw new RunImportError(file, `line ${rows[i].line}: step ${s} must be a whole number above the row before's`);
    });
    const tokens = table.fields.includes('tokens') ? col('tokens', false) as number[] : [...step];
    const metric = (c: (typeof METRIC_COLUMNS)[number]) => col(c);
    const loss = metric('loss');
    const config = parseConfig({ name, tags: ['csv-import'], notes: `imported from ${file}; the config is not known (defaults shown)` });
    const finalTrain = [...loss].reverse().find((v) => v !== null) ?? null;
    const record: RunRecord = {
      format: RUN_FORMAT,
      version: RUN_VERSION,
      id: newId(),
      name,
      tags: [...config.tags],
      notes: config.notes,
      created: now,
      config,
      environment: {
        runtime: 'browser',
        adapter: { name: 'unknown (CSV import)', vendor: '', architecture: '', description: '', software: false },
        stepsize_version: 'unknown', user_agent: null, params_total: 0, params_trainable: 0, dispatches_per_step: 0, submits_per_step: 0,
      },
      data: { source: 'unknown', train_bytes: 0, val_bytes: 0 },
      metrics: {
        step, tokens, loss, lr: metric('lr'), grad_norm: metric('grad_norm'), clip: metric('clip'), update_ratio: metric('update_ratio'),
        elapsed_ms: table.fields.includes('elapsed_ms') ? col('elapsed_ms').map((v) => v ?? 0) : step.map(() => 0),
      },
      tensors: { names: [], step: [], grad_norm: [], update_ratio: [] },
      evals: [],
      samples: [],
      resumes: [],
      outcome: { status: 'finished', step: step[step.length - 1], reason: null, best_val_loss: null, best_step: null, final_val_loss: null, final_train_loss: finalTrain, elapsed_ms: 0 },
    };
    // The same checks as any imported run.json.
    return parseRun(JSON.parse(JSON.stringify(record)), file);
  });
}
