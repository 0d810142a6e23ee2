// Element-wise comparison of a GPU result with its float64 reference:
//   |gpu - ref| <= atol + rtol·|ref|
// On failure the message names the worst element. Every comparison appends its largest errors to
// test-results/kernel-errors.jsonl, which scripts/report.mjs (run by scripts/test.sh) prints as the
// table of largest errors per kernel.
import { appendFileSync, mkdirSync } from 'node:fs';
import { expect } from 'vitest';

export interface Tolerance {
  atol: number;
  rtol: number;
}

export interface CloseReport {
  maxAbs: number;
  maxRel: number;
  worst: number;
}

export function compareArrays(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance): CloseReport & { ok: boolean; bad: number } {
  let maxAbs = 0;
  let maxRel = 0;
  let worst = -1;
  let worstExcess = -Infinity;
  let bad = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    const abs = Math.abs(g - w);
    const allowed = tol.atol + tol.rtol * Math.abs(w);
    const excess = Number.isNaN(abs) ? Infinity : abs - allowed;
    if (Number.isNaN(abs) || abs > allowed) bad++;
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
    if (!(abs <= maxAbs)) maxAbs = Number.isNaN(abs) ? Infinity : abs;
    const rel = abs / Math.max(Math.abs(w), 1e-30);
    if (Math.abs(w) > 1e-6 && rel > maxRel) maxRel = rel;
  }
  return { ok: bad === 0 && got.length === want.length, bad, maxAbs, maxRel, worst };
}

export function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance): CloseReport {
  expect(got.length, `${label}: length`).toBe(want.length);
  const r = compareArrays(got, want, tol);
  record(label, r);
  if (!r.ok) {
    const i = r.worst;
    throw new Error(
      `${label}: ${r.bad} of ${want.length} elements outside atol ${tol.atol} + rtol ${tol.rtol}; ` +
        `worst [${i}]: got ${got[i]}, want ${want[i]} (|diff| ${Math.abs(got[i] - want[i]).toExponential(3)})`,
    );
  }
  return r;
}

function record(label: string, r: CloseReport): void {
  try {
    mkdirSync('test-results', { recursive: true });
    appendFileSync('test-results/kernel-errors.jsonl', JSON.stringify({ label, maxAbs: r.maxAbs, maxRel: r.maxRel }) + '\n');
  } catch {
    /* reporting only */
  }
}
