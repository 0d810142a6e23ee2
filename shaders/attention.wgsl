// Causal multi-head self-attention on a fused qkv tensor, flash-style (scores never stored).
// Shapes: qkv [B·T, 3C] in X: q = cols [0, C), k = [C, 2C), v = [2C, 3C); head h uses cols h·D .. h·D+D
//         out, dout [B·T, C] in X;  lse [B·H, T] in X;  dqkv [B·T, 3C] in X (written, not added)
// forward:  one thread per query row, 64 rows per workgroup; K and V stream through workgroup
//           memory 32 keys at a time with an online softmax; saves lse = max + log Σ exp.
// backward: one dispatch, two jobs that only read shared inputs:
//   dq job  (workgroups [0, NB)):   thread per query row i: dq_i = s·Σ_j P_ij (dP_ij - D_i) k_j
//   dkv job (workgroups [NB, 2NB)): thread per key row j:  dk_j = s·Σ_i P_ij (dP_ij - D_i) q_i,
//                                                          dv_j = Σ_i P_ij dO_i
//   with P_ij = exp(s·q_i·k_j - lse_i), dP_ij = dO_i·v_j, D_i = dO_i·O_i, j ≤ i, s = 1/√D.
// No atomics: every output row is owned by one thread.

const ROWS = 64u;   // query (or key) rows per workgroup
const TILE = 32u;   // keys (or queries) staged per step
const MAXD = 64u;   // largest head dimension

struct Params {
  B: u32, T: u32, C: u32, H: u32,
  D: u32, qkv_off: u32, out_off: u32, lse_off: u32,
  dout_off: u32, dqkv_off: u32, scale: f32, _p0: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> X: array<f32>;

var<workgroup> tileA: array<f32, 2048>; // TILE × MAXD: keys (forward, dq) or queries (dkv)
var<workgroup> tileB: array<f32, 2048>; // TILE × MAXD: values (forward, dq) or dO rows (dkv)
var<workgroup> rowD: array<f32, 32>;    // dkv: D_i of the staged queries
var<workgroup> rowL: array<f32, 32>;    // dkv: lse_i of the staged queries

fn q_index(b: u32, t: u32, h: u32) -> u32 { return prm.qkv_off + (b * prm.T + t) * 3u * prm.C + h * prm.D; }
fn o_index(base: u32, b: u32, t: u32, h: u32) -> u32 { return base + (b * prm.T + t) * prm.C + h * prm.D; }

// Stages rows [r0, r0 + TILE) of the qkv column block `col` (0 q, 1 k, 2 v) into tileA, and of
// `colB` into tileB (colB 3 = dout instead of qkv). Rows past T are zero.
fn stage(li: u32, b: u32, h: u32, r0: u32, col: u32, colB: u32) {
  let D = prm.D;
  for (var idx = li; idx < TILE * D; idx += ROWS) {
    let r = idx / D;
    let d = idx % D;
    var a = 0.0;
    var v = 0.0;
    if (r0 + r < prm.T) {
      a = X[q_index(b, r0 + r, h) + col * prm.C + d];
      if (colB == 3u) { v = X[o_index(prm.dout_off, b, r0 + r, h) + d]; } else { v = X[q_index(b, r0 + r, h) + colB * prm.C + d]; }
    }
    tileA[r * MAXD + d] = a;
    tileB[r * MAXD + d] = v;
  }
}

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let nqb = (prm.T + ROWS - 1u) / ROWS;
  let id = wg.y * nwg.x + wg.x;
  if (id >= prm.B * prm.H * nqb) { return; }
  let bh = id / nqb;
  let b = bh / prm.H;
  let h = bh % prm.H;
  let i0 = (id % nqb) * ROWS;
  let i = i0 + li;
  let D = prm.D;
  let valid = i < prm.T;
  var q: array<f32, MAXD>;
  var o: array<f32, MAXD>;
  if (valid) {
    let qi = q_index(b, i, h);
    for (var d = 0u; d < D; d += 1u) { q[d] = X[qi + d] * prm.scale; }
  }
  var m = -3.0e38;
  var l = 0.0;
  let last = min(prm.T, i0 + ROWS); // keys beyond the block's last query are masked for all
  for (var j0 = 0u; j0 < last; j0 += TILE) {
    stage(li, b, h, j0, 1u, 2u);
    workgroupBarrier();
    if (valid) {
      let jn = min(TILE, i + 1u - min(i + 1u, j0));
      for (var jj = 0u; jj < jn; jj += 1u) {
        var s = 0.0;
        for (var d = 0u; d < D; d += 1u) { s += q[d] * tileA[jj * MAXD + d]; }
        if (s > m) {
          let corr = exp(m - s);
          l = l * corr + 1.0;
          for (var d = 0u; d < D; d += 1u) { o[d] = o[d] * corr + tileB[jj * MAXD + d]; }
          m = s;
        } else {
          let p = exp(s - m);
          l += p;
          for (var d = 0u; d < D; d += 1u) { o[d] += p * tileB[jj * MAXD + d]; }
        }
      }
    }
    workgroupBarrier();
  }
  if (valid) {
    let oi = o_index(prm.out_off, b, i, h);
    for (var d = 0u; d < D; d += 1u) { X[oi + d] = o[d] / l; }
    X[prm.lse_off + bh * prm.T + i] = m + log(l);
  }
}

