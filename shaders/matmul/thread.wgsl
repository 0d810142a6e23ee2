// Matmul, 'thread' style (CPU adapters such as SwiftShader): a thread per 4×4 block of C, no
// workgroup memory and no barriers, which are costly there, and no buffer choice inside the k loop:
// the loop below is a template that src/kernels/matmul.ts instantiates for every operand pair
// (SA, SB), SA in {P, X, ONE} (ONE: all ones, for column sums) and SB in {P, X}, so each instance
// reads its buffers directly. THREAD_WG × THREAD_WG threads cover a THREAD_TILE² tile of C
// (THREAD_TILE = 4·THREAD_WG); out-of-range rows and columns are clamped on load and dropped on store.
// Constants from src/kernels/matmul.ts; jobs and epilogue in common.wgsl.
// Limits: THREAD_WG² = 64 invocations; no workgroup storage.

fn lda_P(i: u32) -> f32 { return P[i]; }
fn lda_X(i: u32) -> f32 { return X[i]; }
fn lda_ONE(i: u32) -> f32 { return 1.0; }
fn ldb_P(i: u32) -> f32 { return P[i]; }
fn ldb_X(i: u32) -> f32 { return X[i]; }

// @template-begin
fn block_SA_SB(job: Job, m0: u32, n0: u32) -> mat4x4f {
  let a0 = job.a_off + min(m0, job.M - 1u) * job.a_sm;
  let a1 = job.a_off + min(m0 + 1u, job.M - 1u) * job.a_sm;
  let a2 = job.a_off + min(m0 + 2u, job.M - 1u) * job.a_sm;
  let a3 = job.a_off + min(m0 + 3u, job.M - 1u) * job.a_sm;
  let b0 = job.b_off + min(n0, job.N - 1u) * job.b_sn;
  let b1 = job.b_off + min(n0 + 1u, job.N - 1u) * job.b_sn;
  let b2 = job.b_off + min(n0 + 2u, job.N - 1u) * job.b_sn;
  let b3 = job.b_off + min(n0 + 3u, job.N - 1u) * job.b_sn;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  var ka = 0u;
  var kb = 0u;
  for (var k = 0u; k < job.K; k += 1u) {
    let b = vec4f(ldb_SB(b0 + kb), ldb_SB(b1 + kb), ldb_SB(b2 + kb), ldb_SB(b3 + kb));
    acc0 = fma(vec4f(lda_SA(a0 + ka)), b, acc0);
    acc1 = fma(vec4f(lda_SA(a1 + ka)), b, acc1);
    acc2 = fma(vec4f(lda_SA(a2 + ka)), b, acc2);
    acc3 = fma(vec4f(lda_SA(a3 + ka)), b, acc3);
    ka += job.a_sk;
    kb += job.b_sk;
  }
  return mat4x4f(acc0, acc1, acc2, acc3);
}
// @template-end

@compute @workgroup_size(THREAD_WG, THREAD_WG)
fn main_thread(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let wid = wg.y * nwg.x + wg.x;
  if (wid >= prm.total_wg) { return; }
  let job = prm.jobs[find_job(wid)];
  let tile = wid - job.wg_start;
  let m0 = (tile / job.tiles_n) * THREAD_TILE + lid.y * 4u;
  let n0 = (tile % job.tiles_n) * THREAD_TILE + lid.x * 4u;
  if (m0 >= job.M || n0 >= job.N) { return; }
  // Operand pair → instance: op(A) is P, X or all ones (A_ONES, numbered after them), op(B) P or X.
  let a = select(job.a_buf, A_ONES, (job.flags & F_A_ONES) != 0u);
  var acc = mat4x4f();
  switch (a * 2u + job.b_buf) {
    case BUF_P * 2u + BUF_P: { acc = block_P_P(job, m0, n0); }
    case BUF_P * 2u + BUF_X: { acc = block_P_X(job, m0, n0); }
    case BUF_X * 2u + BUF_P: { acc = block_X_P(job, m0, n0); }
    case BUF_X * 2u + BUF_X: { acc = block_X_X(job, m0, n0); }
    case A_ONES * 2u + BUF_P: { acc = block_ONE_P(job, m0, n0); }
    default: { acc = block_ONE_X(job, m0, n0); }
  }
  store_row(job, m0, n0, 1u, acc[0]);
  store_row(job, m0 + 1u, n0, 1u, acc[1]);
  store_row(job, m0 + 2u, n0, 1u, acc[2]);
  store_row(job, m0 + 3u, n0, 1u, acc[3]);
}
