// Tiled matmul ('workgroup' style): WG_X × WG_Y threads per workgroup, a BM × BN tile of C, A and B
// staged through workgroup memory BK k at a time, 4×4 outputs per thread in registers
// (BM = 4·WG_Y, BN = 4·WG_X). Constants from src/kernels/matmul.ts; jobs and epilogue in common.wgsl.
// Limits: WG_X·WG_Y = 256 invocations; 2·BK·BM·4 = 8 KiB of workgroup storage.

var<workgroup> As: array<f32, BK * BM>; // [BK][BM]
var<workgroup> Bs: array<f32, BK * BN>; // [BK][BN]

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let wid = wg.y * nwg.x + wg.x;
  if (wid >= prm.total_wg) { return; }
  let job = run_job(prm.jobs[find_job(wid)], wg.z);
  let tile = wid - job.wg_start;
  let m0 = (tile / job.tiles_n) * BM;
  let n0 = (tile % job.tiles_n) * BN;
  let tx = lid.x;
  let ty = lid.y;

  // acc[r] holds rows ty + WG_Y·r, columns tx + WG_X·c (c = vector lane): constant indices only, so
  // no per-access bounds clamps and the compiler keeps them in registers.
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k0 = 0u; k0 < job.K; k0 += BK) {
    // A tile: BM rows × BK k. Consecutive threads walk the unit-stride dimension.
    for (var i = 0u; i < BK * BM / (WG_X * WG_Y); i += 1u) {
      let idx = li + i * WG_X * WG_Y;
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
    // B tile: BK k × BN columns.
    for (var i = 0u; i < BK * BN / (WG_X * WG_Y); i += 1u) {
      let idx = li + i * WG_X * WG_Y;
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
      let b = vec4f(Bs[br], Bs[br + WG_X], Bs[br + 2u * WG_X], Bs[br + 3u * WG_X]);
      acc0 = fma(vec4f(As[ar]), b, acc0);
      acc1 = fma(vec4f(As[ar + WG_Y]), b, acc1);
      acc2 = fma(vec4f(As[ar + 2u * WG_Y]), b, acc2);
      acc3 = fma(vec4f(As[ar + 3u * WG_Y]), b, acc3);
    }
    workgroupBarrier();
  }

  store_row(job, m0 + ty, n0 + tx, WG_X, acc0);
  store_row(job, m0 + ty + WG_Y, n0 + tx, WG_X, acc1);
  store_row(job, m0 + ty + 2u * WG_Y, n0 + tx, WG_X, acc2);
  store_row(job, m0 + ty + 3u * WG_Y, n0 + tx, WG_X, acc3);
}

