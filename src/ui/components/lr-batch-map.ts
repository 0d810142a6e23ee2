// <lr-batch-map>: a sweep over learning rate and batch size as a heatmap (src/experiments/lr-batch-map.ts):
// rows batch sizes, columns learning rates (log spaced), each cell's mean best validation loss (darker
// is lower), diverged cells crossed out, each batch's best rate outlined and the rates within seed
// noise of it dotted; the linear and square-root rules' rates from the smallest batch drawn across
// the rows; and the verdict on which rule the best rates follow.
import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { LrBatchMap } from '../../experiments/lr-batch-map';
import { fmt } from '../charts/metric-chart';

const CELL_W = 64;
const CELL_H = 30;
const LEFT = 56;
const TOP = 8;

/** Light (high loss) to dark blue (low loss). */
function shade(t: number): string {
  const a = [239, 243, 255];
  const b = [8, 48, 107];
  return `rgb(${a.map((c, i) => Math.round(c + (b[i] - c) * t)).join(',')})`;
}

@customElement('lr-batch-map')
export class LrBatchMapView extends LitElement {
  static override styles = css`
    :host { display: block; font-size: 0.8rem; }
    svg { max-width: 100%; height: auto; }
    .verdict { margin: 0.3rem 0 0; }
    .key { color: #555; font-size: 0.75rem; }
  `;

  /** The map of the sweep shown (nothing is drawn while null). */
  @property({ attribute: false }) map: LrBatchMap | null = null;

  override render() {
    const m = this.map;
    if (!m) return html``;
    const losses = m.cells.flat().map((c) => c?.best).filter((v): v is number => v !== null && v !== undefined);
    const [lo, hi] = losses.length ? [Math.min(...losses), Math.max(...losses)] : [0, 1];
    const W = LEFT + CELL_W * m.rates.length + 64;
    const H = TOP + CELL_H * m.batches.length + 40;
    // x of a rate on the columns' log axis (column centres at the swept rates).
    const lx = (lr: number) => {
      const logs = m.rates.map(Math.log);
      const l = Math.log(lr);
      const k = logs.length - 1;
      const pos = k === 0 ? 0 : (l - logs[0]) / ((logs[k] - logs[0]) / k);
      return LEFT + CELL_W * (pos + 0.5);
    };
    // A rule's rates, one point per batch row; past the swept rates the line stops at the edge, marked with the rate.
    const [xMin, xMax] = [LEFT, LEFT + CELL_W * m.rates.length];
    const rule = (name: 'linear' | 'sqrt', color: string, dash: string) => {
      const pts = m.batches.map((_, b) => ({ lr: m.predicted[name][b], x: lx(m.predicted[name][b]), y: TOP + CELL_H * (b + 0.5) }));
      const clip = (x: number) => Math.min(xMax - 2, Math.max(xMin + 2, x));
      return svg`<polyline data-testid="rule-${name}" fill="none" stroke=${color} stroke-width="2" stroke-dasharray=${dash}
          points=${pts.map((p) => `${clip(p.x).toFixed(1)},${p.y.toFixed(1)}`).join(' ')}></polyline>
        ${pts.filter((p) => p.x < xMin || p.x > xMax).map((p) => svg`<text x=${p.x > xMax ? xMax + 3 : xMin - 3} y=${p.y + (name === 'sqrt' ? 10 : -4)} text-anchor=${p.x > xMax ? 'start' : 'end'} fill=${color}>${p.x > xMax ? '→' : '←'} ${fmt(p.lr, 2)}</text>`)}`;
    };
    return html`
      <svg data-testid="lr-batch-map" width=${W} height=${H} viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">
        ${m.batches.map((b, bi) => svg`<text x=${LEFT - 6} y=${TOP + CELL_H * (bi + 0.5)} text-anchor="end" dominant-baseline="middle">bs ${b}</text>
          ${m.rates.map((lr, ri) => {
            const c = m.cells[bi][ri];
            const x = LEFT + CELL_W * ri;
            const y = TOP + CELL_H * bi;
            const best = m.best[bi];
            const isBest = best.lr === lr;
            const near = !isBest && best.within.includes(lr);
            if (!c) return svg`<rect x=${x} y=${y} width=${CELL_W} height=${CELL_H} fill="#fafafa" stroke="#ddd"></rect>`;
            if (c.best === null) return svg`<g data-testid="cell-diverged"><rect x=${x} y=${y} width=${CELL_W} height=${CELL_H} fill="#fde8e8" stroke="#ddd"></rect>
              <text x=${x + CELL_W / 2} y=${y + CELL_H / 2} text-anchor="middle" dominant-baseline="middle" fill="#b00020">diverged</text></g>`;
            const t = hi === lo ? 0.5 : 1 - (c.best - lo) / (hi - lo);
            return svg`<g data-testid=${isBest ? 'cell-best' : 'cell'}><rect x=${x} y=${y} width=${CELL_W} height=${CELL_H} fill=${shade(t)} stroke=${isBest ? '#e15759' : near ? '#e15759' : '#ddd'} stroke-width=${isBest ? 3 : near ? 1.5 : 1} stroke-dasharray=${near ? '3 2' : ''}></rect>
              <text x=${x + CELL_W / 2} y=${y + CELL_H / 2} text-anchor="middle" dominant-baseline="middle" fill=${t > 0.55 ? '#fff' : '#111'}>${c.best.toFixed(3)}${c.diverged ? '*' : ''}</text></g>`;
          })}`)}
        ${m.rates.map((lr, ri) => svg`<text x=${LEFT + CELL_W * (ri + 0.5)} y=${TOP + CELL_H * m.batches.length + 14} text-anchor="middle">${fmt(lr, 2)}</text>`)}
        <text x=${LEFT + (CELL_W * m.rates.length) / 2} y=${TOP + CELL_H * m.batches.length + 32} text-anchor="middle">learning rate</text>
        ${m.reference ? [rule('linear', '#f28e2b', ''), rule('sqrt', '#59a14f', '6 3')] : ''}
      </svg>
      <div class="key">Best validation loss per cell (mean over seeds; * some seeds diverged). Red outline: each batch's best rate; dashed: within seed noise of it.
        <span style="color:#f28e2b">━ linear rule</span> and <span style="color:#59a14f">╌ square-root rule</span>, scaled from bs ${m.reference?.batch ?? '–'}.</div>
      <p class="verdict" data-testid="lr-batch-verdict">${m.verdict}</p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lr-batch-map': LrBatchMapView;
  }
}
