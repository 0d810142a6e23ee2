// <stepsize-app>: finds the GPU and checks a kernel against the reference. Presents only; the work
// is done by src/gpu and src/kernels.
import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { openGpu, type AdapterSummary } from '../gpu/device';
import { GpuUnavailableError } from '../gpu/errors';
import { matmulSelfTest, type SelfTestResult } from '../kernels/selftest';

type Status =
  | { kind: 'checking' }
  | { kind: 'no-webgpu'; message: string }
  | { kind: 'ready'; adapter: AdapterSummary; check: SelfTestResult }
  | { kind: 'error'; message: string };

@customElement('stepsize-app')
export class StepsizeApp extends LitElement {
  static override styles = css`
    :host { display: block; max-width: 760px; margin: 2rem auto; padding: 0 1rem; }
    h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
    .sub { color: #555; margin-top: 0; }
    .card { background: white; border: 1px solid #ddd; border-radius: 8px; padding: 1rem 1.2rem; }
    .ok { color: #11772d; font-weight: 600; }
    .bad { color: #b00020; font-weight: 600; }
    code { background: #f0f0ee; padding: 0 0.25rem; border-radius: 3px; }
  `;

  @state() private status: Status = { kind: 'checking' };

  override connectedCallback(): void {
    super.connectedCallback();
    void this.check();
  }

  private async check(): Promise<void> {
    try {
      const ctx = await openGpu(navigator.gpu);
      const check = await matmulSelfTest(ctx);
      this.status = { kind: 'ready', adapter: ctx.adapter, check };
    } catch (e) {
      this.status = e instanceof GpuUnavailableError ? { kind: 'no-webgpu', message: e.message } : { kind: 'error', message: (e as Error).message };
    }
  }

  override render() {
    return html`
      <h1>Stepsize</h1>
      <p class="sub">A WebGPU fine-tuning playground: hand-written WGSL kernels train a small GPT on your GPU.</p>
      <div class="card" data-testid="gpu-status">${this.renderStatus()}</div>
    `;
  }

  private renderStatus() {
    const s = this.status;
    switch (s.kind) {
      case 'checking':
        return html`<p>Looking for a WebGPU adapter…</p>`;
      case 'no-webgpu':
        return html`<p class="bad" data-testid="no-webgpu">WebGPU is not available.</p><p>${s.message}</p>`;
      case 'error':
        return html`<p class="bad">The GPU check failed.</p><p>${s.message}</p>`;
      case 'ready':
        return html`
          <p>Adapter: <strong data-testid="adapter">${s.adapter.name}</strong>${s.adapter.isSoftware ? ' (software)' : ''}</p>
          <p data-testid="selftest" class=${s.check.ok ? 'ok' : 'bad'}>
            ${s.check.kernel} ${s.check.shape}: ${s.check.ok ? 'matches' : 'DOES NOT match'} the float64 reference
            (max |error| ${s.check.maxAbsError.toExponential(2)}, ${s.check.ms.toFixed(0)} ms)
          </p>
        `;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'stepsize-app': StepsizeApp;
  }
}
