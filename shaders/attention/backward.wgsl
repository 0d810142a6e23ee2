// Attention backward, 'workgroup' style (shapes and formulas in common.wgsl).
//   in: qkv [B·T, 3C], out, dout [B·T, C], lse [B·H, T]   out: dqkv [B·T, 3C] (written, not added)
// One dispatch, two jobs that only read shared inputs, over blocks of ROWS rows of one (b, h):
//   workgroups [0, NB):   the dq job, a thread per query row i; keys j ≤ i and their values
//                         stream through tileA / tileB, TILE rows at a time;
//   workgroups [NB, 2NB): the dk/dv job, a thread per key row j; queries i ≥ j stream through
//                         tileA, their dO rows through tileB, QTILE rows at a time, with D_i and
//                         lse_i in the tiles' last row (QTILE = TILE - 1 leaves it free).
// Limits: ROWS invocations (64); workgroup storage 2·TILE·MAXD·4 bytes (16,384), tiles.wgsl.

// ---- dq job

// What the dq job holds of its query row: q (unscaled), dO, D_i and lse_i.
struct QueryRow { q: array<f32, MAXD>, dO: array<f32, MAXD>, delta: f32, lse: f32 }

fn query_row(blk: Block, t: u32) -> QueryRow {
  var row: QueryRow;
  let qi = q_index(blk.b, t, blk.h);
  let gi = o_index(prm.dout_off, blk.b, t, blk.h);
  for (var d = 0u; d < prm.D; d += 1u) {
    row.q[d] = X[rx + qi + d];
    row.dO[d] = X[rx + gi + d];
  }
  row.delta = row_delta(blk.b, t, blk.h);
  row.lse = X[rx + lse_index(blk.bh, t)];
  return row;
}

// Adds the first n staged keys (tileA, their values in tileB) to dq / s of the row.
fn dq_tile(row: ptr<function, QueryRow>, dq: ptr<function, array<f32, MAXD>>, n: u32) {
  let D = prm.D;
  for (var jj = 0u; jj < n; jj += 1u) {
    var s = 0.0;
    var dp = 0.0;
    for (var d = 0u; d < D; d += 1u) {
      s += (*row).q[d] * tileA[jj * MAXD + d];
      dp += (*row).dO[d] * tileB[jj * MAXD + d];
    }
    let p = exp(s * prm.scale - (*row).lse);
    let ds = p * (dp - (*row).delta);
    for (var d = 0u; d < D; d += 1u) { (*dq)[d] += ds * tileA[jj * MAXD + d]; }
  }
}

// Called by the whole workgroup (uniform control flow): the barriers are inside.
fn dq_job(li: u32, blk: Block) {
  let r = blk.r0 + li;
  let valid = r < prm.T;
  var row: QueryRow;
  var dq: array<f32, MAXD>;
  if (valid) { row = query_row(blk, r); }
  let last = min(prm.T, blk.r0 + ROWS); // keys past the block's last query are masked for every row
  for (var j0 = 0u; j0 < last; j0 += TILE) {
    stage(li, blk.b, blk.h, j0, TILE, SRC_K, SRC_V);
    workgroupBarrier();
    if (valid) { dq_tile(&row, &dq, min(TILE, r + 1u - min(r + 1u, j0))); }
    workgroupBarrier();
  }
  if (valid) {
    let out = dq_index(blk.b, r, blk.h);
    for (var d = 0u; d < prm.D; d += 1u) { X[rx + out + d] = dq[d] * prm.scale; }
  }
}

// ---- dk/dv job

// Where D_i and lse_i of the staged queries sit: row QTILE of tileA and of tileB.
const SIDE_ROW = QTILE * MAXD;

// What the dk/dv job holds of its key row: k, v and the sums dk / s, dv.
struct KeyRow { k: array<f32, MAXD>, v: array<f32, MAXD>, dk: array<f32, MAXD>, dv: array<f32, MAXD> }

// Stages queries [i0, i0 + QTILE) into tileA, their dO rows into tileB and their D_i, lse_i into the
// side row. The writes are disjoint: rows end at QTILE·MAXD, the side row holds QTILE ≤ MAXD values.
fn dkv_stage(li: u32, blk: Block, i0: u32) {
  stage(li, blk.b, blk.h, i0, QTILE, SRC_Q, SRC_DOUT);
  for (var ii = li; ii < QTILE; ii += ROWS) {
    let i = i0 + ii;
    var delta = 0.0;
    var lse = 0.0;
    if (i < prm.T) {
      delta = row_delta(blk.b, i, blk.h);
      lse = X[rx + lse_index(blk.bh, i)];
    }
    tileA[SIDE_ROW + ii] = delta;
    tileB[SIDE_ROW + ii] = lse;
  }
}

// Adds the staged queries i with r ≤ i < T to dk / s and dv of key row r.
fn dkv_tile(key: ptr<function, KeyRow>, r: u32, i0: u32) {
  let D = prm.D;
  let n = min(QTILE, prm.T - i0);
  for (var ii = r - min(r, i0); ii < n; ii += 1u) {
    var s = 0.0;
    var dp = 0.0;
    for (var d = 0u; d < D; d += 1u) {
      s += tileA[ii * MAXD + d] * (*key).k[d];
      dp += tileB[ii * MAXD + d] * (*key).v[d];
    }
    let p = exp(s * prm.scale - tileB[SIDE_ROW + ii]);
    let ds = p * (dp - tileA[SIDE_ROW + ii]);
    for (var d = 0u; d < D; d += 1u) {
      (*key).dv[d] += p * tileB[ii * MAXD + d];
      (*key).dk[d] += ds * tileA[ii * MAXD + d];
    }
  }
}

// Called by the whole workgroup (uniform control flow): the barriers are inside.
fn dkv_job(li: u32, blk: Block) {
  let r = blk.r0 + li;
  let valid = r < prm.T;
  var key: KeyRow;
  if (valid) {
    let ki = q_index(blk.b, r, blk.h) + prm.C;
    for (var d = 0u; d < prm.D; d += 1u) {
      key.k[d] = X[rx + ki + d];
      key.v[d] = X[rx + ki + prm.C + d];
    }
  }
  for (var i0 = blk.r0; i0 < prm.T; i0 += QTILE) {
    dkv_stage(li, blk, i0);
    workgroupBarrier();
    if (valid) { dkv_tile(&key, r, i0); }
    workgroupBarrier();
  }
  if (valid) {
    let out = dq_index(blk.b, r, blk.h) + prm.C;
    for (var d = 0u; d < prm.D; d += 1u) {
      X[rx + out + d] = key.dk[d] * prm.scale;
      X[rx + out + prm.C + d] = key.dv[d];
    }
  }
}

@compute @workgroup_size(ROWS)
fn backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let NB = prm.B * prm.H * blocks_per_head();
  let id = workgroup_index(wg, nwg); // uniform over the workgroup, so both jobs are called uniformly
  if (id < NB) {
    dq_job(li, block_of(id));
  } else if (id < 2u * NB) {
    dkv_job(li, block_of(id - NB));
  }
}
