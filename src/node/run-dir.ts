// A run's output directory: run.json and metrics.csv, rewritten as the run goes (each write atomic,
// so a crash leaves the previous version whole), and the weights at the end.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic';
import type { ParamTable } from '../model/params';
import type { ModelShape } from '../config/architecture';
import { metricsCsv } from '../runs/csv';
import { encodeGpt2Checkpoint } from '../runs/hf-gpt2';
import { encodeAdapter, encodeModelFile, type ModelFile } from '../runs/model-files';
import { serializeRun, type RunRecord } from '../runs/schema';

/**
 * Writes run.json and metrics.csv; returns their paths. `flush` false while the run goes (the next
 * checkpoint holds the same record; see writeFileAtomic), true for the final version.
 */
export function writeRunRecord(dir: string, run: RunRecord, flush = false): string[] {
  mkdirSync(dir, { recursive: true });
  const csv = join(dir, 'metrics.csv');
  const json = join(dir, 'run.json');
  writeFileAtomic(csv, metricsCsv(run), flush);
  writeFileAtomic(json, serializeRun(run) + '\n', flush);
  return [csv, json];
}

/**
 * Writes the weights (model.safetensors, or PEFT's adapter pair; a GPT-2 model fully fine-tuned as a
 * Hugging Face checkpoint: config.json, model.safetensors, tokenizer.json from `hf`), then run.json and metrics.csv; returns the files.
 */
export function writeRunDir(dir: string, run: RunRecord, table: ParamTable, arena: Float32Array, shape: ModelShape, hf?: ModelFile['hf']): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const put = (name: string, data: string | Uint8Array) => {
    writeFileAtomic(join(dir, name), data);
    files.push(join(dir, name));
  };
  if (table.lora) {
    const a = encodeAdapter(table, arena, run.config.base_model, shape.family);
    put('adapter_model.safetensors', a.safetensors);
    put('adapter_config.json', JSON.stringify(a.config, null, 2) + '\n');
  } else if (shape.family === 'gpt2') {
    for (const f of encodeGpt2Checkpoint(table, arena, shape, hf, { run_id: run.id })) put(f.name, f.bytes);
  } else {
    put('model.safetensors', encodeModelFile(table, arena, shape, { run_id: run.id }));
  }
  return [...files, ...writeRunRecord(dir, run, true)];
}
