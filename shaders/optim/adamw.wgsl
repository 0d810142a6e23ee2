// AdamW over the flat trainable arena, one workgroup per chunk (PyTorch torch.optim.AdamW):
//   g = grad · clip;  lr_t = lr · lr_mult[tensor];  wd_t = weight_decay · decay[tensor]
//   p ← p·(1 - lr_t·wd_t);  m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g²
//   p ← p - (lr_t / bc1) · m / (√v / √bc2 + eps)           bc1 = 1-β1^t, √bc2 = √(1-β2^t) from Step
// Then zeroes the gradient (the next step accumulates from zero) and writes Σ Δp², Σ p² per chunk.
// Does nothing once State.halt is set, so parameters keep their last finite values; while the run
// holds (Step.hold) only zeroes the gradient, so the run goes on later from the same P, M and V.
// Limits: WG = 256 invocations and 2·WG·4 = 2 KiB of workgroup storage (wg_sum2); THREAD_WG = 64, none.

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> steps: array<Step>;
@group(0) @binding(2) var<storage, read_write> P: array<f32>;
@group(0) @binding(3) var<storage, read_write> G: array<f32>;
@group(0) @binding(4) var<storage, read_write> M: array<f32>;
@group(0) @binding(5) var<storage, read_write> V: array<f32>;
@group(0) @binding(6) var<storage, read> table: array<vec4<u32>>;
@group(0) @binding(7) var<storage, read> states: array<State>;
@group(0) @binding(8) var<storage, read_write> work: array<f32>;

// The run's Step (set at entry; used in arithmetic only, never in control flow).
var<private> stp: Step;

// One element's update (i in the run's arenas: P at rp, G, M, V at rg); returns (Δp², p²) for the update statistics.
fn update(i: u32, lr: f32, decay: f32, step_size: f32, clip: f32) -> vec2f {
  let g = G[rg + i] * clip;
  let p0 = P[rp + i];
  let m = stp.beta1 * M[rg + i] + (1.0 - stp.beta1) * g;
  let v = stp.beta2 * V[rg + i] + (1.0 - stp.beta2) * g * g;
  let p = p0 * decay - step_size * m / (sqrt(v) / stp.bc2_sqrt + stp.eps);
  P[rp + i] = p;
  M[rg + i] = m;
  V[rg + i] = v;
  if (prm.zero_grads != 0u) { G[rg + i] = 0.0; }
  return vec2f((p - p0) * (p - p0), p0 * p0);
}

// A held run's chunk: the gradient the step accumulated is dropped, nothing else is touched.
fn drop_grads(start: u32, count: u32, first: u32, stride: u32) {
  if (prm.zero_grads == 0u) { return; }
  for (var k = first; k < count; k += stride) { G[rg + start + k] = 0.0; }
}

struct ChunkRates { lr: f32, decay: f32, step_size: f32 }

fn rates(ch: vec4<u32>) -> ChunkRates {
  let info = table[prm.n_chunks + ch.z];
  let lr = stp.lr * bitcast<f32>(info.x);
  return ChunkRates(lr, 1.0 - lr * stp.weight_decay * bitcast<f32>(info.y), lr / stp.bc1);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  stp = steps[wg.z];
  let c = chunk_id(wg, nwg);
  if (c >= prm.n_chunks || states[wg.z].halt != 0u) { return; }
  let ch = table[c];
  if (steps[wg.z].hold != 0u) {
    drop_grads(ch.x, ch.y, li, WG);
    return;
  }
  let r = rates(ch);
  let clip = states[wg.z].clip;
  var acc = vec2f(0.0);
  for (var k = li; k < ch.y; k += WG) { acc += update(ch.x + k, r.lr, r.decay, r.step_size, clip); }
  let sums = wg_sum2(li, acc.x, acc.y);
  if (li == 0u) {
    let wk = work_base(wg.z);
    work[wk + prm.n_chunks + 2u * c] = sums.x;
    work[wk + prm.n_chunks + 2u * c + 1u] = sums.y;
  }
}

// 'thread' style: one thread per chunk, in order (no workgroup memory or barriers).
@compute @workgroup_size(THREAD_WG)
fn main_thread(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  stp = steps[wg.z];
  let c = chunk_id(wg, nwg) * THREAD_WG + li;
  if (c >= prm.n_chunks || states[wg.z].halt != 0u) { return; }
  let ch = table[c];
  if (steps[wg.z].hold != 0u) {
    drop_grads(ch.x, ch.y, 0u, 1u);
    return;
  }
  let r = rates(ch);
  let clip = states[wg.z].clip;
  var acc = vec2f(0.0);
  for (var k = 0u; k < ch.y; k += 1u) { acc += update(ch.x + k, r.lr, r.decay, r.step_size, clip); }
  let wk = work_base(wg.z);
  work[wk + prm.n_chunks + 2u * c] = acc.x;
  work[wk + prm.n_chunks + 2u * c + 1u] = acc.y;
}
