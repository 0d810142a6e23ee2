// <config-panel>: every knob of the config schema, grouped, each with its one-line meaning on hover;
// presets; the data source (bundled corpus or a dropped .txt) with its size and split; the base
// model; the effective batch and the memory estimate as the person types; schema errors at the field.
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { CORPORA, isCorpusId } from '../../data/corpora';
import { GPT2_TARGETS, LORA_TARGETS, MODEL_PRESETS, type ModelShape, type PresetName } from '../../config/architecture';

const GPT2_TARGET_NAMES = Object.keys(GPT2_TARGETS);
import { CONFIG_KEYS, defaultValues, FIELDS, seqLenOf, shapeOf, type ConfigKey, type FieldGroup, type TrainConfig } from '../../config/config';
import type { FitLimits } from '../../train/fit';
import { emit } from '../events';
import type { BaseOption } from '../state/bases';
import { CONFIG_PRESETS, hidesGroup } from '../state/config-state';
import { namesKey, presetRefusal } from '../state/locks';
import { splitSizes, uploadSource, type Uploaded } from '../state/data';
import { formatBytes } from '../format';
import './memory-estimate';
import './schedule-preview';

const GROUPS: { id: FieldGroup; title: string }[] = [
  { id: 'data', title: 'Data' },
  { id: 'model', title: 'Model' },
  { id: 'lora', title: 'LoRA' },
  { id: 'optimizer', title: 'Optimizer' },
  { id: 'schedule', title: 'Schedule' },
  { id: 'batching', title: 'Batching' },
  { id: 'evaluation', title: 'Evaluation and samples' },
  { id: 'run', title: 'Run' },
];

/** Keys the browser does not use (they belong to the CLI). */
const BROWSER_HIDDEN = new Set<ConfigKey>(['output_dir']);
const MODEL_SIZES = Object.keys(MODEL_PRESETS) as PresetName[];

function enumOptions(key: ConfigKey): string[] | null {
  const s = FIELDS[key].schema as unknown as { options?: unknown[] };
  return Array.isArray(s.options) && s.options.every((o) => typeof o === 'string') ? (s.options as string[]) : null;
}

function numberFrom(text: string, nullable: boolean): unknown {
  const t = text.trim();
  if (t === '' && nullable) return null;
  const n = Number(t);
  return t === '' || Number.isNaN(n) ? text : n;
}

/**
 * @fires config-set - a field was typed or picked (detail: key and value)
 * @fires config-apply - a preset was chosen (detail: its values); memory-estimate's split bubbles up too
 * @fires text-upload - a .txt file was dropped or chosen (detail: the file)
 * @fires base-pretrain - Pretrain base
 * @fires base-import - a GPT-2 checkpoint's files were dropped or chosen (detail: the files)
 * @fires base-fetch - Fetch: a GPT-2 checkpoint's files from an address (detail: the address)
 */
@customElement('config-panel')
export class ConfigPanel extends LitElement {
  static override styles = css`
    :host { display: block; font-size: 0.85rem; }
    .presets { display: flex; flex-wrap: wrap; gap: 0.35rem; margin-bottom: 0.6rem; }
    .presets button { font-size: 0.78rem; }
    details { border-top: 1px solid #e4e4e0; padding: 0.35rem 0; }
    summary { cursor: pointer; font-weight: 600; padding: 0.2rem 0; }
    .field { display: grid; grid-template-columns: 9.5rem 1fr; gap: 0.15rem 0.5rem; align-items: center; margin: 0.3rem 0; }
    .field > label { color: #333; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; cursor: help; }
    .field input[type='text'], .field select { width: 100%; box-sizing: border-box; font: inherit; padding: 0.15rem 0.3rem; }
    .field [aria-invalid='true'] { border: 1px solid #b00020; background: #fff5f6; }
    .error { grid-column: 2; color: #b00020; font-size: 0.75rem; }
    .note { grid-column: 1 / -1; color: #555; font-size: 0.78rem; }
    .targets { display: flex; flex-wrap: wrap; gap: 0.2rem 0.6rem; }
    .drop { grid-column: 1 / -1; border: 1px dashed #aaa; border-radius: 6px; padding: 0.45rem; text-align: center; color: #555; }
    .drop.over { background: #eef5ff; border-color: #4e79a7; }
    .custom { display: grid; grid-template-columns: repeat(4, 1fr); gap: 0.25rem; }
    .custom input { width: 100%; box-sizing: border-box; }
    .strong { font-weight: 600; }
  `;

