// LayerNorm over the last dimension (PyTorch nn.LayerNorm, biased variance, eps inside the root).
// Shapes: x, y, dy, dx [R, C] row-major in X;  mean, rstd [R] in X;  w, b [C] in P;  dw, db [C] in G.
//   forward:  y = (x - mean)·rstd·w + b, saving mean and rstd
//   backward: g = dy·w, xhat = (x - mean)·rstd
//             dx  = rstd·(g - mean(g) - xhat·mean(g·xhat))        (rows job, one workgroup per row)
//             dw += Σ_r dy·xhat,  db += Σ_r dy                     (columns job, COL_BLOCK columns per workgroup)
// The two backward jobs only read, so they share one dispatch: workgroups [0, R) do rows, the
// next ceil(C/COL_BLOCK) do columns. Sums are in a fixed order (deterministic, no atomics).
// Constants from src/kernels/layernorm.ts: WG (threads per workgroup, a power of two), COL_BLOCK
// (columns per workgroup in the columns job; WG / COL_BLOCK row lanes each), the flags F_ACCUM_DX
// (dx += ...: the residual stream's gradient is already in dx) and F_PARAM_GRADS (also run the
// columns job: w, b trainable).
// Workgroup memory: red, red2 [WG] from lib/wg_sum.wgsl, also used directly by the columns job.
// Limits: WG = 64 invocations; 'workgroup' style 2·WG·4 = 512 bytes of workgroup storage (red, red2).

