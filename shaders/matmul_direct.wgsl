// Direct matmul for CPU adapters (SwiftShader): no workgroup memory and no barriers, which are
// costly there, and no buffer choice inside the k loop: the loop below is a template that
// src/kernels/matmul.ts instantiates for every operand pair (SA, SB), SA in {P, X, ONE} (ONE: all
// ones, for column sums) and SB in {P, X}, so each instance reads its buffers directly.
// 8×8 threads, a 32×32 tile of C, 4×4 outputs per thread; out-of-range rows and columns are clamped
// on load and dropped on store.
// (requires gelu_fn.wgsl, matmul_common.wgsl)

fn lda_P(i: u32) -> f32 { return P[i]; }
fn lda_X(i: u32) -> f32 { return X[i]; }
fn lda_ONE(i: u32) -> f32 { return 1.0; }
fn ldb_P(i: u32) -> f32 { return P[i]; }
fn ldb_X(i: u32) -> f32 { return X[i]; }

// @template-begin
fn direct_SA_SB(job: Job, m0: u32, n0: u32) -> mat4x4f {
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

@compute @workgroup_size(8, 8)
fn main_direct(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let wid = wg.y * nwg.x + wg.x;
  if (wid >= prm.total_wg) { return; }
  let job = prm.jobs[find_job(wid)];
  let tile = wid - job.wg_start;
  let m0 = (tile / job.tiles_n) * 32u + lid.y * 4u;
  let n0 = (tile % job.tiles_n) * 32u + lid.x * 4u;
  if (m0 >= job.M || n0 >= job.N) { return; }
  let a = select(job.a_buf, 2u, (job.flags & F_A_ONES) != 0u);
  var acc = mat4x4f();
  switch (a * 2u + job.b_buf) {
    case 0u: { acc = direct_P_P(job, m0, n0); }
    case 1u: { acc = direct_P_X(job, m0, n0); }
    case 2u: { acc = direct_X_P(job, m0, n0); }
    case 3u: { acc = direct_X_X(job, m0, n0); }
    case 4u: { acc = direct_ONE_P(job, m0, n0); }
    default: { acc = direct_ONE_X(job, m0, n0); }
  }
  store_row(job, m0, n0, 1u, acc[0]);
  store_row(job, m0 + 1u, n0, 1u, acc[1]);
  store_row(job, m0 + 2u, n0, 1u, acc[2]);
  store_row(job, m0 + 3u, n0, 1u, acc[3]);
}
