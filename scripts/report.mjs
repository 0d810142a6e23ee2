// Test-run report printed before the summary line: the largest errors seen against the float64
// reference per kernel output (from test-results/kernel-errors.jsonl), and the largest source files
// (a file far over ~400 lines, or a shader over ~200, is a sign two things share a room).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const errFile = 'test-results/kernel-errors.jsonl';
if (existsSync(errFile)) {
  const worst = new Map();
  for (const line of readFileSync(errFile, 'utf8').split('\n').filter(Boolean)) {
    const { label, maxAbs } = JSON.parse(line);
    // "matmul dW 65x17x70" → group "matmul dW" (trailing tokens with digits are the shape).
    const words = label.split(' ');
    let cut = words.length;
    while (cut > 1 && /\d/.test(words[cut - 1])) cut--;
    const key = words.slice(0, cut).join(' ');
    const shape = words.slice(cut).join(' ');
    const prev = worst.get(key);
    if (!prev || maxAbs > prev.maxAbs) worst.set(key, { maxAbs, shape, count: (prev?.count ?? 0) + 1 });
    else prev.count++;
  }
  console.log('\nLargest |GPU - float64 reference| per kernel output (all shapes tested):');
  for (const [k, v] of [...worst].sort()) console.log(`  ${k.padEnd(36)} ${v.maxAbs.toExponential(2)}  (${v.count} checks${v.shape ? `; worst at ${v.shape}` : ''})`);
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|wgsl)$/.test(name)) out.push(p);
  }
  return out;
}
const files = ['src', 'shaders', 'workers', 'bench'].filter(existsSync).flatMap((d) => walk(d));
const sized = files.map((f) => [f, readFileSync(f, 'utf8').split('\n').length]).sort((a, b) => b[1] - a[1]);
console.log('\nLargest source files (lines):');
for (const [f, n] of sized.slice(0, 8)) console.log(`  ${String(n).padStart(5)}  ${f}`);
console.log('');
