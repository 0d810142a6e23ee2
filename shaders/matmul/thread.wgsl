// Matmul, 'thread' style (CPU adapters such as SwiftShader): a thread per 8×8 block of C, no
// workgroup memory and no barriers, which are costly there, and no buffer choice inside the k loop:
// the block below is a template that src/kernels/matmul.ts instantiates for every operand pair
// (SA, SB), SA in {P, X, ONE} (ONE: all ones, for column sums) and SB in {P, X}, so each instance
// reads its buffers directly. THREAD_WG × THREAD_WG threads cover a THREAD_TILE² tile of C
// (THREAD_TILE = 8·THREAD_WG), or for narrow products (LoRA's rank side) a column or a row of 8×8
// blocks (F_TALL, F_WIDE); out-of-range rows and columns are clamped on load and dropped on store.
// Why 8×8: SwiftShader gathers every load lane by lane, so loads, not FMAs, set the pace; a k step
// loads 8 + 8 values for 64 FMAs (a 4×4 block: 8 for 16). The epilogue runs on 4 columns at once
// with the job's flags tested once per 4 (store4): per element it cost as much as the k loop.
// Each C element is still one fma chain over k in order, then the epilogue's steps in common.wgsl's
// order, so the results do not depend on the block.
// Constants from src/kernels/matmul.ts; jobs and epilogue in common.wgsl.
// Limits: THREAD_WG² = 16 invocations; no workgroup storage.

fn lda_P(i: u32) -> f32 { return P[i]; }
fn lda_X(i: u32) -> f32 { return X[i]; }
fn lda_ONE(i: u32) -> f32 { return 1.0; }
fn ldb_P(i: u32) -> f32 { return P[i]; }
fn ldb_X(i: u32) -> f32 { return X[i]; }

fn ld4(buf: u32, i: u32) -> vec4f {
  if (buf == BUF_P) { return vec4f(P[i], P[i + 1u], P[i + 2u], P[i + 3u]); }
  if (buf == BUF_X) { return vec4f(X[i], X[i + 1u], X[i + 2u], X[i + 3u]); }
  return vec4f(G[i], G[i + 1u], G[i + 2u], G[i + 3u]);
}

// C[m, n..n+3] from alpha·(A·B)[m, n..n+3]: epilogue() of common.wgsl on four columns, each step
// per component exactly as there. Columns past N (only in the last tile) go one by one.
fn store4(job: Job, m: u32, n: u32, prod: vec4f) {
  if (m >= job.M) { return; }
  if (n + 3u >= job.N) {
    for (var c = 0u; c < 4u; c += 1u) {
      if (n + c < job.N) { epilogue(job, m, n + c, prod[c]); }
    }
    return;
  }
  var v = job.alpha * prod;
  if (step_on(job, F_BIAS)) { v += ld4(BUF_P, job.bias_off + n); }
  if (step_on(job, F_ADD_D)) { v += ld4(job.d_buf, job.d_off + m * job.d_sm + n); }
  let ei = job.e_off + m * job.e_sm + n;
  if (step_on(job, F_GELU)) {
    X[ei] = v.x; X[ei + 1u] = v.y; X[ei + 2u] = v.z; X[ei + 3u] = v.w;
    v = vec4f(gelu(v.x), gelu(v.y), gelu(v.z), gelu(v.w));
  }
  if (step_on(job, F_GELU_BWD)) { v *= vec4f(gelu_grad(X[ei]), gelu_grad(X[ei + 1u]), gelu_grad(X[ei + 2u]), gelu_grad(X[ei + 3u])); }
  let ci = job.c_off + m * job.c_sm + n;
  if (step_on(job, F_ACCUM)) { v += ld4(job.c_buf, ci); }
  if (job.c_buf == BUF_X) {
    X[ci] = v.x; X[ci + 1u] = v.y; X[ci + 2u] = v.z; X[ci + 3u] = v.w;
  } else {
    G[ci] = v.x; G[ci + 1u] = v.y; G[ci + 2u] = v.z; G[ci + 3u] = v.w;
  }
}

