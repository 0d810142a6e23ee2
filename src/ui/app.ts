// <stepsize-app>: the playground's page. Finds WebGPU (through the training worker, which also checks
// a kernel against its reference), restores the setup from the URL and the runs from IndexedDB, and
// lays out the config, the controls, the live charts, the samples and the run list. State lives in
// Workbench: this element alone holds it, hands each component the values it shows, and answers the
// events the components dispatch for what the person does (event-handlers.ts).
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { TrainConfig } from '../config/config';
import { answerEvents } from './event-handlers';
import { Watch } from './state/controller';
import { RunStore } from './state/store';
import { Workbench } from './state/workbench';
import { firstRunNote, firstRunValues } from './state/first-run';
import './charts/charts-panel';
import './components/config-panel';
import './components/experiments-panel';
import './components/presenter-view';
import './components/run-table';
import './components/run-list';
import './components/samples-panel';
import './components/train-controls';
import './components/live-runs';

type Boot = { kind: 'loading' } | { kind: 'no-webgpu'; message: string } | { kind: 'error'; message: string } | { kind: 'ready' };

const NO_WEBGPU_HELP = html`
  <ul>
    <li>Chrome or Edge 113 or newer on Windows, macOS or ChromeOS have WebGPU on by default; on Linux start Chrome with
      <code>--enable-unsafe-webgpu --enable-features=Vulkan</code>.</li>
    <li>Firefox: set <code>dom.webgpu.enabled</code> to true in <code>about:config</code> (Nightly), or use Firefox 141+ on Windows.</li>
    <li>Safari: Safari 26, or Technology Preview with the WebGPU feature flag.</li>
    <li>No browser at hand? The same engine runs headless: <code>npm run cli -- train --config configs/pretrain-tiny.yaml</code>.</li>
  </ul>`;

@customElement('stepsize-app')
export class StepsizeApp extends LitElement {
  static override styles = css`
    :host { display: block; max-width: 1500px; margin: 0 auto; padding: 0.8rem 1rem 2rem; }
    header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.3rem 1rem; margin-bottom: 0.6rem; }
    h1 { font-size: 1.45rem; margin: 0; }
    .sub { color: #555; margin: 0; font-size: 0.9rem; flex: 1; }
    .gpu { font-size: 0.8rem; color: #333; }
    .ok { color: #11772d; }
    .bad { color: #b00020; }
    .layout { display: grid; grid-template-columns: minmax(300px, 380px) 1fr; gap: 1rem; align-items: start; }
    @media (max-width: 900px) { .layout { grid-template-columns: 1fr; } }
    .card { background: white; border: 1px solid #ddd; border-radius: 8px; padding: 0.7rem 0.9rem; min-width: 0; }
    .card + .card { margin-top: 1rem; }
    h2 { font-size: 0.95rem; margin: 0 0 0.5rem; }
    .message { border-radius: 6px; padding: 0.4rem 0.7rem; margin-bottom: 0.7rem; font-size: 0.85rem; display: flex; gap: 0.8rem; align-items: center; }
    .message.info { background: #eef5ff; border: 1px solid #c6dcff; }
    .message.error { background: #fff1f1; border: 1px solid #f0b8b8; color: #8a0016; }
    .runs { margin-top: 1rem; }
    code { background: #f0f0ee; padding: 0 0.25rem; border-radius: 3px; }
  `;

  @state() private boot: Boot = { kind: 'loading' };
  private bench: Workbench | null = null;

  constructor() {
    super();
    new Watch(this, () => [this.bench, this.bench?.job, this.bench?.config, this.bench?.experiments]);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.start();
  }

  private async start(): Promise<void> {
    if (!navigator.gpu) {
      this.boot = { kind: 'no-webgpu', message: 'WebGPU is not available in this browser (navigator.gpu is undefined).' };
      return;
    }
    try {
      const store = await RunStore.open();
      const bench = new Workbench(store);
      // present=N opens scenario N in the presenter view; scenario_scale=F scales its steps.
      const params = new URLSearchParams(location.search);
      const present = Number(params.get('present'));
      const scale = Number(params.get('scenario_scale'));
      if (scale > 0 && scale <= 1) bench.experiments.scaleScenarios(scale);
      params.delete('present');
      params.delete('scenario_scale');
      const fromUrl = params.size > 0;
      if (fromUrl) bench.config.fromQuery(`?${params}`);
      const writeUrl = () => {
        const q = new URLSearchParams(bench.config.toQuery());
        if (bench.experiments.presenting !== null) q.set('present', String(bench.experiments.presenting));
        if (bench.experiments.scenarioScale !== null) q.set('scenario_scale', String(bench.experiments.scenarioScale));
        history.replaceState(null, '', `${location.pathname}?${q}`);
      };
      bench.config.addEventListener('change', writeUrl);
      bench.experiments.addEventListener('change', writeUrl);
      answerEvents(this, bench);
      this.bench = bench;
      // For the console (and the browser tests): the page's state, its fault injection included.
      (globalThis as { stepsize?: Workbench }).stepsize = bench;
      const gpu = await bench.job.init();
      await bench.init();
      if (!fromUrl) {
        bench.config.apply(firstRunValues(gpu.adapter.isSoftware));
        bench.say({ kind: 'info', text: firstRunNote(gpu.adapter.isSoftware, gpu.adapter.name) });
      }
      bench.chooseBase();
      if (Number.isInteger(present) && present >= 1 && present <= 10) bench.experiments.present(present);
      this.boot = { kind: 'ready' };
    } catch (e) {
      const err = e as Error;
      this.boot = err.name === 'GpuUnavailableError' || /WebGPU|adapter/i.test(err.message) ? { kind: 'no-webgpu', message: err.message } : { kind: 'error', message: err.message };
    }
  }

