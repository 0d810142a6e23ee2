// <memory-estimate>: the GPU memory a config needs against the adapter's limits, before training;
// where one micro-batch's activations exceed what a buffer may hold, a split with the same
// effective batch that fits.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { estimateMemory, largestMicroBatch, suggestSplit } from '../../train/fit';
import { resolveScope } from '../../train/resolve';
import { Watch } from '../state/controller';
import type { Workbench } from '../state/workbench';
import { formatBytes } from '../format';

@customElement('memory-estimate')
export class MemoryEstimate extends LitElement {
  static override styles = css`
    :host { display: block; font-size: 0.78rem; color: #444; margin: 0.2rem 0; }
    .bad { color: #b00020; }
    button { font-size: 0.75rem; }
  `;

  @property({ attribute: false }) bench!: Workbench;

  constructor() {
    super();
    new Watch(this, () => [this.bench, this.bench?.config, this.bench?.job]);
  }

  override render() {
    const c = this.bench.config.config;
    const gpu = this.bench.job.gpu;
    if (!c || !gpu) return nothing;
    const shape = this.bench.shapeOf(c);
    const scope = resolveScope({ ...c, lora_rank: c.base_model ? c.lora_rank : 0 }, true);
    const m = estimateMemory(shape, scope, c.batch_size, c.grad_accum_steps, c.eval_batches, this.bench.corpusSizes[c.train_data] ?? this.bench.upload?.bytes.length ?? 0);
    const cap = Math.min(gpu.maxStorageBufferBindingSize, gpu.maxBufferSize);
    const fits = m.activations <= cap;
    const split = fits ? null : suggestSplit(c.batch_size * c.grad_accum_steps, largestMicroBatch(shape, scope, c.grad_accum_steps, c.eval_batches, gpu));
    return html`<div data-testid="memory">
      GPU memory ≈ <b>${formatBytes(m.total)}</b> (activations ${formatBytes(m.activations)}, weights ${formatBytes(m.params)}, AdamW ${formatBytes(m.optimizer)});
      this adapter allows ${formatBytes(cap)} per buffer.
      ${fits ? nothing : html`<div class="bad" data-testid="memory-too-big">One micro-batch does not fit.
        ${split ? html`Try batch_size ${split.batch} × grad_accum_steps ${split.accum} (same effective batch).
          <button @click=${() => this.bench.config.apply({ batch_size: split.batch, grad_accum_steps: split.accum })}>use it</button>` : nothing}</div>`}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'memory-estimate': MemoryEstimate;
  }
}
