// Multi-job matmul: jobs, bindings and epilogue. One dispatch runs up to MAX_JOBS independent products, each
//   C = alpha · op(A) · op(B)  [+ bias]  [+ D]  [→ GELU, pre-activation saved to E | · GELU'(E)]
//   then C is stored, or added to (ACCUM: gradient accumulation).
// Transposes are strides, so one kernel serves forward (x·Wᵀ), dX (dY·W) and dW (dYᵀ·X):
//   op(A)[m, k] = buf[a_off + m·a_sm + k·a_sk]      op(A): [M, K]
//   op(B)[k, n] = buf[b_off + k·b_sk + n·b_sn]      op(B): [K, N]
//   C, D, E [M, N] row-major with row strides c_sm, d_sm, e_sm; bias [N] lives in P.
// Buffers: BUF_P (parameters, read), BUF_X (activations, read_write), BUF_G (gradients, read_write).
// Two kernels share this file's jobs and epilogue: tiled.wgsl ('workgroup' style) and thread.wgsl
// ('thread' style). Jobs take consecutive workgroup ranges from wg_start.
// MAX_JOBS, the job flags (F_BIAS, F_ACCUM, F_ADD_D, F_GELU, F_GELU_BWD, F_A_ONES: op(A) is all
// ones, for bias gradients) and the BUF_* numbers come from src/kernels/matmul.ts; gelu from gelu.wgsl.

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
  run_p: u32, run_x: u32, run_g: u32, run_w: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> P: array<f32>;
@group(0) @binding(2) var<storage, read_write> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> G: array<f32>;

fn ld(buf: u32, i: u32) -> f32 {
  if (buf == BUF_P) { return P[i]; }
  if (buf == BUF_X) { return X[i]; }
  return G[i];
}

fn st(buf: u32, i: u32, v: f32) {
  if (buf == BUF_X) { X[i] = v; } else { G[i] = v; }
}


fn find_job(wid: u32) -> u32 {
  var j = 0u;
  loop {
    if (j + 1u >= prm.njobs) { break; }
    if (wid < prm.jobs[j + 1u].wg_start) { break; }
    j += 1u;
  }
  return j;
}

// Packed runs (src/kernels/runs.ts): the job as run `run` (workgroup_id.z) sees it, every offset
// moved to that run's data in its buffer (E lives in X, the bias in P). Computed from the uniform
// strides, not lib/runs.wgsl's private bases, so the job stays uniform for the tiled kernel's barriers.
fn base_of(buf: u32, run: u32) -> u32 {
  if (buf == BUF_P) { return run * prm.run_p; }
  if (buf == BUF_X) { return run * prm.run_x; }
  return run * prm.run_g;
}

fn run_job(j: Job, run: u32) -> Job {
  var job = j;
  job.a_off += base_of(job.a_buf, run);
  job.b_off += base_of(job.b_buf, run);
  job.c_off += base_of(job.c_buf, run);
  job.d_off += base_of(job.d_buf, run);
  job.e_off += run * prm.run_x;
  job.bias_off += run * prm.run_p;
  return job;
}

// Bias, addend, GELU (or its derivative), then store or accumulate: C[m, n] from alpha·(A·B)[m, n].
// Whether the job asks for epilogue step `f` and this pipeline has code for it: EPILOGUE is a
// constant per pipeline (src/kernels/matmul.ts matmulKernel), so a step no job of the dispatch
// takes is compiled out (a CPU adapter would otherwise run it under a lane mask).
fn step_on(job: Job, f: u32) -> bool {
  return (EPILOGUE & f) != 0u && (job.flags & f) != 0u;
}

fn epilogue(job: Job, m: u32, n: u32, prod: f32) {
  var v = job.alpha * prod;
  if (step_on(job, F_BIAS)) { v += P[job.bias_off + n]; }
  if (step_on(job, F_ADD_D)) { v += ld(job.d_buf, job.d_off + m * job.d_sm + n); }
  if (step_on(job, F_GELU)) {
    X[job.e_off + m * job.e_sm + n] = v;
    v = gelu(v);
  }
  if (step_on(job, F_GELU_BWD)) { v *= gelu_grad(X[job.e_off + m * job.e_sm + n]); }
  let ci = job.c_off + m * job.c_sm + n;
  if (step_on(job, F_ACCUM)) { v += ld(job.c_buf, ci); }
  st(job.c_buf, ci, v);
}

// Stores one row of a thread's 4×4 block: columns n0 + n_step·c (tiled: n_step = WG_X; thread: 1).
fn store_row(job: Job, m: u32, n0: u32, n_step: u32, row: vec4f) {
  if (m >= job.M) { return; }
  for (var c = 0u; c < 4u; c += 1u) {
    let n = n0 + n_step * c;
    if (n < job.N) { epilogue(job, m, n, row[c]); }
  }
}

