// GELU (tanh approximation) as a standalone elementwise kernel. The model fuses GELU into the fc
// matmul's epilogue (matmul.wgsl, F_GELU / F_GELU_BWD); this kernel serves unfused graphs and holds
// the shared gelu_fn.wgsl to the reference on its own.
// Shapes: x, y, dy, dx [n] in X.
//   forward:  y = gelu(x)
//   backward: dx (+)= dy · gelu'(x)
// (requires gelu_fn.wgsl)

const WG = 256u;

struct Params {
  n: u32, x_off: u32, y_off: u32, dy_off: u32,
  dx_off: u32, accumulate: u32, _p0: u32, _p1: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> X: array<f32>;

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * WG + li;
  if (i >= prm.n) { return; }
  X[prm.y_off + i] = gelu(X[prm.x_off + i]);
}

@compute @workgroup_size(256)
fn backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * WG + li;
  if (i >= prm.n) { return; }
  var d = X[prm.dy_off + i] * gelu_grad(X[prm.x_off + i]);
  if (prm.accumulate != 0u) { d += X[prm.dx_off + i]; }
  X[prm.dx_off + i] = d;
}
