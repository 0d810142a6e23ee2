// The config being edited: values per key, validation against the one schema (errors per field),
// presets, and the URL (every non-default key is a query parameter, so a link reproduces the setup;
// `lock=` and `hide=` list keys or groups a teacher fixes or hides).

import { CONFIG_KEYS, ConfigErrors, defaultConfig, defaultValues, FIELDS, parseConfig, type ConfigKey, type FieldGroup, type TrainConfig } from '../../config/config';
import { resolveScope } from '../../train/resolve';
import { lockedChanges, lockMessage, namesKey } from './locks';


export interface Preset {
  id: string;
  title: string;
  /** One line on what it is for. */
  about: string;
  values: Partial<TrainConfig>;
}

/** Starting points for common setups; the classroom scenarios (issue 6) add more. */
export const CONFIG_PRESETS: Preset[] = [
  { id: 'lora', title: 'LoRA fine-tune (r 8)', about: 'Adapters on every linear layer of the base, 2e-4, warmup then cosine: the usual default.', values: { lora_rank: 8, lora_alpha: 16, learning_rate: 2e-4, warmup_steps: 20, lr_schedule: 'cosine' } },
  { id: 'full', title: 'Full fine-tune', about: 'Every weight of the base trains, at 1e-3 with weight decay.', values: { lora_rank: 0, learning_rate: 1e-3, weight_decay: 0.01 } },
  { id: 'scratch', title: 'From scratch', about: 'No base model: a random network learns the text from zero.', values: { lora_rank: 0, base_model: null, learning_rate: 3e-3, warmup_steps: 20, weight_decay: 0.1 } },
  { id: 'small-cpu', title: 'Small and quick (CPU)', about: 'The tiny model, small batches and few steps: fits software WebGPU.', values: { model: 'tiny', batch_size: 4, max_steps: 60, eval_interval: 20, eval_batches: 2, sample_interval: 0, sample_length: 60 } },
];

const GROUP_NAMES = new Set<string>(Object.values(FIELDS).map((f) => f.group));

function encodeValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function decodeValue(key: ConfigKey, raw: string): unknown {
  const def = FIELDS[key].default;
  if (typeof def === 'string' && !raw.startsWith('{') && !raw.startsWith('[')) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Whether a hide= list hides the whole group (by its name, or every key in it). */
export function hidesGroup(hidden: ReadonlySet<string>, group: FieldGroup): boolean {
  return hidden.has(group) || CONFIG_KEYS.filter((k) => FIELDS[k].group === group).every((k) => namesKey(hidden, k));
}

/**
 * Every change replaces `values`, `errors`, `locked` and `hidden` with new objects, so a component
 * handed one of them (Lit compares properties by identity) sees that it changed. A change to a key
 * the class link locks (by name or by group) is refused whole: nothing changes, and a `refused`
 * event (a CustomEvent whose detail is the message) says which key, at what value, is locked.
 */
export class ConfigState extends EventTarget {
  #values: Readonly<Record<string, unknown>> = defaultValues();
  #errors: ReadonlyMap<string, string> = new Map();
  #config: TrainConfig | null = defaultConfig();
  #locked: ReadonlySet<string> = new Set();
  #hidden: ReadonlySet<string> = new Set();

  constructor(initial: Partial<TrainConfig> = {}) {
    super();
    this.#values = { ...this.#values, ...initial };
    this.validate();
  }

  /** The fields as typed (a value may be invalid). */
  get values(): Readonly<Record<string, unknown>> {
    return this.#values;
  }

  /** The schema's message per invalid key. */
  get errors(): ReadonlyMap<string, string> {
    return this.#errors;
  }

  /** The validated config, or null while a field is invalid. */
  get config(): Readonly<TrainConfig> | null {
    return this.#config;
  }

  /** Keys and groups the URL's lock= fixes. */
  get locked(): ReadonlySet<string> {
    return this.#locked;
  }

  /** Keys and groups the URL's hide= hides. */
  get hidden(): ReadonlySet<string> {
    return this.#hidden;
  }

  private validate(): void {
    const errors = new Map<string, string>();
    try {
      const c = parseConfig(this.#values);
      resolveScope(c, c.base_model !== null);
      this.#config = c;
    } catch (e) {
      this.#config = null;
      if (!(e instanceof ConfigErrors)) throw e;
      for (const err of e.errors) errors.set(err.key, err.message);
    }
    this.#errors = errors;
  }

  private changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  /** Sets one key; returns null, or the message when a lock refused it (also sent as `refused`). */
  set(key: ConfigKey, value: unknown): string | null {
    return this.change({ [key]: value });
  }

  /**
   * Sets several keys at once (a preset, a suggested batch split), or none: returns null, or the
   * message when a lock refused them (also sent as `refused`).
   */
  apply(values: Partial<TrainConfig>): string | null {
    return this.change(values);
  }

  private change(values: Readonly<Partial<Record<ConfigKey, unknown>>>): string | null {
    const held = lockedChanges(this.#locked, this.#values, [values]);
    if (held.length) {
      const message = lockMessage(held, 'Nothing was changed');
      this.dispatchEvent(new CustomEvent<string>('refused', { detail: message }));
      return message;
    }
    this.#values = { ...this.#values, ...values };
    this.validate();
    this.changed();
    return null;
  }

  isLocked(key: ConfigKey): boolean {
    return namesKey(this.#locked, key);
  }

  /** Query string of every value that differs from its default, plus lock/hide. */
  toQuery(): string {
    const q = new URLSearchParams();
    const def = defaultValues() as Record<string, unknown>;
    for (const k of CONFIG_KEYS) {
      const v = this.#values[k];
      if (JSON.stringify(v) !== JSON.stringify(def[k])) q.set(k, encodeValue(v));
    }
    if (this.#locked.size) q.set('lock', [...this.#locked].join(','));
    if (this.#hidden.size) q.set('hide', [...this.#hidden].join(','));
    return q.toString();
  }

  /** Reads values and lock/hide from a query string; unknown parameters are ignored. */
  fromQuery(search: string): void {
    const q = new URLSearchParams(search);
    const vals: Record<string, unknown> = {};
    for (const k of CONFIG_KEYS) {
      const raw = q.get(k);
      if (raw !== null) vals[k] = decodeValue(k, raw);
    }
    const list = (name: string) => new Set((q.get(name) ?? '').split(',').map((s) => s.trim()).filter((s) => (CONFIG_KEYS as string[]).includes(s) || GROUP_NAMES.has(s)));
    this.#values = { ...defaultValues(), ...vals };
    this.#locked = list('lock');
    this.#hidden = list('hide');
    this.validate();
    this.changed();
  }
}
