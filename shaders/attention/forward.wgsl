// Attention forward, 'workgroup' style (shapes and formulas in common.wgsl).
//   in: qkv [B·T, 3C]   out: out [B·T, C], lse [B·H, T]
// A workgroup per ROWS-query block of one (b, h), a thread per query row; the keys and values the
// block can see stream through tileA and tileB TILE rows at a time, folded into an online softmax.
// Limits: ROWS invocations (64); workgroup storage 2·TILE·MAXD·4 bytes (16,384), tiles.wgsl.

// Folds the first n staged keys (tileA, their values in tileB) into a query row's softmax; q is
// already scaled by 1/√D.
fn forward_tile(q: ptr<function, array<f32, MAXD>>, st: ptr<function, Softmax>, n: u32) {
  let D = prm.D;
  for (var jj = 0u; jj < n; jj += 1u) {
    var s = 0.0;
    for (var d = 0u; d < D; d += 1u) { s += (*q)[d] * tileA[jj * MAXD + d]; }
    if (s > (*st).m) {
      let corr = exp((*st).m - s);
      (*st).l = (*st).l * corr + 1.0;
      for (var d = 0u; d < D; d += 1u) { (*st).o[d] = (*st).o[d] * corr + tileB[jj * MAXD + d]; }
      (*st).m = s;
    } else {
      let p = exp(s - (*st).m);
      (*st).l += p;
      for (var d = 0u; d < D; d += 1u) { (*st).o[d] += p * tileB[jj * MAXD + d]; }
    }
  }
}

@compute @workgroup_size(ROWS)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let id = workgroup_index(wg, nwg);
  if (id >= prm.B * prm.H * blocks_per_head()) { return; } // uniform: the whole workgroup leaves
  let blk = block_of(id);
  let i = blk.r0 + li;
  let valid = i < prm.T;
  var q: array<f32, MAXD>;
  var st = softmax_start();
  if (valid) {
    let qi = q_index(blk.b, i, blk.h);
    for (var d = 0u; d < prm.D; d += 1u) { q[d] = X[rx + qi + d] * prm.scale; }
  }
  // Keys past the block's last query are masked for every row. Loop bounds are uniform, so every
  // invocation reaches both barriers; only the arithmetic is limited to valid rows.
  let last = min(prm.T, blk.r0 + ROWS);
  for (var j0 = 0u; j0 < last; j0 += TILE) {
    stage(li, blk.b, blk.h, j0, TILE, SRC_K, SRC_V);
    workgroupBarrier();
    if (valid) { forward_tile(&q, &st, min(TILE, i + 1u - min(i + 1u, j0))); }
    workgroupBarrier();
  }
  if (valid) { softmax_store(&st, blk.b, i, blk.h, blk.bh); }
}
