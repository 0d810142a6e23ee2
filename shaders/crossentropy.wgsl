// Fused softmax + cross-entropy over the vocabulary, and its gradient, in one pass per row.
// Targets are the next bytes of the corpus windows: row r = b·T + t predicts token (b, t + 1).
// Shapes: logits [R, V] in X (overwritten by dlogits when F_GRAD);  losses [R] in X.
//   losses[r]  = logsumexp(logits[r]) - logits[r, target]
//   dlogits[r] = (softmax(logits[r]) - onehot(target)) · grad_scale     (grad_scale = 1 / rows in the mean)
// 'workgroup' style: one workgroup of WG threads per row; 'thread' style: one thread per row. Sums
// in a fixed order. Constants from src/kernels/crossentropy.ts: WG (a power of two), F_GRAD.
// Tokens from lib/tokens.wgsl.
// Limits: WG = 64 invocations; 'workgroup' style WG·4 = 256 bytes of workgroup storage.

struct Params {
  R: u32, V: u32, T: u32, win_off: u32,
  logits_off: u32, loss_off: u32, grad_scale: f32, flags: u32,
  run_p: u32, run_x: u32, run_g: u32, run_w: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> corpus: array<u32>;
@group(0) @binding(2) var<storage, read> windows: array<u32>;
@group(0) @binding(3) var<storage, read_write> X: array<f32>;

var<workgroup> red: array<f32, WG>;

fn wg_reduce(li: u32, v: f32, is_max: bool) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (li < s) {
      if (is_max) { red[li] = max(red[li], red[li + s]); } else { red[li] += red[li + s]; }
    }
    workgroupBarrier();
  }
  let out = red[0];
  workgroupBarrier();
  return out;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let r = wg.y * nwg.x + wg.x;
  if (r >= prm.R) { return; }
  let V = prm.V;
  let row = prm.logits_off + r * V;
  var mx = -3.0e38;
  for (var v = li; v < V; v += WG) { mx = max(mx, X[rx + row + v]); }
  mx = wg_reduce(li, mx, true);
  var s = 0.0;
  for (var v = li; v < V; v += WG) { s += exp(X[rx + row + v] - mx); }
  s = wg_reduce(li, s, false);
  let tgt = token_at(prm.win_off, r / prm.T, r % prm.T + 1u);
  let lse = mx + log(s);
  // The thread that owns column tgt writes the loss from its own read of logits[tgt], before it
  // overwrites that element with the gradient: no other thread reads it, so no storage barrier is
  // needed (workgroupBarrier orders workgroup memory only, not X).
  for (var v = li; v < V; v += WG) {
    let logit = X[rx + row + v];
    if (v == tgt) { X[rx + prm.loss_off + r] = lse - logit; }
    if ((prm.flags & F_GRAD) != 0u) {
      X[rx + row + v] = (exp(logit - lse) - select(0.0, 1.0, v == tgt)) * prm.grad_scale;
    }
  }
}

// 'thread' style: one thread per row, no workgroup memory or barriers; workgroups of WG rows.
@compute @workgroup_size(WG)
fn main_thread(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let r = (wg.y * nwg.x + wg.x) * WG + li;
  if (r >= prm.R) { return; }
  let V = prm.V;
  let row = prm.logits_off + r * V;
  var mx = -3.0e38;
  for (var v = 0u; v < V; v += 1u) { mx = max(mx, X[rx + row + v]); }
  var s = 0.0;
  for (var v = 0u; v < V; v += 1u) { s += exp(X[rx + row + v] - mx); }
  let tgt = token_at(prm.win_off, r / prm.T, r % prm.T + 1u);
  let lse = mx + log(s);
  X[rx + prm.loss_off + r] = lse - X[rx + row + tgt];
  if ((prm.flags & F_GRAD) != 0u) {
    for (var v = 0u; v < V; v += 1u) {
      let p = exp(X[rx + row + v] - lse);
      X[rx + row + v] = (p - select(0.0, 1.0, v == tgt)) * prm.grad_scale;
    }
  }
}
