// `stepsize bench`: one JSON line per workload, mode and number of packed runs (step time, tokens/s
// of all runs together, dispatches and submits per step, GPU memory, adapter), on whatever GPU answers.

import { benchTraining, matmulRatio, WORKLOADS, type BenchMode, type Workload } from '../bench/bench';
import type { NodeBackend } from '../node/gpu';
import { positiveInt, withGpu } from './common';

/** Rounds of the LoRA / full matmul comparison (bench --profile with both modes). */
const RATIO_ROUNDS = 7;

function list<T extends string>(flag: string, raw: string, allowed: readonly T[]): T[] {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const i of items) if (!(allowed as readonly string[]).includes(i)) throw new Error(`${flag}: ${JSON.stringify(i)} is not allowed; one of ${allowed.join(', ')}`);
  return items as T[];
}

export async function benchCommand(o: { workload: string; mode: string; steps: number; warmup: number; batch?: number; runs?: string; gpu: NodeBackend; profile?: boolean }): Promise<void> {
  const workloads = list('--workload', o.workload, Object.keys(WORKLOADS) as Workload[]);
  const modes = list<BenchMode>('--mode', o.mode, ['full', 'lora']);
  const runCounts = (o.runs ?? '1').split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    if (!/^[1-9]\d*$/.test(s)) throw new Error(`--runs: ${JSON.stringify(s)} is not allowed; positive integers, comma-separated (e.g. 1,2,4,8)`);
    return Number(s);
  });
  const steps = positiveInt('--steps', o.steps);
  if (!Number.isInteger(o.warmup) || o.warmup < 0) throw new Error(`--warmup: ${o.warmup} is not allowed; an integer ≥ 0`);
  const batch = o.batch === undefined ? undefined : positiveInt('--batch', o.batch);
  await withGpu(o.gpu, async (ctx) => {
    for (const w of workloads) {
      for (const m of modes) for (const runs of runCounts) {
        const r = await benchTraining(ctx, w, m, steps, o.warmup, o.profile === true, batch, runs);
        const { kernels, slowest, ...line } = r;
        const ms = kernels?.filter((k) => k.kernel.startsWith('matmul')).reduce((a, k) => a + k.ms, 0);
        process.stdout.write(JSON.stringify(ms !== undefined ? { ...line, matmul_ms: Number(ms.toFixed(3)) } : line) + '\n');
        if (kernels) {
          process.stderr.write(`per-kernel GPU time, one ${w} ${m} step of ${runs} run(s) (${r.profile_method}, median of 3 rounds):\n`);
          for (const k of kernels) process.stderr.write(`  ${k.kernel.padEnd(20)} ${k.ms.toFixed(3).padStart(10)} ms  ${String(k.count).padStart(4)} dispatches  ${(k.share * 100).toFixed(1).padStart(5)}%\n`);
          process.stderr.write('slowest dispatches:\n');
          for (const d of slowest ?? []) process.stderr.write(`  ${d.ms.toFixed(3).padStart(10)} ms  ${d.label}\n`);
        }
      }
      // A LoRA step should cost about two thirds of a full one: frozen weights get no gradient.
      // Measured apart from the lines above: both models, profiled in alternating order.
      if (o.profile && modes.includes('full') && modes.includes('lora')) {
        const q = await matmulRatio(ctx, w, RATIO_ROUNDS, batch);
        process.stderr.write(`matmul GPU time, ${w} lora / full: ${q.ratio.toFixed(3)} (${q.loraMs.toFixed(0)} ms / ${q.fullMs.toFixed(0)} ms; the two profiled in turn, each dispatch's median of ${q.rounds} rounds)\n`);
      }
    }
  });
}
