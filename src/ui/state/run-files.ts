// Run files in and out of the page: run.json files (one by one or a whole folder) and metrics CSVs
// read and validated before anything is stored,
// and the downloads of runs (the CLI's run.json, one metrics CSV) and of their weights.

import { runsCsv } from '../../runs/csv';
import { runsFromMetricsCsv } from '../../runs/metrics-import';
import { safeName } from '../../runs/names';
import { parseRun, RunImportError, serializeRun, type RunRecord } from '../../runs/schema';
import { newRunId } from '../../train/record';
import type { WeightFile } from '../../worker/api';
import { formatBytes } from '../format';

/** The largest run file the page imports (a run.json of a million steps is about 100 MB). */
export const MAX_IMPORT_BYTES = 64 * 1024 ** 2;

/** A file the page offers for download. */
export interface Download {
  name: string;
  data: string | Uint8Array;
  type: string;
}

/** Run files by name: the CLI's run.json, this page's exports (NAME.run.json, stepsize-runs-N.json). */
const RUN_JSON = /(^|\.)run\.json$|^stepsize-runs-\d+\.json$/i;
/** Metrics files by name: the CLI's metrics.csv, this page's CSV export. */
const METRICS_CSV = /^metrics\.csv$|^stepsize-metrics-.*\.csv$/i;

/**
 * The files an import takes from a chosen folder: the run files (plan.json, checkpoints' state.json
 * and summaries are not runs), and a metrics CSV only from a folder with no run.json (a CLI run
 * directory holds both: the run is read once, from its run.json).
 */
export function runFilesOf(files: readonly File[]): File[] {
  const dir = (f: File) => (f.webkitRelativePath || f.name).replace(/[^/]*$/, '');
  const withJson = new Set(files.filter((f) => RUN_JSON.test(f.name)).map(dir));
  return files.filter((f) => RUN_JSON.test(f.name) || (METRICS_CSV.test(f.name) && !withJson.has(dir(f))));
}

/**
 * Every run in the files: a run.json, a JSON array of runs, or a metrics CSV (metrics.csv, the page's
 * CSV export); throws RunImportError naming the file (and the line, for a CSV).
 */
export async function readRunFiles(files: readonly File[], newId: () => string = newRunId): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for (const f of files) {
    if (f.size > MAX_IMPORT_BYTES) throw new RunImportError(f.name, `is ${formatBytes(f.size)}; the page imports files of at most ${formatBytes(MAX_IMPORT_BYTES)}`);
    if (/\.csv$/i.test(f.name)) {
      runs.push(...runsFromMetricsCsv(await f.text(), f.webkitRelativePath || f.name, newId, new Date().toISOString()));
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(await f.text());
    } catch (e) {
      throw new RunImportError(f.name, `is not JSON (${(e as Error).message})`);
    }
    const items = Array.isArray(raw) ? raw : [raw];
    items.forEach((item, i) => runs.push(parseRun(item, items.length > 1 ? `${f.name} [${i}]` : f.name)));
  }
  return runs;
}

/** One run as the CLI's run.json, several as a JSON array. */
export function jsonDownload(runs: readonly RunRecord[]): Download {
  const text = runs.length === 1 ? serializeRun(runs[0]) : `[${runs.map(serializeRun).join(',\n')}]`;
  return { name: runs.length === 1 ? `${safeName(runs[0].name)}.run.json` : `stepsize-runs-${runs.length}.json`, data: text, type: 'application/json' };
}

export function csvDownload(runs: readonly RunRecord[]): Download {
  return { name: `stepsize-metrics-${runs.length}-runs.csv`, data: runsCsv(runs), type: 'text/csv' };
}

/** A run's weight files, each named after the run. */
export function weightDownloads(runName: string, files: readonly WeightFile[]): Download[] {
  return files.map((f) => ({ name: `${safeName(runName)}-${f.name}`, data: f.bytes, type: 'application/octet-stream' }));
}