  /** Every field as typed (a value may be invalid). */
  @property({ attribute: false }) values: Readonly<Record<string, unknown>> = defaultValues();
  /** The schema's message per invalid key. */
  @property({ attribute: false }) errors: ReadonlyMap<string, string> = new Map();
  /** The validated config, or null while a field is invalid. */
  @property({ attribute: false }) config: TrainConfig | null = null;
  /** Keys and groups fixed by the URL's lock= (shown, disabled). */
  @property({ attribute: false }) lockedKeys: ReadonlySet<string> = new Set();
  /** Keys and groups hidden by the URL's hide=. */
  @property({ attribute: false }) hiddenKeys: ReadonlySet<string> = new Set();
  /** A run is training: every field and preset is disabled. */
  @property({ type: Boolean }) busy = false;
  /** The base models available for the current model. */
  @property({ attribute: false }) baseOptions: readonly BaseOption[] = [];
  /** The dropped text file, if any. */
  @property({ attribute: false }) upload: Uploaded | null = null;
  /** Bytes of each bundled corpus. */
  @property({ attribute: false }) corpusSizes: Readonly<Record<string, number>> = {};
  /** The chosen base's shape when the model value cannot say it (an imported GPT-2's vocabulary and tied head). */
  @property({ attribute: false }) baseShape: ModelShape | null = null;
  /** The adapter's buffer limits, for the memory estimate (null until the GPU answered). */
  @property({ attribute: false }) limits: FitLimits | null = null;

  private set(key: ConfigKey, value: unknown): void {
    emit(this, 'config-set', { key, value });
  }

  private takeFile(file: File | undefined): void {
    if (file) emit(this, 'text-upload', { file });
  }

  private field(key: ConfigKey, input: TemplateResult): TemplateResult {
    const err = this.errors.get(key);
    return html`
      <div class="field" data-field=${key}>
        <label for=${key} title=${FIELDS[key].help}>${key}</label>
        ${input}
        ${err ? html`<div class="error" data-testid="error-${key}">${err}</div>` : nothing}
      </div>
    `;
  }

  private input(key: ConfigKey): TemplateResult {
    const v = this.values[key];
    const disabled = namesKey(this.lockedKeys, key) || this.busy;
    const invalid = this.errors.has(key) ? 'true' : 'false';
    const def = FIELDS[key].default;
    const options = enumOptions(key);
    if (key === 'model') return this.modelInput(disabled);
    if (key === 'train_data') return this.dataInput(disabled);
    if (key === 'base_model') return this.baseInput(disabled);
    if (key === 'lora_targets') {
      const on = new Set(v as string[]);
      // On a GPT-2 base its modules as PEFT names them; else the byte model's.
      const names: readonly string[] = this.baseShape?.family === 'gpt2' ? GPT2_TARGET_NAMES : LORA_TARGETS;
      return this.field(key, html`<div class="targets" id=${key} aria-invalid=${invalid}>
        ${names.map((t) => html`<label><input type="checkbox" data-testid="target-${t}" ?disabled=${disabled} .checked=${on.has(t)}
          @change=${(e: Event) => this.set(key, names.filter((x) => (x === t ? (e.target as HTMLInputElement).checked : on.has(x))))} />${t}</label>`)}
      </div>`);
    }
    if (typeof def === 'boolean') {
      return this.field(key, html`<input id=${key} type="checkbox" ?disabled=${disabled} .checked=${v === true} @change=${(e: Event) => this.set(key, (e.target as HTMLInputElement).checked)} />`);
    }
    if (options) {
      return this.field(key, html`<select id=${key} ?disabled=${disabled} aria-invalid=${invalid} @change=${(e: Event) => this.set(key, (e.target as HTMLSelectElement).value)}>
        ${options.map((o) => html`<option value=${o} ?selected=${v === o}>${o}</option>`)}
      </select>`);
    }
    if (Array.isArray(def)) {
      return this.field(key, html`<input id=${key} type="text" ?disabled=${disabled} .value=${(v as string[]).join(', ')} aria-invalid=${invalid}
        @change=${(e: Event) => this.set(key, (e.target as HTMLInputElement).value.split(',').map((s) => s.trim()).filter(Boolean))} />`);
    }
    const numeric = typeof def === 'number' || def === null;
    const shown = v === null ? '' : String(v);
    return this.field(key, html`<input id=${key} data-testid="input-${key}" type="text" ?disabled=${disabled} .value=${shown} aria-invalid=${invalid}
      placeholder=${def === null ? ((FIELDS[key] as { nullMeans?: string }).nullMeans ?? 'none') : ''}
      @input=${(e: Event) => {
        const t = (e.target as HTMLInputElement).value;
        this.set(key, numeric ? numberFrom(t, def === null || FIELDS[key].allowed.includes('null')) : t);
      }} />`);
  }

