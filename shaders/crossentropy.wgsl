// Fused softmax + cross-entropy over the vocabulary, and its gradient, in one pass per row.
// Targets are the next bytes of the corpus windows: row r = b·T + t predicts token (b, t + 1).
// Shapes: logits [R, V] in X (overwritten by dlogits when F_GRAD);  losses [R] in X.
//   losses[r]  = logsumexp(logits[r]) - logits[r, target]
//   dlogits[r] = (softmax(logits[r]) - onehot(target)) · grad_scale     (grad_scale = 1 / rows in the mean)
// One workgroup of 64 threads per row; sums in a fixed order.
// (requires tokens_fn.wgsl)

const WG = 64u;
const F_GRAD = 1u;

struct Params {
  R: u32, V: u32, T: u32, win_off: u32,
  logits_off: u32, loss_off: u32, grad_scale: f32, flags: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> corpus: array<u32>;
@group(0) @binding(2) var<storage, read> windows: array<u32>;
@group(0) @binding(3) var<storage, read_write> X: array<f32>;

var<workgroup> red: array<f32, 64>;

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

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let r = wg.y * nwg.x + wg.x;
  if (r >= prm.R) { return; }
  let V = prm.V;
  let row = prm.logits_off + r * V;
  var mx = -3.0e38;
  for (var v = li; v < V; v += WG) { mx = max(mx, X[row + v]); }
  mx = wg_reduce(li, mx, true);
  var s = 0.0;
  for (var v = li; v < V; v += WG) { s += exp(X[row + v] - mx); }
  s = wg_reduce(li, s, false);
  let tgt = token_at(prm.win_off, r / prm.T, r % prm.T + 1u);
  let lse = mx + log(s);
  if (li == 0u) { X[prm.loss_off + r] = lse - X[row + tgt]; }
  workgroupBarrier(); // every thread has read logits[target] before it is overwritten
  if ((prm.flags & F_GRAD) != 0u) {
    for (var v = li; v < V; v += WG) {
      let p = exp(X[row + v] - lse);
      X[row + v] = (p - select(0.0, 1.0, v == tgt)) * prm.grad_scale;
    }
  }
}

// 'cpu' style: one thread per row, no workgroup memory or barriers; workgroups of 64 rows.
@compute @workgroup_size(64)
fn main_rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let r = (wg.y * nwg.x + wg.x) * WG + li;
  if (r >= prm.R) { return; }
  let V = prm.V;
  let row = prm.logits_off + r * V;
  var mx = -3.0e38;
  for (var v = 0u; v < V; v += 1u) { mx = max(mx, X[row + v]); }
  var s = 0.0;
  for (var v = 0u; v < V; v += 1u) { s += exp(X[row + v] - mx); }
  let tgt = token_at(prm.win_off, r / prm.T, r % prm.T + 1u);
  let lse = mx + log(s);
  X[prm.loss_off + r] = lse - X[row + tgt];
  if ((prm.flags & F_GRAD) != 0u) {
    for (var v = 0u; v < V; v += 1u) {
      let p = exp(X[row + v] - lse);
      X[row + v] = (p - select(0.0, 1.0, v == tgt)) * prm.grad_scale;
    }
  }
}
