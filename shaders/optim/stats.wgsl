// Per-tensor update-to-weight ratios ‖Δp‖ / ‖p‖ (from AdamW's per-chunk sums) and the totals,
// into the step's ring slot; zeros when the step was halted (AdamW did not run). One workgroup per run.
// Limits: WG = 256 invocations, 2·WG·4 = 2 KiB of workgroup storage (wg_sum2); one workgroup.

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> steps: array<Step>;
@group(0) @binding(2) var<storage, read> table: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> work: array<f32>;
@group(0) @binding(4) var<storage, read> states: array<State>;
@group(0) @binding(5) var<storage, read_write> ring: array<f32>;

fn ratio(du: f32, pw: f32) -> f32 {
  if (pw > 0.0) { return sqrt(du / pw); }
  return 0.0;
}

// One workgroup per run (workgroup_id.z).
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  if (steps[wg.z].hold != 0u) { return; }
  let ran = states[wg.z].halt == 0u;
  let base = ring_base(wg.z, steps[wg.z].slot);
  let wk = work_base(wg.z) + prm.n_chunks;
  var du = 0.0;
  var pw = 0.0;
  for (var c = li; c < prm.n_chunks; c += WG) {
    du += work[wk + 2u * c];
    pw += work[wk + 2u * c + 1u];
  }
  let sums = wg_sum2(li, du, pw);
  for (var t = li; t < prm.n_tensors; t += WG) {
    let info = table[prm.n_chunks + t];
    var a = 0.0;
    var b = 0.0;
    for (var c = info.z; c < info.z + info.w; c += 1u) {
      a += work[wk + 2u * c];
      b += work[wk + 2u * c + 1u];
    }
    ring[base + SLOT_HEAD + prm.n_tensors + t] = select(0.0, ratio(a, b), ran);
  }
  if (li == 0u) {
    ring[base + SLOT_UPDATE_RATIO] = select(0.0, ratio(sums.x, sums.y), ran);
    ring[base + SLOT_PARAM_NORM] = sqrt(sums.y);
  }
}
