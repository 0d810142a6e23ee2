// CSV in and out, through papaparse (RFC 4180: a cell is quoted when it holds a comma, a quote or a
// line break, a quote doubled inside). A text cell that a spreadsheet would run as a formula (it
// starts with =, +, -, @, a tab or a carriage return) is written with a leading ' (OWASP's advice on
// CSV injection); numbers are written as they are, negative ones included.
// The files: one run's metrics.csv (a header row, then one row per step), several runs in one table
// with a leading run column (the browser's export), and the metrics read back from either.

import Papa from 'papaparse';
import type { RunRecord } from './schema';

export const METRIC_COLUMNS = ['step', 'tokens', 'loss', 'lr', 'grad_norm', 'clip', 'update_ratio', 'elapsed_ms'] as const;
export type MetricColumn = (typeof METRIC_COLUMNS)[number];

export type Cell = number | string | boolean | null;

/** A header row and the rows, '\n' line ends and a final '\n'; null writes an empty cell. */
export function toCsv(fields: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return Papa.unparse({ fields: [...fields], data: rows.map((r) => [...r]) }, { escapeFormulae: true, newline: '\n' }) + '\n';
}

/** A CSV text with a header row: its column names and one record of strings per row. */
export function parseCsv(text: string): { fields: string[]; rows: Record<string, string>[] } {
  const r = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true, delimiter: ',' });
  const bad = r.errors[0];
  if (bad) {
    // The line of the file: from the error's character offset where papaparse gives one (its row
    // numbers count the header for some errors and not for others), else the data row after the header.
    const line = bad.index !== undefined ? text.slice(0, bad.index).split('\n').length : bad.row !== undefined ? bad.row + 2 : null;
    throw new Error(`CSV: ${bad.message}${line !== null ? ` (line ${line})` : ''}`);
  }
  return { fields: r.meta.fields ?? [], rows: r.data };
}

/** A metric cell: a missing value (null) reads back as NaN, as pandas and spreadsheets show it. */
const metricCell = (v: number | null): Cell => (v === null ? 'NaN' : v);

function metricRows(run: RunRecord, prefix: Cell[]): Cell[][] {
  const m = run.metrics;
  return m.step.map((_, i) => [...prefix, ...METRIC_COLUMNS.map((c) => metricCell(m[c][i]))]);
}

export function metricsCsv(run: RunRecord): string {
  return toCsv(METRIC_COLUMNS, metricRows(run, []));
}

export function runsCsv(runs: readonly RunRecord[]): string {
  return toCsv(['run', ...METRIC_COLUMNS], runs.flatMap((r) => metricRows(r, [r.name || r.id])));
}