  private modelInput(disabled: boolean): TemplateResult {
    const v = this.values.model as TrainConfig['model'];
    const custom = typeof v === 'object';
    const setCustom = (k: string, n: number) => this.set('model', { ...(v as object), [k]: n });
    return this.field('model', html`<div>
      <select id="model" data-testid="input-model" ?disabled=${disabled} @change=${(e: Event) => {
        const s = (e.target as HTMLSelectElement).value;
        this.set('model', s === 'custom' ? { d_model: 96, n_layer: 3, n_head: 3, context: 96 } : s);
      }}>
        ${MODEL_SIZES.map((m) => html`<option value=${m} ?selected=${v === m}>${m}</option>`)}
        <option value="custom" ?selected=${custom}>custom…</option>
      </select>
      ${custom ? html`<div class="custom">${(['d_model', 'n_layer', 'n_head', 'context'] as const).map((k) => html`<input type="text" title=${k} .value=${String((v as Record<string, number>)[k])} ?disabled=${disabled} @change=${(e: Event) => setCustom(k, Number((e.target as HTMLInputElement).value))} />`)}</div>` : nothing}
    </div>`);
  }

  private dataInput(disabled: boolean): TemplateResult {
    const v = String(this.values.train_data);
    const upload = this.upload;
    const sizes = upload && v === uploadSource(upload) ? upload.bytes.length : null;
    const drop = (e: DragEvent) => {
      e.preventDefault();
      (e.currentTarget as HTMLElement).classList.remove('over');
      this.takeFile(e.dataTransfer?.files?.[0]);
    };
    return this.field('train_data', html`<div>
      <select id="train_data" data-testid="input-train_data" ?disabled=${disabled} @change=${(e: Event) => this.set('train_data', (e.target as HTMLSelectElement).value)}>
        ${Object.entries(CORPORA).map(([id, c]) => html`<option value=${id} ?selected=${v === id}>${c.title}</option>`)}
        ${upload ? html`<option value=${uploadSource(upload)} ?selected=${v === uploadSource(upload)}>${upload.name}</option>` : nothing}
      </select>
    </div>
    <div class="drop" data-testid="drop-zone" @dragover=${(e: DragEvent) => { e.preventDefault(); (e.currentTarget as HTMLElement).classList.add('over'); }}
      @dragleave=${(e: DragEvent) => (e.currentTarget as HTMLElement).classList.remove('over')} @drop=${drop}>
      Drop a .txt file here, or <label><u>choose one</u><input type="file" accept=".txt,text/plain" hidden data-testid="upload"
        @change=${(e: Event) => this.takeFile((e.target as HTMLInputElement).files?.[0])} /></label>
    </div>
    ${this.splitNote(v, sizes)}`);
  }

  private splitNote(v: string, uploadBytes: number | null): TemplateResult | typeof nothing {
    const known = isCorpusId(v) ? this.corpusSizes[v] : uploadBytes;
    if (!known) return nothing;
    const s = splitSizes(known, Number(this.values.val_split) || 0.1, (this.values.train_bytes as number | null) ?? null);
    return html`<div class="note" data-testid="data-size">${formatBytes(known)}: ${formatBytes(s.train)} to train on, ${formatBytes(s.val)} held out for validation</div>`;
  }

  private baseInput(disabled: boolean): TemplateResult {
    const v = this.values.base_model as string | null;
    const opts = this.baseOptions;
    const known = v === null || opts.some((o) => o.value === v);
    return this.field('base_model', html`<div>
      <select id="base_model" data-testid="input-base_model" ?disabled=${disabled} @change=${(e: Event) => {
        const s = (e.target as HTMLSelectElement).value;
        this.set('base_model', s === '' ? null : s);
      }}>
        <option value="" ?selected=${v === null}>none: train from scratch</option>
        ${opts.map((o) => html`<option value=${o.value} ?selected=${v === o.value}>${o.label}</option>`)}
        ${known ? nothing : html`<option value=${v!} selected>${v} (not available here)</option>`}
      </select>
      ${opts.length ? nothing : html`<div class="note">No base for this model yet. <button data-testid="pretrain" ?disabled=${this.busy}
        title="Train this model on Moby Dick from scratch and keep it in this browser for fine-tuning." @click=${() => emit(this, 'base-pretrain')}>Pretrain base</button></div>`}
    </div>
    ${this.gpt2Import(disabled)}`);
  }

