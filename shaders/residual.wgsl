// Residual add as a standalone elementwise kernel. The model fuses residual adds into matmul
// epilogues (the D addend) and LayerNorm backward (accumulate into dx); this kernel serves unfused
// graphs. Shapes: a, b, y, dy, da, db [n] in X.
//   forward:  y = a + b
//   backward: da += dy, db += dy   (the gradient of a sum flows unchanged to both inputs)

const WG = 256u;

struct Params {
  n: u32, a_off: u32, b_off: u32, y_off: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> X: array<f32>;

// forward: y = a + b.  backward (same kernel, other offsets): da += dy is y = a + b with a = y = da, b = dy.
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * WG + li;
  if (i >= prm.n) { return; }
  X[prm.y_off + i] = X[prm.a_off + i] + X[prm.b_off + i];
}
