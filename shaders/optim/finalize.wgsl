// Gradient norm, part 2, and the step's checks, in one workgroup:
//   norm = √Σ work[c];  clip = min(1, grad_clip / (norm + 1e-6))  (PyTorch clip_grad_norm_; 1 if grad_clip ≤ 0)
//   loss = mean of the step's per-row losses (all micro-batches)
//   halt (sticky) on a non-finite loss or norm, or a loss above the first step's + diverge_margin
// Writes State and the ring slot's head and per-tensor gradient norms.
// Limits: WG = 256 invocations, 2·WG·4 = 2 KiB of workgroup storage (wg_sum2); one workgroup per run.

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> steps: array<Step>;
@group(0) @binding(2) var<storage, read> table: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> work: array<f32>;
@group(0) @binding(4) var<storage, read> losses: array<f32>;
@group(0) @binding(5) var<storage, read_write> states: array<State>;
@group(0) @binding(6) var<storage, read_write> ring: array<f32>;

// One workgroup per run (workgroup_id.z).
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let stp = steps[wg.z];
  // A held run's step leaves no trace (steps is read-only storage: the branch is uniform).
  if (steps[wg.z].hold != 0u) { return; }
  let wk = work_base(wg.z);
  var g = 0.0;
  for (var c = li; c < prm.n_chunks; c += WG) { g += work[wk + c]; }
  var l = 0.0;
  for (var r = li; r < prm.loss_count; r += WG) { l += losses[rx + prm.loss_off + r]; }
  let sums = wg_sum2(li, g, l);
  let norm = sqrt(sums.x);
  let loss = sums.y / f32(prm.loss_count);
  let base = ring_base(wg.z, stp.slot);

  for (var t = li; t < prm.n_tensors; t += WG) {
    let info = table[prm.n_chunks + t];
    var s = 0.0;
    for (var c = info.z; c < info.z + info.w; c += 1u) { s += work[wk + c]; }
    ring[base + SLOT_HEAD + t] = sqrt(s);
  }

  if (li == 0u) {
    var state = states[wg.z];
    var halt = state.halt;
    if (halt == 0u) {
      if (!is_finite(loss)) {
        halt = HALT_LOSS;
      } else if (!is_finite(norm)) {
        halt = HALT_GRAD;
      } else if (state.have_first != 0u && stp.diverge_margin > 0.0 && loss > state.first_loss + stp.diverge_margin) {
        halt = HALT_DIVERGED;
      }
      if (halt != 0u) {
        state.halt = halt;
        state.halt_step = stp.step;
        state.halt_loss = loss;
        state.halt_norm = norm;
      }
    }
    if (state.have_first == 0u && is_finite(loss)) {
      state.first_loss = loss;
      state.have_first = 1u;
    }
    var clip = 1.0;
    if (stp.grad_clip > 0.0 && is_finite(norm)) { clip = min(1.0, stp.grad_clip / (norm + 1e-6)); }
    state.clip = clip;
    state.last_step = stp.step;
    states[wg.z] = state;
    ring[base + SLOT_STEP] = f32(stp.step);
    ring[base + SLOT_LOSS] = loss;
    ring[base + SLOT_GRAD_NORM] = norm;
    ring[base + SLOT_LR] = stp.lr;
    ring[base + SLOT_CLIP] = clip;
    ring[base + SLOT_HALT] = f32(halt);
  }
}
