// Token + position embeddings, reading tokens from the corpus through window offsets.
// Shapes: wte [V, C], wpe [Tmax, C] in P;  x [B·T, C] in X;  dwte, dwpe in G.
//   forward:  x[b·T + t, :] = wte[token(b, t), :] + wpe[t, :]          (one thread per element)
//   backward: dwte[v, :] += Σ_{(b,t): token = v} dx[b·T + t, :]         (workgroups [0, V): one per vocab row)
//             dwpe[t, :] += Σ_b dx[b·T + t, :]                          (workgroups [V, V + T): one per position)
// Deterministic: every output row is summed by one workgroup in a fixed order, no atomics.
// Constants from src/kernels/embedding.ts: WG (threads per workgroup), F_TOKENS (backward:
// accumulate dwte), F_POSITIONS (backward: accumulate dwpe). Tokens from lib/tokens.wgsl.
// Limits: WG = 64 invocations; no workgroup storage.

struct Params {
  B: u32, T: u32, C: u32, V: u32,
  x_off: u32, wte_off: u32, wpe_off: u32, win_off: u32,
  dx_off: u32, dwte_off: u32, dwpe_off: u32, flags: u32,
  run_p: u32, run_x: u32, run_g: u32, run_w: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> corpus: array<u32>;
@group(0) @binding(2) var<storage, read> windows: array<u32>;
@group(0) @binding(3) var<storage, read> P: array<f32>;
@group(0) @binding(4) var<storage, read_write> X: array<f32>;
@group(0) @binding(5) var<storage, read_write> G: array<f32>;

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let i = (wg.y * nwg.x + wg.x) * WG + li;
  let C = prm.C;
  if (i >= prm.B * prm.T * C) { return; }
  let c = i % C;
  let bt = i / C;
  let t = bt % prm.T;
  let tok = token_at(prm.win_off, bt / prm.T, t);
  X[rx + prm.x_off + i] = P[rp + prm.wte_off + tok * C + c] + P[rp + prm.wpe_off + t * C + c];
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let id = wg.y * nwg.x + wg.x;
  let C = prm.C;
  let BT = prm.B * prm.T;
  if (id < prm.V) {
    if ((prm.flags & F_TOKENS) == 0u) { return; }
    let v = id;
    for (var c = li; c < C; c += WG) {
      var s = 0.0;
      for (var bt = 0u; bt < BT; bt += 1u) {
        if (token_at(prm.win_off, bt / prm.T, bt % prm.T) == v) { s += X[rx + prm.dx_off + bt * C + c]; }
      }
      G[rg + prm.dwte_off + v * C + c] += s;
    }
    return;
  }
  let t = id - prm.V;
  if (t >= prm.T || (prm.flags & F_POSITIONS) == 0u) { return; }
  for (var c = li; c < C; c += WG) {
    var s = 0.0;
    for (var b = 0u; b < prm.B; b += 1u) { s += X[rx + prm.dx_off + (b * prm.T + t) * C + c]; }
    G[rg + prm.dwpe_off + t * C + c] += s;
  }
}

// 'thread' style backward: threads [0, V) own a vocabulary row each and walk the tokens once, adding
// each matching row of dx in order; threads [V, V + T) own a position each. No workgroup memory.
@compute @workgroup_size(WG)
fn backward_thread(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  enter_run(wg.z);
  let id = (wg.y * nwg.x + wg.x) * WG + li;
  let C = prm.C;
  if (id < prm.V) {
    if ((prm.flags & F_TOKENS) == 0u) { return; }
    let out = prm.dwte_off + id * C;
    for (var bt = 0u; bt < prm.B * prm.T; bt += 1u) {
      if (token_at(prm.win_off, bt / prm.T, bt % prm.T) != id) { continue; }
      for (var c = 0u; c < C; c += 1u) { G[rg + out + c] += X[rx + prm.dx_off + bt * C + c]; }
    }
    return;
  }
  let t = id - prm.V;
  if (t >= prm.T || (prm.flags & F_POSITIONS) == 0u) { return; }
  let out = prm.dwpe_off + t * C;
  for (var b = 0u; b < prm.B; b += 1u) {
    for (var c = 0u; c < C; c += 1u) { G[rg + out + c] += X[rx + prm.dx_off + (b * prm.T + t) * C + c]; }
  }
}