  private header() {
    const job = this.bench?.job;
    const check = job?.check;
    return html`<header>
      <h1>Stepsize</h1>
      <p class="sub">Train a small GPT on your own GPU and see what learning rate, batch size and LoRA rank really do.</p>
      ${job?.gpu ? html`<span class="gpu" data-testid="gpu-status">GPU <b data-testid="adapter">${job.gpu.adapter.name}</b>${job.gpu.adapter.isSoftware ? ' (software)' : ''}
        ${check ? html`· <span data-testid="selftest" class=${check.ok ? 'ok' : 'bad'} title="max |error| ${check.maxAbsError.toExponential(2)}">${check.kernel} ${check.shape}: ${check.ok ? 'matches' : 'DOES NOT match'} the float64 reference</span>` : nothing}</span>` : nothing}
    </header>`;
  }

  override render() {
    const b = this.bench;
    if (this.boot.kind === 'no-webgpu') {
      return html`${this.header()}<div class="card" data-testid="gpu-status"><p class="bad" data-testid="no-webgpu">WebGPU is not available, so Stepsize cannot train here.</p><p>${this.boot.message}</p>${NO_WEBGPU_HELP}</div>`;
    }
    if (this.boot.kind === 'error') return html`${this.header()}<div class="card"><p class="bad">Stepsize could not start: ${this.boot.message}</p></div>`;
    if (this.boot.kind === 'loading' || !b) return html`${this.header()}<div class="card">Looking for a WebGPU adapter…</div>`;
    const m = b.message;
    const { config: c, job, experiments: x } = b;
    const runs = b.listedRuns();
    const planBusy = x.busy || job.busy;
    return html`
      ${this.header()}
      ${m ? html`<div class="message ${m.kind}" data-testid="message"><span>${m.text}</span>
        ${m.undo ? html`<button data-testid="undo" @click=${() => void m.undo!()}>Undo</button>` : nothing}
        <button @click=${() => b.say(null)}>✕</button></div>` : nothing}
      <div class="layout">
        <div class="card"><h2>Setup</h2><config-panel .values=${c.values} .errors=${c.errors} .config=${c.config} .lockedKeys=${c.locked} .hiddenKeys=${c.hidden}
          .busy=${job.busy} .baseOptions=${b.baseOptions(c.values.model as TrainConfig['model'])} .baseShape=${b.baseShape(c.values.base_model as string | null)} .upload=${b.upload} .corpusSizes=${b.corpusSizes} .limits=${job.gpu}></config-panel></div>
        <div>
          <div class="card"><train-controls .jobState=${job.state} .status=${job.status} .run=${job.run} .error=${job.error}
            .adapter=${job.gpu?.adapter.name ?? ''} .invalid=${c.config ? null : ([...c.errors.values()][0] ?? '')}></train-controls>
            ${job.runs.length > 1 ? html`<live-runs .runs=${job.runs} .statuses=${job.statuses}></live-runs>` : nothing}</div>
          <div class="card"><charts-panel .runs=${b.shownRuns()} .view=${b.view}></charts-panel>
            <h3 class="compare">Compare the shown runs</h3><run-table .runs=${b.shownRuns()} .view=${b.view}></run-table></div>
          <div class="card"><h2>Samples</h2><samples-panel .run=${job.run}></samples-panel></div>
          <div class="card"><h2>Experiments</h2><experiments-panel .plan=${x.plan} .planIndex=${x.index} .planTraining=${x.training} .runs=${runs} .config=${c.config}
            .sweepForm=${x.sweepForm} .rangeSteps=${x.rangeSteps} .busy=${planBusy} .scenarioNote=${x.scenarioNote()} .scenarioSeeds=${x.scenarioSeeds}></experiments-panel></div>
        </div>
      </div>
      <div class="card runs"><h2>Runs</h2><run-list .runs=${runs} .selected=${b.selected} .shown=${b.shownRuns()} .checkpoints=${b.checkpoints}
        .weightIds=${b.weightIds} .storage=${b.storage} .busy=${job.busy} .liveId=${job.run?.id ?? null}></run-list></div>
      ${x.presenting !== null ? html`<presenter-view .scenario=${x.presenting} .runs=${runs} .planTag=${x.plan?.tag ?? null} .planIndex=${x.index}
        .busy=${planBusy} .status=${job.status} .size=${x.scenarioOptions().size} .seeds=${x.scenarioSeeds} .note=${x.scenarioNote()} .refusal=${x.scenarioRefusal(x.presenting)}></presenter-view>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'stepsize-app': StepsizeApp;
  }
}