struct Params {
  R: u32, C: u32, x_off: u32, y_off: u32,
  w_off: u32, b_off: u32, mean_off: u32, rstd_off: u32,
  dy_off: u32, dx_off: u32, dw_off: u32, db_off: u32,
  flags: u32, eps: f32, _p0: u32, _p1: u32,
  run_p: u32, run_x: u32, run_g: u32, run_w: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> P: array<f32>;
@group(0) @binding(2) var<storage, read_write> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> G: array<f32>;

// Row sums go through wg_sum / wg_sum2 (lib/wg_sum.wgsl, required by this file).

// dx of row r, column c: rstd·(dy·w − mean(dy·w) − x̂·mean(dy·w·x̂)), added to dx with F_ACCUM_DX.
fn write_dx(r: u32, C: u32, c: u32, mean: f32, rstd: f32, mg: f32, mgx: f32) {
  let i = r * C + c;
  let xhat = (X[rx + prm.x_off + i] - mean) * rstd;
  var d = rstd * (X[rx + prm.dy_off + i] * P[rp + prm.w_off + c] - mg - xhat * mgx);
  if ((prm.flags & F_ACCUM_DX) != 0u) { d += X[rx + prm.dx_off + i]; }
  X[rx + prm.dx_off + i] = d;
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let r = wg.y * nwg.x + wg.x;
  if (r >= prm.R) { return; }
  let C = prm.C;
  let row = prm.x_off + r * C;
  var s = 0.0;
  for (var c = li; c < C; c += WG) { s += X[rx + row + c]; }
  let mean = wg_sum(li, s) / f32(C);
  var q = 0.0;
  for (var c = li; c < C; c += WG) {
    let d = X[rx + row + c] - mean;
    q += d * d;
  }
  let rstd = inverseSqrt(wg_sum(li, q) / f32(C) + prm.eps);
  let out = prm.y_off + r * C;
  for (var c = li; c < C; c += WG) {
    X[rx + out + c] = (X[rx + row + c] - mean) * rstd * P[rp + prm.w_off + c] + P[rp + prm.b_off + c];
  }
  if (li == 0u) {
    X[rx + prm.mean_off + r] = mean;
    X[rx + prm.rstd_off + r] = rstd;
  }
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let id = wg.y * nwg.x + wg.x;
  let C = prm.C;
  if (id < prm.R) {
    let r = id;
    let mean = X[rx + prm.mean_off + r];
    let rstd = X[rx + prm.rstd_off + r];
    var sg = 0.0;
    var sgx = 0.0;
    for (var c = li; c < C; c += WG) {
      let g = X[rx + prm.dy_off + r * C + c] * P[rp + prm.w_off + c];
      sg += g;
      sgx += g * (X[rx + prm.x_off + r * C + c] - mean) * rstd;
    }
    let sums = wg_sum2(li, sg, sgx);
    let mg = sums.x / f32(C);
    let mgx = sums.y / f32(C);
    for (var c = li; c < C; c += WG) {
      write_dx(r, C, c, mean, rstd, mg, mgx);
    }
    return;
  }
  // Columns job: COL_BLOCK columns × WG / COL_BLOCK row lanes per workgroup.
  if ((prm.flags & F_PARAM_GRADS) == 0u) { return; }
  let c0 = (id - prm.R) * COL_BLOCK;
  if (c0 >= C) { return; }
  let c = c0 + (li % COL_BLOCK);
  let lane = li / COL_BLOCK;
  var dw = 0.0;
  var db = 0.0;
  if (c < C) {
    for (var r = lane; r < prm.R; r += WG / COL_BLOCK) {
      let dy = X[rx + prm.dy_off + r * C + c];
      dw += dy * (X[rx + prm.x_off + r * C + c] - X[rx + prm.mean_off + r]) * X[rx + prm.rstd_off + r];
      db += dy;
    }
  }
  red[li] = dw;
  red2[li] = db;
  workgroupBarrier();
  if (lane == 0u && c < C) {
    var w = 0.0;
    var b = 0.0;
    for (var k = 0u; k < WG / COL_BLOCK; k += 1u) {
      w += red[li + k * COL_BLOCK];
      b += red2[li + k * COL_BLOCK];
    }
    G[rg + prm.dw_off + c] += w;
    G[rg + prm.db_off + c] += b;
  }
}

// ---- 'thread' style: one thread per row (no workgroup memory, no barriers) ----------------------
// forward_thread: workgroups of WG rows.  backward_thread: workgroups [0, ceil(R/WG)) do rows; the
// next ceil(C/WG) do dw, db with one thread per column summing every row in order.

@compute @workgroup_size(WG)
fn forward_thread(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let r = (wg.y * nwg.x + wg.x) * WG + li;
  if (r >= prm.R) { return; }
  let C = prm.C;
  let row = prm.x_off + r * C;
  var s = 0.0;
  for (var c = 0u; c < C; c += 1u) { s += X[rx + row + c]; }
  let mean = s / f32(C);
  var q = 0.0;
  for (var c = 0u; c < C; c += 1u) {
    let d = X[rx + row + c] - mean;
    q += d * d;
  }
  let rstd = inverseSqrt(q / f32(C) + prm.eps);
  let out = prm.y_off + r * C;
  for (var c = 0u; c < C; c += 1u) {
    X[rx + out + c] = (X[rx + row + c] - mean) * rstd * P[rp + prm.w_off + c] + P[rp + prm.b_off + c];
  }
  X[rx + prm.mean_off + r] = mean;
  X[rx + prm.rstd_off + r] = rstd;
}

@compute @workgroup_size(WG)
fn backward_thread(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let id = wg.y * nwg.x + wg.x;
  let C = prm.C;
  let row_groups = (prm.R + WG - 1u) / WG;
  if (id < row_groups) {
    let r = id * WG + li;
    if (r >= prm.R) { return; }
    let mean = X[rx + prm.mean_off + r];
    let rstd = X[rx + prm.rstd_off + r];
    var sg = 0.0;
    var sgx = 0.0;
    for (var c = 0u; c < C; c += 1u) {
      let g = X[rx + prm.dy_off + r * C + c] * P[rp + prm.w_off + c];
      sg += g;
      sgx += g * (X[rx + prm.x_off + r * C + c] - mean) * rstd;
    }
    let mg = sg / f32(C);
    let mgx = sgx / f32(C);
    for (var c = 0u; c < C; c += 1u) {
      write_dx(r, C, c, mean, rstd, mg, mgx);
    }
    return;
  }
  if ((prm.flags & F_PARAM_GRADS) == 0u) { return; }
  let c = (id - row_groups) * WG + li;
  if (c >= C) { return; }
  var dw = 0.0;
  var db = 0.0;
  for (var r = 0u; r < prm.R; r += 1u) {
    let dy = X[rx + prm.dy_off + r * C + c];
    dw += dy * (X[rx + prm.x_off + r * C + c] - X[rx + prm.mean_off + r]) * X[rx + prm.rstd_off + r];
    db += dy;
  }
  G[rg + prm.dw_off + c] += dw;
  G[rg + prm.db_off + c] += db;
}
