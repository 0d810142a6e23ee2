// Causal multi-head self-attention on a fused qkv tensor, flash-style (scores never stored): the
// parameters, bindings and index helpers of the four attention kernels in this folder.
// Shapes (offsets in f32 elements, all in X):
//   qkv [B·T, 3C]: q = cols [0, C), k = [C, 2C), v = [2C, 3C); head h uses cols h·D .. h·D+D
//   out, dout [B·T, C];  lse [B·H, T];  dqkv [B·T, 3C] (written, not added)
// With s = 1/√D, P_ij = exp(s·q_i·k_j - lse_i) for j ≤ i, dP_ij = dO_i·v_j and D_i = dO_i·O_i:
//   forward   O_i = Σ_j P_ij v_j,  lse_i = log Σ_j exp(s·q_i·k_j)
//   backward  dq_i = s·Σ_j P_ij (dP_ij - D_i) k_j   (the dq job, a thread per query row)
//             dk_j = s·Σ_i P_ij (dP_ij - D_i) q_i,  dv_j = Σ_i P_ij dO_i   (the dk/dv job, per key row)
// Kernels: forward.wgsl and backward.wgsl ('workgroup' style, through tiles.wgsl), thread.wgsl
// ('thread' style). Every output row is owned by one thread (no atomics), and no dispatch reads
// what it writes (src/kernels/attention.ts refuses overlapping regions), so no storage barriers.
// MAXD (the largest head dimension, rows held in registers) comes from src/kernels/attention.ts.

struct Params {
  B: u32, T: u32, C: u32, H: u32,
  D: u32, qkv_off: u32, out_off: u32, lse_off: u32,
  dout_off: u32, dqkv_off: u32, scale: f32, _p0: u32,
  run_p: u32, run_x: u32, run_g: u32, run_w: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> X: array<f32>;

// Start of head h's q in row t of batch b (its k is at + C, its v at + 2C).
fn q_index(b: u32, t: u32, h: u32) -> u32 { return prm.qkv_off + (b * prm.T + t) * 3u * prm.C + h * prm.D; }
// Start of head h in row t of batch b of a [B·T, C] tensor at `base` (out, dout).
fn o_index(base: u32, b: u32, t: u32, h: u32) -> u32 { return base + (b * prm.T + t) * prm.C + h * prm.D; }
// Start of head h's dq in row t of batch b (its dk at + C, its dv at + 2C).
fn dq_index(b: u32, t: u32, h: u32) -> u32 { return prm.dqkv_off + (b * prm.T + t) * 3u * prm.C + h * prm.D; }
fn lse_index(bh: u32, t: u32) -> u32 { return prm.lse_off + bh * prm.T + t; }
// The workgroup's number in a 2-D grid (src/gpu/program.ts spreads large counts over y).
fn workgroup_index(wg: vec3u, nwg: vec3u) -> u32 { return wg.y * nwg.x + wg.x; }

// D_i = dO_i·O_i of query row t.
fn row_delta(b: u32, t: u32, h: u32) -> f32 {
  let oi = o_index(prm.out_off, b, t, h);
  let gi = o_index(prm.dout_off, b, t, h);
  var acc = 0.0;
  for (var d = 0u; d < prm.D; d += 1u) { acc += X[rx + gi + d] * X[rx + oi + d]; }
  return acc;
}

// A query row's online softmax: running max m, Σ exp(score - m) l, and Σ exp(score - m)·v_j o.
struct Softmax { m: f32, l: f32, o: array<f32, MAXD> }

fn softmax_start() -> Softmax { return Softmax(-3.0e38, 0.0, array<f32, MAXD>()); }

// Writes O_i = o / l and lse_i = m + log l of query row t (bh = b·H + h).
fn softmax_store(st: ptr<function, Softmax>, b: u32, t: u32, h: u32, bh: u32) {
  let oi = o_index(prm.out_off, b, t, h);
  for (var d = 0u; d < prm.D; d += 1u) { X[rx + oi + d] = (*st).o[d] / (*st).l; }
  X[rx + lse_index(bh, t)] = (*st).m + log((*st).l);
}