// Rows m0..m0+7 × columns n0..n0+7 of A·B: element [2·r + h] holds row r, columns n0 + 4h .. + 3.
// @template-begin
fn block_SA_SB(job: Job, m0: u32, n0: u32) -> array<vec4f, 16> {
  let last_m = job.M - 1u;
  let last_n = job.N - 1u;
  let a0 = job.a_off + min(m0, last_m) * job.a_sm;
  let a1 = job.a_off + min(m0 + 1u, last_m) * job.a_sm;
  let a2 = job.a_off + min(m0 + 2u, last_m) * job.a_sm;
  let a3 = job.a_off + min(m0 + 3u, last_m) * job.a_sm;
  let a4 = job.a_off + min(m0 + 4u, last_m) * job.a_sm;
  let a5 = job.a_off + min(m0 + 5u, last_m) * job.a_sm;
  let a6 = job.a_off + min(m0 + 6u, last_m) * job.a_sm;
  let a7 = job.a_off + min(m0 + 7u, last_m) * job.a_sm;
  let b0 = job.b_off + min(n0, last_n) * job.b_sn;
  let b1 = job.b_off + min(n0 + 1u, last_n) * job.b_sn;
  let b2 = job.b_off + min(n0 + 2u, last_n) * job.b_sn;
  let b3 = job.b_off + min(n0 + 3u, last_n) * job.b_sn;
  let b4 = job.b_off + min(n0 + 4u, last_n) * job.b_sn;
  let b5 = job.b_off + min(n0 + 5u, last_n) * job.b_sn;
  let b6 = job.b_off + min(n0 + 6u, last_n) * job.b_sn;
  let b7 = job.b_off + min(n0 + 7u, last_n) * job.b_sn;
  // Separate variables rather than an array: a JIT without scalar replacement keeps them in registers.
  var c00 = vec4f(0.0); var c01 = vec4f(0.0);
  var c10 = vec4f(0.0); var c11 = vec4f(0.0);
  var c20 = vec4f(0.0); var c21 = vec4f(0.0);
  var c30 = vec4f(0.0); var c31 = vec4f(0.0);
  var c40 = vec4f(0.0); var c41 = vec4f(0.0);
  var c50 = vec4f(0.0); var c51 = vec4f(0.0);
  var c60 = vec4f(0.0); var c61 = vec4f(0.0);
  var c70 = vec4f(0.0); var c71 = vec4f(0.0);
  var ka = 0u;
  var kb = 0u;
  for (var k = 0u; k < job.K; k += 1u) {
    let l = vec4f(ldb_SB(b0 + kb), ldb_SB(b1 + kb), ldb_SB(b2 + kb), ldb_SB(b3 + kb));
    let h = vec4f(ldb_SB(b4 + kb), ldb_SB(b5 + kb), ldb_SB(b6 + kb), ldb_SB(b7 + kb));
    var a = vec4f(lda_SA(a0 + ka)); c00 = fma(a, l, c00); c01 = fma(a, h, c01);
    a = vec4f(lda_SA(a1 + ka)); c10 = fma(a, l, c10); c11 = fma(a, h, c11);
    a = vec4f(lda_SA(a2 + ka)); c20 = fma(a, l, c20); c21 = fma(a, h, c21);
    a = vec4f(lda_SA(a3 + ka)); c30 = fma(a, l, c30); c31 = fma(a, h, c31);
    a = vec4f(lda_SA(a4 + ka)); c40 = fma(a, l, c40); c41 = fma(a, h, c41);
    a = vec4f(lda_SA(a5 + ka)); c50 = fma(a, l, c50); c51 = fma(a, h, c51);
    a = vec4f(lda_SA(a6 + ka)); c60 = fma(a, l, c60); c61 = fma(a, h, c61);
    a = vec4f(lda_SA(a7 + ka)); c70 = fma(a, l, c70); c71 = fma(a, h, c71);
    ka += job.a_sk;
    kb += job.b_sk;
  }
  return array<vec4f, 16>(c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71);
}
// @template-end

@compute @workgroup_size(THREAD_WG, THREAD_WG)
fn main_thread(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let wid = wg.y * nwg.x + wg.x;
  if (wid >= prm.total_wg) { return; }
  let job = run_job(prm.jobs[find_job(wid)], wg.z);
  let tile = wid - job.wg_start;
  // The job's tile layout (src/kernels/matmul.ts layoutOf): THREAD_WG × THREAD_WG blocks of 8×8, or
  // for narrow products all THREAD_WG² blocks in one column (F_TALL) or one row (F_WIDE).
  let t = lid.y * THREAD_WG + lid.x;
  var tile_m = THREAD_TILE;
  var tile_n = THREAD_TILE;
  var bm = lid.y;
  var bn = lid.x;
  if ((job.flags & F_TALL) != 0u) { tile_m = 8u * THREAD_WG * THREAD_WG; tile_n = 8u; bm = t; bn = 0u; }
  if ((job.flags & F_WIDE) != 0u) { tile_m = 8u; tile_n = 8u * THREAD_WG * THREAD_WG; bm = 0u; bn = t; }
  let m0 = (tile / job.tiles_n) * tile_m + bm * 8u;
  let n0 = (tile % job.tiles_n) * tile_n + bn * 8u;
  if (m0 >= job.M || n0 >= job.N) { return; }
  // Operand pair → instance: op(A) is P, X or all ones (A_ONES, numbered after them), op(B) P or X.
  let a = select(job.a_buf, A_ONES, (job.flags & F_A_ONES) != 0u);
  var c: array<vec4f, 16>;
  switch (a * 2u + job.b_buf) {
    case BUF_P * 2u + BUF_P: { c = block_P_P(job, m0, n0); }
    case BUF_P * 2u + BUF_X: { c = block_P_X(job, m0, n0); }
    case BUF_X * 2u + BUF_P: { c = block_X_P(job, m0, n0); }
    case BUF_X * 2u + BUF_X: { c = block_X_X(job, m0, n0); }
    case A_ONES * 2u + BUF_P: { c = block_ONE_P(job, m0, n0); }
    default: { c = block_ONE_X(job, m0, n0); }
  }
  // One call site: the epilogue's code once, not once per block row.
  for (var i = 0u; i < 16u; i += 1u) { store4(job, m0 + i / 2u, n0 + 4u * (i % 2u), c[i]); }
}
