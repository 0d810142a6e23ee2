// Run files in and out of the page: run.json files read and validated before anything is stored,
// and the downloads of runs (the CLI's run.json, one metrics CSV) and of their weights.

import { runsCsv } from '../../runs/csv';
import { safeName } from '../../runs/names';
import { parseRun, RunImportError, serializeRun, type RunRecord } from '../../runs/schema';
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

/** Every run in the files (a run.json, or a JSON array of runs); throws RunImportError naming the file. */
export async function readRunFiles(files: readonly File[]): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for (const f of files) {
    if (f.size > MAX_IMPORT_BYTES) throw new RunImportError(f.name, `is ${formatBytes(f.size)}; the page imports files of at most ${formatBytes(MAX_IMPORT_BYTES)}`);
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
