// Prints "N passed, N failed" from Vitest's JSON report (the runner's own counts) and exits non-zero
// when anything failed or the report is missing (the runner crashed before writing it). An optional
// second argument counts checks that ran outside Vitest and failed (scripts/test.sh: the typecheck).
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/vitest.json';
const otherFailed = Number(process.argv[3] ?? 0);
if (!existsSync(file)) {
  console.log(`0 passed, ${1 + otherFailed} failed`);
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
// Files that failed to load count as failures too (their tests never ran).
const brokenFiles = (r.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
const failed = r.numFailedTests + brokenFiles + otherFailed;
console.log(`${r.numPassedTests} passed, ${failed} failed`);
process.exit(failed > 0 || !r.success ? 1 : 0);
