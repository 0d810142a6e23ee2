// Gradient norm, part 1: one workgroup per chunk writes work[c] = Σ g² over chunk c.
// Limits: WG = 256 invocations and 2·WG·4 = 2 KiB of workgroup storage (wg_sum); THREAD_WG = 64, none.

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> table: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read_write> work: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let c = chunk_id(wg, nwg);
  if (c >= prm.n_chunks) { return; }
  let ch = table[c];
  var s = 0.0;
  for (var i = li; i < ch.y; i += WG) {
    let g = G[rg + ch.x + i];
    s += g * g;
  }
  let total = wg_sum(li, s);
  if (li == 0u) { work[work_base(wg.z) + c] = total; }
}

// 'thread' style: one thread per chunk, summing in order (no workgroup memory or barriers).
@compute @workgroup_size(THREAD_WG)
fn main_thread(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let c = chunk_id(wg, nwg) * THREAD_WG + li;
  if (c >= prm.n_chunks) { return; }
  let ch = table[c];
  var s = 0.0;
  for (var i = 0u; i < ch.y; i += 1u) {
    let g = G[rg + ch.x + i];
    s += g * g;
  }
  work[work_base(wg.z) + c] = s;
}
