// Base models to fine-tune from: those shipped with the app (public/base, listed in
// base/index.json), those pretrained in this browser and GPT-2 checkpoints imported into it (kept
// in IndexedDB); the options for a model, and the bytes of the one chosen.

import type { ModelShape } from '../../config/architecture';
import { modelChoiceOf, type TrainConfig } from '../../config/config';
import { lastResult } from './memo';
import type { ImportedBase, RunStore } from './store';

export interface BaseOption {
  /** The value base_model takes. */
  value: string;
  label: string;
  model: string;
}

/** Base models shipped with the app (public/base): fine-tuning starts from these at once. */
export interface ShippedBase {
  file: string;
  model: string;
  steps: number;
  val_loss: number;
}

const BROWSER_BASE = 'browser:';
const PRESET_MODELS = ['tiny', 'classroom', 'nanogpt'];

/** The key a model's base is kept under: the preset's name, or the custom sizes as JSON. */
export function baseKey(model: TrainConfig['model']): string {
  return typeof model === 'string' ? model : JSON.stringify(model);
}

export class BaseModels {
  private shipped: ShippedBase[] = [];
  private inBrowser: ReadonlySet<string> = new Set();
  private imported: readonly ImportedBase[] = [];

  constructor(private readonly store: RunStore) {}

  /** Reads the list of shipped bases and which presets have one pretrained in this browser. */
  async init(): Promise<void> {
    try {
      const r = await fetch(`${import.meta.env.BASE_URL}base/index.json`);
      if (r.ok) this.shipped = (await r.json()) as ShippedBase[];
    } catch {
      this.shipped = [];
    }
    const kept = new Set<string>();
    for (const key of PRESET_MODELS) if (await this.store.base(key)) kept.add(key);
    this.inBrowser = kept;
    this.imported = await this.store.importedBases();
  }

  /** The bases for a model: the same array until the model or the bases change. */
  options(model: TrainConfig['model']): BaseOption[] {
    return this.optionsOf(baseKey(model), this.shipped, this.inBrowser, this.imported);
  }

  /** The shape of base `value` when it is an imported one (its vocabulary and tied head are not in `model`). */
  importedShape(value: string | null): ModelShape | null {
    return this.imported.find((b) => `${BROWSER_BASE}${b.key}` === value)?.shape ?? null;
  }

  private readonly optionsOf = lastResult((key: string, shipped: readonly ShippedBase[], inBrowser: ReadonlySet<string>, imported: readonly ImportedBase[]): BaseOption[] => {
    const out: BaseOption[] = [];
    for (const b of imported) {
      if (baseKey(modelChoiceOf(b.shape)) === key) out.push({ value: `${BROWSER_BASE}${b.key}`, label: `GPT-2 ${b.source} (vocabulary ${b.shape.vocab}, kept in this browser)`, model: key });
    }
    for (const s of shipped) if (s.model === key) out.push({ value: `base/${s.file}`, label: `shipped ${s.model} base (${s.steps} steps, val ${s.val_loss.toFixed(2)})`, model: s.model });
    if (inBrowser.has(key)) out.push({ value: `${BROWSER_BASE}${key}`, label: `${key} base pretrained in this browser`, model: key });
    return out;
  });

  async load(value: string): Promise<Uint8Array> {
    if (value.startsWith(BROWSER_BASE)) {
      const bytes = await this.store.base(value.slice(BROWSER_BASE.length));
      if (!bytes) throw new Error(`base_model: ${value} is not in this browser; pretrain it first`);
      return bytes;
    }
    const r = await fetch(`${import.meta.env.BASE_URL}${value}`);
    if (!r.ok) throw new Error(`base_model: ${value} could not be loaded (${r.status})`);
    return new Uint8Array(await r.arrayBuffer());
  }

  /** Keeps an imported GPT-2 checkpoint (one model file) in this browser; returns the base_model value that names it. */
  async keepImported(source: string, shape: ModelShape, bytes: Uint8Array): Promise<string> {
    const key = `gpt2:${source}`;
    const info = await this.store.putImportedBase({ key, source, shape }, bytes);
    this.imported = [...this.imported.filter((b) => b.key !== key), info];
    return `${BROWSER_BASE}${key}`;
  }

  /** Keeps a model pretrained by run `runId` in this browser; returns the base_model value that names it. */
  async keep(key: string, runId: string, bytes: Uint8Array): Promise<string> {
    await this.store.putBase(key, runId, bytes);
    this.inBrowser = new Set([...this.inBrowser, key]);
    return `${BROWSER_BASE}${key}`;
  }
}