@compute @workgroup_size(64)
fn backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let nqb = (prm.T + ROWS - 1u) / ROWS;
  let NB = prm.B * prm.H * nqb;
  let wid = wg.y * nwg.x + wg.x;
  if (wid >= 2u * NB) { return; }
  let is_dq = wid < NB;
  let id = select(wid - NB, wid, is_dq);
  let bh = id / nqb;
  let b = bh / prm.H;
  let h = bh % prm.H;
  let r0 = (id % nqb) * ROWS;
  let r = r0 + li; // this thread's query row (dq job) or key row (dkv job)
  let D = prm.D;
  let valid = r < prm.T;
  let sc = prm.scale;

  if (is_dq) {
    var q: array<f32, MAXD>;
    var dO: array<f32, MAXD>;
    var dq: array<f32, MAXD>;
    var Di = 0.0;
    var lse = 0.0;
    if (valid) {
      let qi = q_index(b, r, h);
      let oi = o_index(prm.out_off, b, r, h);
      let gi = o_index(prm.dout_off, b, r, h);
      for (var d = 0u; d < D; d += 1u) {
        q[d] = X[qi + d];
        dO[d] = X[gi + d];
        Di += dO[d] * X[oi + d];
      }
      lse = X[prm.lse_off + bh * prm.T + r];
    }
    let last = min(prm.T, r0 + ROWS);
    for (var j0 = 0u; j0 < last; j0 += TILE) {
      stage(li, b, h, j0, 1u, 2u);
      workgroupBarrier();
      if (valid) {
        let jn = min(TILE, r + 1u - min(r + 1u, j0));
        for (var jj = 0u; jj < jn; jj += 1u) {
          var s = 0.0;
          var dp = 0.0;
          for (var d = 0u; d < D; d += 1u) {
            s += q[d] * tileA[jj * MAXD + d];
            dp += dO[d] * tileB[jj * MAXD + d];
          }
          let p = exp(s * sc - lse);
          let ds = p * (dp - Di);
          for (var d = 0u; d < D; d += 1u) { dq[d] += ds * tileA[jj * MAXD + d]; }
        }
      }
      workgroupBarrier();
    }
    if (valid) {
      let qi = prm.dqkv_off + (b * prm.T + r) * 3u * prm.C + h * D;
      for (var d = 0u; d < D; d += 1u) { X[qi + d] = dq[d] * sc; }
    }
    return;
  }

  // dkv job: key row r; queries i ≥ r stream through tileA (q) and tileB (dO).
  var k: array<f32, MAXD>;
  var v: array<f32, MAXD>;
  var dk: array<f32, MAXD>;
  var dv: array<f32, MAXD>;
  if (valid) {
    let ki = q_index(b, r, h) + prm.C;
    for (var d = 0u; d < D; d += 1u) {
      k[d] = X[ki + d];
      v[d] = X[ki + prm.C + d];
    }
  }
  for (var i0 = r0; i0 < prm.T; i0 += TILE) {
    stage(li, b, h, i0, 0u, 3u);
    if (li < TILE) {
      let i = i0 + li;
      var Dv = 0.0;
      var lv = 0.0;
      if (i < prm.T) {
        let oi = o_index(prm.out_off, b, i, h);
        let gi = o_index(prm.dout_off, b, i, h);
        for (var d = 0u; d < D; d += 1u) { Dv += X[gi + d] * X[oi + d]; }
        lv = X[prm.lse_off + bh * prm.T + i];
      }
      rowD[li] = Dv;
      rowL[li] = lv;
    }
    workgroupBarrier();
    if (valid) {
      for (var ii = 0u; ii < TILE; ii += 1u) {
        let i = i0 + ii;
        if (i < r || i >= prm.T) { continue; }
        var s = 0.0;
        var dp = 0.0;
        for (var d = 0u; d < D; d += 1u) {
          s += tileA[ii * MAXD + d] * k[d];
          dp += tileB[ii * MAXD + d] * v[d];
        }
        let p = exp(s * sc - rowL[ii]);
        let ds = p * (dp - rowD[ii]);
        for (var d = 0u; d < D; d += 1u) {
          dv[d] += p * tileB[ii * MAXD + d];
          dk[d] += ds * tileA[ii * MAXD + d];
        }
      }
    }
    workgroupBarrier();
  }
  if (valid) {
    let ki = prm.dqkv_off + (b * prm.T + r) * 3u * prm.C + prm.C + h * D;
    for (var d = 0u; d < D; d += 1u) {
      X[ki + d] = dk[d] * sc;
      X[ki + prm.C + d] = dv[d];
    }
  }
}

