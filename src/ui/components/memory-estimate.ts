// <memory-estimate>: the GPU memory a config needs against the adapter's limits, before training;
// where one micro-batch's activations exceed what a buffer may hold, a split with the same
// effective batch that fits.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { seqLenOf, shapeOf, type TrainConfig } from '../../config/config';
import type { ModelShape } from '../../config/architecture';
import { estimateMemory, largestMicroBatch, suggestSplit, type FitLimits } from '../../train/fit';
import { resolveScope } from '../../train/resolve';
import { emit } from '../events';
import { formatBytes } from '../format';

/**
 * @fires config-apply - "use it": the suggested batch_size × grad_accum_steps split
 */
@customElement('memory-estimate')
export class MemoryEstimate extends LitElement {
  static override styles = css`
    :host { display: block; font-size: 0.78rem; color: #444; margin: 0.2rem 0; }
    .bad { color: #b00020; }
    button { font-size: 0.75rem; }
  `;

  /** The validated config (nothing is shown while it is invalid). */
  @property({ attribute: false }) config: TrainConfig | null = null;
  /** The base's shape where the model value cannot say it (an imported GPT-2), else null. */
  @property({ attribute: false }) baseShape: ModelShape | null = null;
  /** The adapter's buffer limits (nothing is shown until the GPU answered). */
  @property({ attribute: false }) limits: FitLimits | null = null;
  /** Bytes of the training text, or null when not known (counted as none). */
  @property({ attribute: false }) textBytes: number | null = null;

  override render() {
    const c = this.config;
    const gpu = this.limits;
    if (!c || !gpu) return nothing;
    const shape = this.baseShape ?? shapeOf(c.model);
    const scope = resolveScope({ ...c, lora_rank: c.base_model ? c.lora_rank : 0 }, true, shape.family);
    const T = seqLenOf(c, shape);
    const m = estimateMemory(shape, scope, c.batch_size, T, c.grad_accum_steps, c.eval_batches, this.textBytes ?? 0);
    const cap = Math.min(gpu.maxStorageBufferBindingSize, gpu.maxBufferSize);
    const fits = m.activations <= cap;
    const split = fits ? null : suggestSplit(c.batch_size * c.grad_accum_steps, largestMicroBatch(shape, scope, T, c.grad_accum_steps, c.eval_batches, gpu));
    return html`<div data-testid="memory">
      GPU memory ≈ <b>${formatBytes(m.total)}</b> (activations ${formatBytes(m.activations)}, weights ${formatBytes(m.params)}, AdamW ${formatBytes(m.optimizer)});
      this adapter allows ${formatBytes(cap)} per buffer.
      ${fits ? nothing : html`<div class="bad" data-testid="memory-too-big">One micro-batch does not fit.
        ${split ? html`Try batch_size ${split.batch} × grad_accum_steps ${split.accum} (same effective batch).
          <button @click=${() => emit(this, 'config-apply', { values: { batch_size: split.batch, grad_accum_steps: split.accum } })}>use it</button>` : nothing}</div>`}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'memory-estimate': MemoryEstimate;
  }
}
