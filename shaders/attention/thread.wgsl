// Attention forward and backward, 'thread' style (shapes and formulas in common.wgsl): a thread
// per query (or key) row reads the other side's rows straight from storage, with no workgroup
// memory and no barriers. Workgroups of ROWS threads cover the rows of every (b, h) in order.
//   forward_thread:  in qkv; out out, lse. Rows [0, N), N = B·H·T.
//   backward_thread: in qkv, out, dout, lse; out dqkv (written, not added). Rows [0, N): dq of a
//                    query row; rows [N, 2N): dk, dv of a key row. D_i = dO_i·O_i is recomputed
//                    where needed (no cross-thread sharing).
// Limits: ROWS invocations (64); no workgroup storage.

// Row `id` of the B·H·T rows, (b, h)-major: (b, h, t) and bh = b·H + h.
struct Row { bh: u32, b: u32, h: u32, t: u32 }

fn row_of(id: u32) -> Row {
  let bh = id / prm.T;
  return Row(bh, bh / prm.H, bh % prm.H, id % prm.T);
}

@compute @workgroup_size(ROWS)
fn forward_thread(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let id = workgroup_index(wg, nwg) * ROWS + li;
  if (id >= prm.B * prm.H * prm.T) { return; }
  let row = row_of(id);
  let D = prm.D;
  var q: array<f32, MAXD>;
  let qi = q_index(row.b, row.t, row.h);
  for (var d = 0u; d < D; d += 1u) { q[d] = X[qi + d] * prm.scale; }
  var st = softmax_start();
  for (var j = 0u; j <= row.t; j += 1u) {
    let kj = q_index(row.b, j, row.h) + prm.C;
    let vj = kj + prm.C;
    var s = 0.0;
    for (var d = 0u; d < D; d += 1u) { s += q[d] * X[kj + d]; }
    if (s > st.m) {
      let corr = exp(st.m - s);
      st.l = st.l * corr + 1.0;
      for (var d = 0u; d < D; d += 1u) { st.o[d] = st.o[d] * corr + X[vj + d]; }
      st.m = s;
    } else {
      let p = exp(s - st.m);
      st.l += p;
      for (var d = 0u; d < D; d += 1u) { st.o[d] += p * X[vj + d]; }
    }
  }
  softmax_store(&st, row.b, row.t, row.h, row.bh);
}

// dq of query row i = row.t against keys j ≤ i.
fn dq_thread(row: Row) {
  let D = prm.D;
  let qi = q_index(row.b, row.t, row.h);
  let gi = o_index(prm.dout_off, row.b, row.t, row.h);
  let delta = row_delta(row.b, row.t, row.h);
  let lse = X[lse_index(row.bh, row.t)];
  var dq: array<f32, MAXD>;
  for (var j = 0u; j <= row.t; j += 1u) {
    let kj = q_index(row.b, j, row.h) + prm.C;
    let vj = kj + prm.C;
    var s = 0.0;
    var dp = 0.0;
    for (var d = 0u; d < D; d += 1u) {
      s += X[qi + d] * X[kj + d];
      dp += X[gi + d] * X[vj + d];
    }
    let ds = exp(s * prm.scale - lse) * (dp - delta);
    for (var d = 0u; d < D; d += 1u) { dq[d] += ds * X[kj + d]; }
  }
  let out = dq_index(row.b, row.t, row.h);
  for (var d = 0u; d < D; d += 1u) { X[out + d] = dq[d] * prm.scale; }
}

// dk, dv of key row j = row.t against queries i ≥ j.
fn dkv_thread(row: Row) {
  let D = prm.D;
  let kj = q_index(row.b, row.t, row.h) + prm.C;
  let vj = kj + prm.C;
  var dk: array<f32, MAXD>;
  var dv: array<f32, MAXD>;
  for (var i = row.t; i < prm.T; i += 1u) {
    let qi = q_index(row.b, i, row.h);
    let oi = o_index(prm.out_off, row.b, i, row.h);
    let gi = o_index(prm.dout_off, row.b, i, row.h);
    var s = 0.0;
    var dp = 0.0;
    var delta = 0.0;
    for (var d = 0u; d < D; d += 1u) {
      s += X[qi + d] * X[kj + d];
      dp += X[gi + d] * X[vj + d];
      delta += X[gi + d] * X[oi + d];
    }
    let p = exp(s * prm.scale - X[lse_index(row.bh, i)]);
    let ds = p * (dp - delta);
    for (var d = 0u; d < D; d += 1u) {
      dv[d] += p * X[gi + d];
      dk[d] += ds * X[qi + d];
    }
  }
  let out = dq_index(row.b, row.t, row.h) + prm.C;
  for (var d = 0u; d < D; d += 1u) {
    X[out + d] = dk[d] * prm.scale;
    X[out + prm.C + d] = dv[d];
  }
}

@compute @workgroup_size(ROWS)
fn backward_thread(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let N = prm.B * prm.H * prm.T;
  let id = workgroup_index(wg, nwg) * ROWS + li;
  if (id < N) {
    dq_thread(row_of(id));
  } else if (id < 2u * N) {
    dkv_thread(row_of(id - N));
  }
}
