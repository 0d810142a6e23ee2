// Fills a region of a flat arena with one value (zeroing gradients at setup and on reset).
// Shapes: dst [n] at dst_off. WG (threads per workgroup) comes from src/kernels/fill.ts.
// Limits: WG = 256 invocations; no workgroup storage.

struct Params { n: u32, dst_off: u32, value: f32, _p0: u32 }

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * WG + li;
  if (i < prm.n) { dst[prm.dst_off + i] = prm.value; }
}