  /** A GPT-2 checkpoint as the base: its three files dropped or chosen together, or fetched from an address. */
  private gpt2Import(disabled: boolean): TemplateResult {
    const take = (files: FileList | null | undefined) => {
      if (files?.length) emit(this, 'base-import', { files: [...files] });
    };
    const drop = (e: DragEvent) => {
      e.preventDefault();
      (e.currentTarget as HTMLElement).classList.remove('over');
      take(e.dataTransfer?.files);
    };
    const fetchIt = (e: Event) => {
      const input = (e.currentTarget as HTMLElement).parentElement!.querySelector('input') as HTMLInputElement;
      if (input.value.trim()) emit(this, 'base-fetch', { address: input.value });
    };
    return html`<div class="drop" data-testid="gpt2-drop" title="A GPT-2-family checkpoint in Hugging Face's layout. Its model's shape and BPE tokenizer come with it; it is kept in this browser."
      @dragover=${(e: DragEvent) => { e.preventDefault(); (e.currentTarget as HTMLElement).classList.add('over'); }}
      @dragleave=${(e: DragEvent) => (e.currentTarget as HTMLElement).classList.remove('over')} @drop=${disabled ? null : drop}>
      GPT-2: drop its config.json, model.safetensors and tokenizer.json here, or <label><u>choose them</u><input type="file" multiple hidden data-testid="gpt2-files"
        ?disabled=${disabled} accept=".json,.safetensors" @change=${(e: Event) => take((e.target as HTMLInputElement).files)} /></label>;
      or fetch them from <span><input data-testid="gpt2-address" size="34" placeholder="https://huggingface.co/openai-community/gpt2/resolve/main" ?disabled=${disabled} />
      <button data-testid="gpt2-fetch" ?disabled=${disabled} @click=${fetchIt}>Fetch</button></span>
    </div>`;
  }

  private effectiveBatch(): TemplateResult {
    const bs = Number(this.values.batch_size);
    const k = Number(this.values.grad_accum_steps);
    const cfg = this.config;
    const T = cfg ? seqLenOf(cfg, this.baseShape ?? shapeOf(cfg.model)) : null;
    if (!Number.isInteger(bs) || !Number.isInteger(k)) return html``;
    return html`<div class="note" data-testid="effective-batch">effective batch <span class="strong">${bs} × ${k} = ${bs * k}</span> sequences${T ? html` (${(bs * k * T).toLocaleString('en')} tokens per step)` : nothing}</div>`;
  }

  override render() {
    const c = this.config;
    // The text's size where it is known: a bundled corpus, else the dropped file.
    const textBytes = c ? (this.corpusSizes[c.train_data] ?? this.upload?.bytes.length ?? null) : null;
    return html`
      <div class="presets">
        ${CONFIG_PRESETS.map((p) => {
          // Greyed out ahead of the click when the class link locks a key the preset would change.
          const why = presetRefusal(this.lockedKeys, this.values, p);
          return html`<button title=${why ?? p.about} data-testid="preset-${p.id}" ?disabled=${this.busy || why !== null} @click=${() => emit(this, 'config-apply', { values: p.values })}>${p.title}</button>`;
        })}
      </div>
      ${GROUPS.filter((g) => !hidesGroup(this.hiddenKeys, g.id)).map((g) => html`
        <details ?open=${g.id !== 'run'} data-group=${g.id}>
          <summary>${g.title}</summary>
          ${CONFIG_KEYS.filter((k) => FIELDS[k].group === g.id && !BROWSER_HIDDEN.has(k) && !namesKey(this.hiddenKeys, k)).map((k) => this.input(k))}
          ${g.id === 'batching' ? html`${this.effectiveBatch()}<memory-estimate .config=${c} .baseShape=${this.baseShape} .limits=${this.limits} .textBytes=${textBytes}></memory-estimate>` : nothing}
          ${g.id === 'schedule' ? html`<schedule-preview .config=${c} .textBytes=${textBytes}></schedule-preview>` : nothing}
        </details>`)}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'config-panel': ConfigPanel;
  }
}