// ---- 'cpu' style: one thread per query (or key) row, keys and queries read straight from memory,
// no workgroup memory or barriers. Workgroups of 64 rows over (b, h, row).

fn row_of(wg: vec3u, nwg: vec3u, li: u32) -> u32 {
  return (wg.y * nwg.x + wg.x) * ROWS + li;
}

@compute @workgroup_size(64)
fn forward_rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let id = row_of(wg, nwg, li);
  if (id >= prm.B * prm.H * prm.T) { return; }
  let i = id % prm.T;
  let bh = id / prm.T;
  let b = bh / prm.H;
  let h = bh % prm.H;
  let D = prm.D;
  var q: array<f32, MAXD>;
  var o: array<f32, MAXD>;
  let qi = q_index(b, i, h);
  for (var d = 0u; d < D; d += 1u) { q[d] = X[qi + d] * prm.scale; }
  var m = -3.0e38;
  var l = 0.0;
  for (var j = 0u; j <= i; j += 1u) {
    let kj = q_index(b, j, h) + prm.C;
    var s = 0.0;
    for (var d = 0u; d < D; d += 1u) { s += q[d] * X[kj + d]; }
    let vj = kj + prm.C;
    if (s > m) {
      let corr = exp(m - s);
      l = l * corr + 1.0;
      for (var d = 0u; d < D; d += 1u) { o[d] = o[d] * corr + X[vj + d]; }
      m = s;
    } else {
      let p = exp(s - m);
      l += p;
      for (var d = 0u; d < D; d += 1u) { o[d] += p * X[vj + d]; }
    }
  }
  let oi = o_index(prm.out_off, b, i, h);
  for (var d = 0u; d < D; d += 1u) { X[oi + d] = o[d] / l; }
  X[prm.lse_off + bh * prm.T + i] = m + log(l);
}

// Rows [0, N): dq of query row; rows [N, 2N): dk, dv of key row (N = B·H·T). D_i = dO_i·O_i is
// recomputed where needed (no cross-thread sharing).
@compute @workgroup_size(64)
fn backward_rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let N = prm.B * prm.H * prm.T;
  let gid = row_of(wg, nwg, li);
  if (gid >= 2u * N) { return; }
  let id = gid % N;
  let r = id % prm.T;
  let bh = id / prm.T;
  let b = bh / prm.H;
  let h = bh % prm.H;
  let D = prm.D;
  let sc = prm.scale;
  if (gid < N) {
    var dq: array<f32, MAXD>;
    let qi = q_index(b, r, h);
    let oi = o_index(prm.out_off, b, r, h);
    let gi = o_index(prm.dout_off, b, r, h);
    var Di = 0.0;
    for (var d = 0u; d < D; d += 1u) { Di += X[gi + d] * X[oi + d]; }
    let lse = X[prm.lse_off + bh * prm.T + r];
    for (var j = 0u; j <= r; j += 1u) {
      let kj = q_index(b, j, h) + prm.C;
      let vj = kj + prm.C;
      var s = 0.0;
      var dp = 0.0;
      for (var d = 0u; d < D; d += 1u) {
        s += X[qi + d] * X[kj + d];
        dp += X[gi + d] * X[vj + d];
      }
      let ds = exp(s * sc - lse) * (dp - Di);
      for (var d = 0u; d < D; d += 1u) { dq[d] += ds * X[kj + d]; }
    }
    let out = prm.dqkv_off + (b * prm.T + r) * 3u * prm.C + h * D;
    for (var d = 0u; d < D; d += 1u) { X[out + d] = dq[d] * sc; }
    return;
  }
  var dk: array<f32, MAXD>;
  var dv: array<f32, MAXD>;
  let kj = q_index(b, r, h) + prm.C;
  let vj = kj + prm.C;
  for (var i = r; i < prm.T; i += 1u) {
    let qi = q_index(b, i, h);
    let oi = o_index(prm.out_off, b, i, h);
    let gi = o_index(prm.dout_off, b, i, h);
    var s = 0.0;
    var dp = 0.0;
    var Di = 0.0;
    for (var d = 0u; d < D; d += 1u) {
      s += X[qi + d] * X[kj + d];
      dp += X[gi + d] * X[vj + d];
      Di += X[gi + d] * X[oi + d];
    }
    let p = exp(s * sc - X[prm.lse_off + bh * prm.T + i]);
    let ds = p * (dp - Di);
    for (var d = 0u; d < D; d += 1u) {
      dv[d] += p * X[gi + d];
      dk[d] += ds * X[qi + d];
    }
  }
  let out = prm.dqkv_off + (b * prm.T + r) * 3u * prm.C + prm.C + h * D;
  for (var d = 0u; d < D; d += 1u) {
    X[out + d] = dk[d] * sc;
    X[out + prm.C + d] = dv[d];
  }
}
