// Attention forward and backward, 'thread' style (shapes and formulas in common.wgsl): a thread
// per query (or key) row reads the other side's rows straight from storage, with no workgroup
// memory and no barriers. Workgroups of ROWS threads cover the rows of every (b, h) in order.
//   forward_thread:  in qkv; out out, lse. Rows [0, N), N = B·H·T.
//   backward_thread: in qkv, out, dout, lse; out dqkv (written, not added). Rows [0, N): dq of a
//                    query row; rows [N, 2N): dk, dv of a key row. D_i = dO_i·O_i is recomputed
//                    where needed (no cross-thread sharing).
// The other side's rows go four at a time (then one at a time for the rest): a row held in a
// function-scope array (q, o, dq, dk, dv) is read and written once per four rows instead of once
// per row. SwiftShader, the CPU adapter this style is for, gathers every access with a per-thread
// index lane by lane, so those arrays cost as much as storage. Each of the four rows still takes
// the one-row path's steps, in the same order, on the same operands (every sum runs over d in order,
// every update of the held row applies the rows in order), so the results do not depend on this.
// Limits: ROWS invocations (64); no workgroup storage.

// Row `id` of the B·H·T rows, (b, h)-major: (b, h, t) and bh = b·H + h.
struct Row { bh: u32, b: u32, h: u32, t: u32 }

fn row_of(id: u32) -> Row {
  let bh = id / prm.T;
  return Row(bh, bh / prm.H, bh % prm.H, id % prm.T);
}

// One key row's step of the online softmax: its score folds into (m, l), and the held o takes
// o·corr + v (a new maximum) or o + p·v. Both forms are kept as written in the one-row loop.
struct Fold { new_max: bool, corr: f32, p: f32 }

fn fold(st: ptr<function, Softmax>, s: f32) -> Fold {
  if (s > (*st).m) {
    let corr = exp((*st).m - s);
    (*st).l = (*st).l * corr + 1.0;
    (*st).m = s;
    return Fold(true, corr, 0.0);
  }
  let p = exp(s - (*st).m);
  (*st).l += p;
  return Fold(false, 1.0, p);
}

fn fold_o(o: f32, f: Fold, v: f32) -> f32 {
  return select(o + f.p * v, o * f.corr + v, f.new_max);
}

@compute @workgroup_size(ROWS)
fn forward_thread(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let id = workgroup_index(wg, nwg) * ROWS + li;
  if (id >= prm.B * prm.H * prm.T) { return; }
  let row = row_of(id);
  let D = prm.D;
  let stride = 3u * prm.C;
  var q: array<f32, MAXD>;
  let qi = q_index(row.b, row.t, row.h);
  for (var d = 0u; d < D; d += 1u) { q[d] = X[rx + qi + d] * prm.scale; }
  var st = softmax_start();
  var j = 0u;
  // Keys j .. j+3 (k at k0 + r·stride, v at + C).
  for (; j + 3u <= row.t; j += 4u) {
    let k0 = q_index(row.b, j, row.h) + prm.C;
    var s = vec4f(0.0);
    for (var d = 0u; d < D; d += 1u) {
      let k = k0 + d;
      s += q[d] * vec4f(X[rx + k], X[rx + k + stride], X[rx + k + 2u * stride], X[rx + k + 3u * stride]);
    }
    let f0 = fold(&st, s.x);
    let f1 = fold(&st, s.y);
    let f2 = fold(&st, s.z);
    let f3 = fold(&st, s.w);
    let v0 = k0 + prm.C;
    for (var d = 0u; d < D; d += 1u) {
      let v = v0 + d;
      var o = st.o[d];
      o = fold_o(o, f0, X[rx + v]);
      o = fold_o(o, f1, X[rx + v + stride]);
      o = fold_o(o, f2, X[rx + v + 2u * stride]);
      o = fold_o(o, f3, X[rx + v + 3u * stride]);
      st.o[d] = o;
    }
  }
  for (; j <= row.t; j += 1u) {
    let kj = q_index(row.b, j, row.h) + prm.C;
    let vj = kj + prm.C;
    var s = 0.0;
    for (var d = 0u; d < D; d += 1u) { s += q[d] * X[rx + kj + d]; }
    let f = fold(&st, s);
    for (var d = 0u; d < D; d += 1u) { st.o[d] = fold_o(st.o[d], f, X[rx + vj + d]); }
  }
  softmax_store(&st, row.b, row.t, row.h, row.bh);
}

