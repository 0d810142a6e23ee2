// A reference backward against finite differences (src/ref/gradcheck.ts), as an assertion.
import { expect } from 'vitest';

const TOL = { abs: 1e-6, rel: 1e-6 };

export function expectGradOk(name: string, r: { maxAbs: number; maxRel: number; checked: number }): void {
  expect(r.checked, `${name}: elements checked`).toBeGreaterThan(0);
  expect(r.maxAbs <= TOL.abs || r.maxRel <= TOL.rel, `${name}: maxAbs ${r.maxAbs}, maxRel ${r.maxRel}`).toBe(true);
}
