// Multi-job tiled matmul. One dispatch runs up to MAX_JOBS independent products, each
//   C = alpha · op(A) · op(B)  [+ bias]  [+ D]  [→ GELU, pre-activation saved to E | · GELU'(E)]
//   then C is stored, or added to (ACCUM: gradient accumulation).
// Transposes are strides, so one kernel serves forward (x·Wᵀ), dX (dY·W) and dW (dYᵀ·X):
//   op(A)[m, k] = buf[a_off + m·a_sm + k·a_sk]      op(A): [M, K]
//   op(B)[k, n] = buf[b_off + k·b_sk + n·b_sn]      op(B): [K, N]
//   C, D, E [M, N] row-major with row strides c_sm, d_sm, e_sm; bias [N] lives in P.
// Buffers: 0 = P (parameters, read), 1 = X (activations, read_write), 2 = G (gradients, read_write).
// Workgroups: 16×16 threads, a 64×64 tile of C each, 4×4 outputs per thread; jobs take
// consecutive workgroup ranges starting at wg_start.
// (requires gelu_fn.wgsl)

const BM = 64u;
const BN = 64u;
const BK = 16u;
const MAX_JOBS = 64u;

const F_BIAS = 1u;
const F_ACCUM = 2u;
const F_ADD_D = 4u;
const F_GELU = 8u;
const F_GELU_BWD = 16u;
const F_A_ONES = 32u; // op(A) is all ones (column sums: bias gradients)

struct Job {
  M: u32, N: u32, K: u32, wg_start: u32,
  tiles_n: u32, flags: u32, alpha: f32, bias_off: u32,
  a_off: u32, a_sm: u32, a_sk: u32, a_buf: u32,
  b_off: u32, b_sk: u32, b_sn: u32, b_buf: u32,
  c_off: u32, c_sm: u32, c_buf: u32, e_off: u32,
  d_off: u32, d_sm: u32, d_buf: u32, e_sm: u32,
}

struct Params {
  njobs: u32, total_wg: u32, _pad0: u32, _pad1: u32,
  jobs: array<Job, MAX_JOBS>,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> P: array<f32>;
@group(0) @binding(2) var<storage, read_write> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> G: array<f32>;

var<workgroup> As: array<f32, 1024>; // [BK][BM]
var<workgroup> Bs: array<f32, 1024>; // [BK][BN]

fn ld(buf: u32, i: u32) -> f32 {
  if (buf == 0u) { return P[i]; }
  if (buf == 1u) { return X[i]; }
  return G[i];
}

fn st(buf: u32, i: u32, v: f32) {
  if (buf == 1u) { X[i] = v; } else { G[i] = v; }
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let wid = wg.y * nwg.x + wg.x;
  if (wid >= prm.total_wg) { return; }
  var j = 0u;
  loop {
    if (j + 1u >= prm.njobs) { break; }
    if (wid < prm.jobs[j + 1u].wg_start) { break; }
    j += 1u;
  }
  let job = prm.jobs[j];
  let tile = wid - job.wg_start;
  let m0 = (tile / job.tiles_n) * BM;
  let n0 = (tile % job.tiles_n) * BN;
  let tx = lid.x;
  let ty = lid.y;

  var acc: array<f32, 16>;
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
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var r = 0u; r < 4u; r += 1u) {
        a[r] = As[k * BM + ty + 16u * r];
        b[r] = Bs[k * BN + tx + 16u * r];
      }
      for (var r = 0u; r < 4u; r += 1u) {
        for (var c = 0u; c < 4u; c += 1u) {
          acc[r * 4u + c] = fma(a[r], b[c], acc[r * 4u + c]);
        }
      }
    }
    workgroupBarrier();
  }

  for (var r = 0u; r < 4u; r += 1u) {
    let m = m0 + ty + 16u * r;
    if (m >= job.M) { continue; }
    for (var c = 0u; c < 4u; c += 1u) {
      let n = n0 + tx + 16u * c;
      if (n >= job.N) { continue; }
      var v = job.alpha * acc[r * 4u + c];
      if ((job.flags & F_BIAS) != 0u) { v += P[job.bias_off + n]; }
      if ((job.flags & F_ADD_D) != 0u) { v += ld(job.d_buf, job.d_off + m * job.d_sm + n); }
      if ((job.flags & F_GELU) != 0u) {
        X[job.e_off + m * job.e_sm + n] = v;
        v = gelu(v);
      }
      if ((job.flags & F_GELU_BWD) != 0u) { v *= gelu_grad(X[job.e_off + m * job.e_sm + n]); }
      let ci = job.c_off + m * job.c_sm + n;
      if ((job.flags & F_ACCUM) != 0u) { v += ld(job.c_buf, ci); }
      st(job.c_buf, ci, v);
    }
  }
}
