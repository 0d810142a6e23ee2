// Node's side of files read from outside: bundled corpora from node_modules, user text files,
// config files (YAML or JSON), model and adapter files. (A run's own directory: run-dir.ts.)

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isCorpusId } from '../data/corpora';
import { loadCorpus } from './corpora';
import { decodeGpt2Checkpoint, GPT2_FILES } from '../runs/hf-gpt2';
import { decodeAdapter, decodeModelFile, type ModelFile } from '../runs/model-files';
import { ConfigError, ConfigErrors, parseConfig, withModelOfBase, type TrainConfig } from '../config/config';
import type { ModelShape } from '../config/architecture';

export { loadCorpus };

/** Reads a UTF-8 text file for `key` (train_data, --text), refusing missing, empty or non-UTF-8 files. */
export function readTextFile(path: string, key: string): Uint8Array {
  if (!existsSync(path) || !statSync(path).isFile()) throw new ConfigError(key, path, 'a path to an existing UTF-8 text file (the file does not exist)');
  const bytes = new Uint8Array(readFileSync(path));
  if (bytes.length === 0) throw new ConfigError(key, path, 'a non-empty UTF-8 text file (the file is empty)');
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError(key, path, 'a UTF-8 text file (this file is not valid UTF-8)');
  }
  return bytes;
}

/** train_data: a bundled corpus id, or a path to a UTF-8 text file. */
export function loadTrainData(c: TrainConfig): { bytes: Uint8Array; source: string } {
  if (isCorpusId(c.train_data)) return { bytes: loadCorpus(c.train_data), source: c.train_data };
  return { bytes: readTextFile(c.train_data, 'train_data'), source: resolve(c.train_data) };
}

/** Reads a YAML or JSON config file as a plain object; `overrides` ("key=value", the value parsed as YAML) replace its keys. */
export function readConfigObject(path: string, overrides: readonly string[] = []): unknown {
  if (!existsSync(path)) throw new ConfigError('--config', path, 'a path to an existing YAML or JSON config file');
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigErrors([new ConfigError('--config', path, `valid YAML or JSON (${(e as Error).message.split('\n')[0]})`)]);
  }
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) return raw;
  return applyOverrides({ ...((raw as Record<string, unknown>) ?? {}) }, overrides);
}

/** Sets each "key=value" of `overrides` (the value parsed as YAML) in `obj`; returns it. */
export function applyOverrides(obj: Record<string, unknown>, overrides: readonly string[]): Record<string, unknown> {
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq < 1) throw new ConfigError('--set', o, 'key=value');
    obj[o.slice(0, eq).trim()] = parseYaml(o.slice(eq + 1));
  }
  return obj;
}

/**
 * Reads and validates a YAML or JSON training config. A file that names a base_model and no model
 * takes the model's shape from the base (a base that cannot be read is refused later, by its key).
 */
export function readConfigFile(path: string, overrides: readonly string[] = []): TrainConfig {
  return parseConfig(withBaseModelShape(readConfigObject(path, overrides)));
}

/** `raw` with `model` set from its base_model's file when it names a readable base and no model. */
export function withBaseModelShape(raw: unknown): unknown {
  const base = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>).base_model : null;
  if (typeof base !== 'string' || !existsSync(base)) return raw;
  let shape: ModelShape | null = null;
  try {
    shape = readModelFile(base).shape;
  } catch {
    return raw;
  }
  return withModelOfBase(raw, shape);
}

/** A Stepsize model.safetensors, or a GPT-2 checkpoint directory in Hugging Face's layout (config.json, model.safetensors, tokenizer.json). */
export function readModelFile(path: string, key = 'base_model'): ModelFile {
  if (!existsSync(path)) throw new ConfigError(key, path, 'a path to an existing model.safetensors, or a GPT-2 directory');
  if (statSync(path).isDirectory()) return readGpt2Dir(path, key);
  try {
    return decodeModelFile(new Uint8Array(readFileSync(path)), path);
  } catch (e) {
    throw new ConfigError(key, path, `a Stepsize model file (${(e as Error).message})`);
  }
}

function readGpt2Dir(dir: string, key: string): ModelFile {
  const d = dir.replace(/\/+$/, '');
  const missing = Object.values(GPT2_FILES).filter((f) => !existsSync(join(d, f)));
  if (missing.length) throw new ConfigError(key, dir, `a GPT-2 directory in Hugging Face's layout: ${Object.values(GPT2_FILES).join(', ')} (${missing.join(', ')} missing)`);
  try {
    return decodeGpt2Checkpoint({
      config: readFileSync(join(d, GPT2_FILES.config), 'utf8'),
      model: new Uint8Array(readFileSync(join(d, GPT2_FILES.model))),
      tokenizer: readFileSync(join(d, GPT2_FILES.tokenizer), 'utf8'),
    }, d);
  } catch (e) {
    throw new ConfigError(key, dir, `a GPT-2 checkpoint (${(e as Error).message})`);
  }
}

/**
 * Reads an adapter directory. With `base` (the shape of the model file it will be loaded onto), every
 * tensor's name and shape is checked here, on the CPU, before a GPU model is built from them.
 */
export function readAdapterDir(dir: string, key = '--adapter', base?: ModelShape) {
  const st = join(dir, 'adapter_model.safetensors');
  const cfg = join(dir, 'adapter_config.json');
  if (!existsSync(st) || !existsSync(cfg)) throw new ConfigError(key, dir, 'a directory holding adapter_model.safetensors and adapter_config.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(cfg, 'utf8'));
  } catch (e) {
    throw new ConfigError(key, cfg, `valid JSON (${(e as Error).message})`);
  }
  return decodeAdapter(new Uint8Array(readFileSync(st)), json, dir.replace(/\/+$/, ''), base);
}
