// <diagnoses-panel> rendered in Node (Lit's server build, no DOM): its template, flattened to text,
// shows each diagnosis of the shown runs with its step, evidence and rule, under the data-testids the
// browser tests find, and says so when nothing has the evidence for a diagnosis.
import { describe, expect, it } from 'vitest';
import { DiagnosesPanel } from '../../../src/ui/components/diagnoses-panel';
import type { RunRecord } from '../../../src/runs/schema';
import { curve, makeRecord } from '../helpers/records';

/** A TemplateResult as text: its strings with its values (templates, arrays, text) in between. */
function text(v: unknown): string {
  if (Array.isArray(v)) return v.map(text).join('');
  if (v && typeof v === 'object' && 'strings' in v && 'values' in v) {
    const t = v as { strings: readonly string[]; values: readonly unknown[] };
    return t.strings.map((s, i) => s + (i < t.values.length ? text(t.values[i]) : '')).join('');
  }
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

function rendered(runs: RunRecord[]): string {
  const el = new DiagnosesPanel();
  el.runs = runs;
  return text(el.render()).replace(/\s+/g, ' ');
}

describe('<diagnoses-panel>', () => {
  it('shows each diagnosis with its step, evidence and rule', () => {
    const diverged = makeRecord({ name: 'too hot', losses: curve(1, 37, (s) => 3 + s / 10), status: 'diverged', reason: 'diverged at step 37: loss 6.7' });
    const healthy = makeRecord({ name: 'fine', losses: curve(1, 100, (s) => 3 - s / 100) });
    const out = rendered([diverged, healthy]);
    expect(out).toContain('data-testid="diagnoses"');
    expect(out).toContain('data-testid="diagnosis-rate-too-high"');
    expect(out).toMatch(/data-testid="diagnosis-step">step 37</);
    expect(out).toContain('The run halted: diverged at step 37: loss 6.7.');
    expect(out).toMatch(/data-testid="diagnosis-rule">Rules 14 and 5/);
    expect(out).toContain('too hot');
    expect(out).not.toContain('diagnoses-none');
  });

  it('says nothing is flagged for a healthy run, and shows no diagnosis', () => {
    const out = rendered([makeRecord({ losses: curve(1, 100, (s) => 3 - s / 100) })]);
    expect(out).toContain('data-testid="diagnoses-none"');
    expect(out).not.toMatch(/data-testid="diagnosis-/);
  });
});