// dq of query row i = row.t against keys j ≤ i.
fn dq_thread(row: Row) {
  let D = prm.D;
  let stride = 3u * prm.C;
  let qi = q_index(row.b, row.t, row.h);
  let gi = o_index(prm.dout_off, row.b, row.t, row.h);
  let delta = row_delta(row.b, row.t, row.h);
  let lse = X[rx + lse_index(row.bh, row.t)];
  var dq: array<f32, MAXD>;
  var j = 0u;
  for (; j + 3u <= row.t; j += 4u) {
    let k0 = q_index(row.b, j, row.h) + prm.C;
    let v0 = k0 + prm.C;
    var s = vec4f(0.0);
    var dp = vec4f(0.0);
    for (var d = 0u; d < D; d += 1u) {
      let k = k0 + d;
      let v = v0 + d;
      s += X[rx + qi + d] * vec4f(X[rx + k], X[rx + k + stride], X[rx + k + 2u * stride], X[rx + k + 3u * stride]);
      dp += X[rx + gi + d] * vec4f(X[rx + v], X[rx + v + stride], X[rx + v + 2u * stride], X[rx + v + 3u * stride]);
    }
    let ds = exp(s * prm.scale - lse) * (dp - delta);
    for (var d = 0u; d < D; d += 1u) {
      let k = k0 + d;
      var a = dq[d];
      a += ds.x * X[rx + k];
      a += ds.y * X[rx + k + stride];
      a += ds.z * X[rx + k + 2u * stride];
      a += ds.w * X[rx + k + 3u * stride];
      dq[d] = a;
    }
  }
  for (; j <= row.t; j += 1u) {
    let kj = q_index(row.b, j, row.h) + prm.C;
    let vj = kj + prm.C;
    var s = 0.0;
    var dp = 0.0;
    for (var d = 0u; d < D; d += 1u) {
      s += X[rx + qi + d] * X[rx + kj + d];
      dp += X[rx + gi + d] * X[rx + vj + d];
    }
    let ds = exp(s * prm.scale - lse) * (dp - delta);
    for (var d = 0u; d < D; d += 1u) { dq[d] += ds * X[rx + kj + d]; }
  }
  let out = dq_index(row.b, row.t, row.h);
  for (var d = 0u; d < D; d += 1u) { X[rx + out + d] = dq[d] * prm.scale; }
}

// dk, dv of key row j = row.t against queries i ≥ j.
fn dkv_thread(row: Row) {
  let D = prm.D;
  let stride = 3u * prm.C;
  let kj = q_index(row.b, row.t, row.h) + prm.C;
  let vj = kj + prm.C;
  var dk: array<f32, MAXD>;
  var dv: array<f32, MAXD>;
  var i = row.t;
  // Queries i .. i+3 (q at q0 + r·stride; out and dout at o0, g0 + r·C; lse at + r).
  for (; i + 4u <= prm.T; i += 4u) {
    let q0 = q_index(row.b, i, row.h);
    let o0 = o_index(prm.out_off, row.b, i, row.h);
    let g0 = o_index(prm.dout_off, row.b, i, row.h);
    let C = prm.C;
    var s = vec4f(0.0);
    var dp = vec4f(0.0);
    var delta = vec4f(0.0);
    for (var d = 0u; d < D; d += 1u) {
      let q = q0 + d;
      let o = o0 + d;
      let g = vec4f(X[rx + g0 + d], X[rx + g0 + d + C], X[rx + g0 + d + 2u * C], X[rx + g0 + d + 3u * C]);
      s += vec4f(X[rx + q], X[rx + q + stride], X[rx + q + 2u * stride], X[rx + q + 3u * stride]) * X[rx + kj + d];
      dp += g * X[rx + vj + d];
      delta += g * vec4f(X[rx + o], X[rx + o + C], X[rx + o + 2u * C], X[rx + o + 3u * C]);
    }
    let l = lse_index(row.bh, i);
    let p = exp(s * prm.scale - vec4f(X[rx + l], X[rx + l + 1u], X[rx + l + 2u], X[rx + l + 3u]));
    let ds = p * (dp - delta);
    for (var d = 0u; d < D; d += 1u) {
      let q = q0 + d;
      let g = g0 + d;
      var a = dv[d];
      a += p.x * X[rx + g];
      a += p.y * X[rx + g + C];
      a += p.z * X[rx + g + 2u * C];
      a += p.w * X[rx + g + 3u * C];
      dv[d] = a;
      var b = dk[d];
      b += ds.x * X[rx + q];
      b += ds.y * X[rx + q + stride];
      b += ds.z * X[rx + q + 2u * stride];
      b += ds.w * X[rx + q + 3u * stride];
      dk[d] = b;
    }
  }
  for (; i < prm.T; i += 1u) {
    let qi = q_index(row.b, i, row.h);
    let oi = o_index(prm.out_off, row.b, i, row.h);
    let gi = o_index(prm.dout_off, row.b, i, row.h);
    var s = 0.0;
    var dp = 0.0;
    var delta = 0.0;
    for (var d = 0u; d < D; d += 1u) {
      s += X[rx + qi + d] * X[rx + kj + d];
      dp += X[rx + gi + d] * X[rx + vj + d];
      delta += X[rx + gi + d] * X[rx + oi + d];
    }
    let p = exp(s * prm.scale - X[rx + lse_index(row.bh, i)]);
    let ds = p * (dp - delta);
    for (var d = 0u; d < D; d += 1u) {
      dv[d] += p * X[rx + gi + d];
      dk[d] += ds * X[rx + qi + d];
    }
  }
  let out = dq_index(row.b, row.t, row.h) + prm.C;
  for (var d = 0u; d < D; d += 1u) {
    X[rx + out + d] = dk[d] * prm.scale;
    X[rx + out + prm.C + d] = dv[d];
  }
}

@compute @workgroup_size(ROWS)
fn backward_thread(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let N = prm.B * prm.H * prm.T;
  let id = workgroup_index(wg, nwg) * ROWS + li;
  if (id < N) {
    dq_thread(row_of(id));
  } else if (id < 2u * N) {
    dkv_thread(row_of(id - N));
  }
}
