// Tiled matmul for GPUs: 16×16 threads per workgroup, a 64×64 tile of C, A and B staged through
// workgroup memory 16 k at a time, 4×4 outputs per thread in registers.
// (requires gelu_fn.wgsl, matmul_common.wgsl)

const BM = 64u;
const BN = 64u;
const BK = 16u;

var<workgroup> As: array<f32, 1024>; // [BK][BM]
var<workgroup> Bs: array<f32, 1024>; // [BK][BN]

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let wid = wg.y * nwg.x + wg.x;
  if (wid >= prm.total_wg) { return; }
  let job = prm.jobs[find_job(wid)];
  let tile = wid - job.wg_start;
  let m0 = (tile / job.tiles_n) * BM;
  let n0 = (tile % job.tiles_n) * BN;
  let tx = lid.x;
  let ty = lid.y;

  // acc[r] holds rows ty + 16·r, columns tx + 16·c (c = vector lane): constant indices only, so
  // no per-access bounds clamps and the compiler keeps them in registers.
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k0 = 0u; k0 < job.K; k0 += BK) {
    // A tile: 64 rows × 16 k. Consecutive threads walk the unit-stride dimension.
    for (var i = 0u; i < 4u; i += 1u) {
      let idx = li + i * 256u;
      var m: u32;
      var k: u32;
      if (job.a_sk == 1u) { m = idx / BK; k = idx % BK; } else { m = idx % BM; k = idx / BM; }
      var v = 0.0;
      if (m0 + m < job.M && k0 + k < job.K) {
        if ((job.flags & F_A_ONES) != 0u) {
          v = 1.0;
        } else {
          v = ld(job.a_buf, job.a_off + (m0 + m) * job.a_sm + (k0 + k) * job.a_sk);
        }
      }
      As[k * BM + m] = v;
    }
    // B tile: 16 k × 64 columns.
    for (var i = 0u; i < 4u; i += 1u) {
      let idx = li + i * 256u;
      var n: u32;
      var k: u32;
      if (job.b_sn == 1u) { n = idx % BN; k = idx / BN; } else { n = idx / BK; k = idx % BK; }
      var v = 0.0;
      if (n0 + n < job.N && k0 + k < job.K) {
        v = ld(job.b_buf, job.b_off + (k0 + k) * job.b_sk + (n0 + n) * job.b_sn);
      }
      Bs[k * BN + n] = v;
    }
    workgroupBarrier();
    for (var k = 0u; k < BK; k += 1u) {
      let ar = k * BM + ty;
      let br = k * BN + tx;
      let b = vec4f(Bs[br], Bs[br + 16u], Bs[br + 32u], Bs[br + 48u]);
      acc0 = fma(vec4f(As[ar]), b, acc0);
      acc1 = fma(vec4f(As[ar + 16u]), b, acc1);
      acc2 = fma(vec4f(As[ar + 32u]), b, acc2);
      acc3 = fma(vec4f(As[ar + 48u]), b, acc3);
    }
    workgroupBarrier();
  }

  store_row(job, m0 + ty, n0 + tx, 16u, acc0);
  store_row(job, m0 + ty + 16u, n0 + tx, 16u, acc1);
  store_row(job, m0 + ty + 32u, n0 + tx, 16u, acc2);
  store_row(job, m0 + ty + 48u, n0 + tx, 16u, acc3);
}

