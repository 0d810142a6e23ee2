// Shared by the optimizer kernels (gradnorm_sumsq, gradnorm_finalize, adamw, optim_stats), which
// make one optimizer step over the flat arenas in four dispatches:
//   sumsq    one workgroup per chunk: work[c] = Σ g² over the chunk            (gradient norm, part 1)
//   finalize one workgroup: global norm, clip scale, mean loss, non-finite and divergence checks,
//            sticky halt flag; writes the step's ring slot                       (gradient norm, part 2)
//   adamw    one workgroup per chunk: clipped AdamW update (decoupled weight decay, bias correction,
//            per-tensor learning-rate multiplier and decay flag); zeroes the gradient it consumed;
//            work[NC + 2c], work[NC + 2c + 1] = Σ Δp², Σ p² over the chunk; nothing when halted;
//            only the zeroing when the run holds (Step.hold)
//   stats    one workgroup: per-tensor gradient norms and update-to-weight ratios into the ring slot
// Chunks never cross tensors, so per-tensor figures are sums of whole chunks. Every sum has a fixed
// order (no atomics): the same inputs give the same bits.
// Packed runs (lib/runs.wgsl): workgroup_id.z is the run. Each run has its own P, G, M, V (G's
// stride serves M and V), losses (in X), work [3·NC], ring [ring_slots · slot_size], State and Step
// (its hyperparameters: learning rate, betas, eps, weight decay, clipping, divergence margin); the
// chunk/tensor table is shared.
// Shapes: P, G, M, V [n] (trainable region, same offsets in all four); table rows (vec4<u32>):
//   [0, NC):        chunk  (start, count, tensor, 0)
//   [NC, NC + NT):  tensor (bitcast lr_mult, bitcast decay, first chunk, chunk count)
// Ring slot (f32, slot_size each): a header of SLOT_HEAD fields at SLOT_STEP, SLOT_LOSS,
//   SLOT_GRAD_NORM, SLOT_LR, SLOT_CLIP, SLOT_HALT, SLOT_UPDATE_RATIO, SLOT_PARAM_NORM, then
//   grad_norm[t] for t < NT, update_ratio[t] for t < NT. The layout and its decoder are in
//   src/kernels/optim.ts (SLOT_FIELDS, decodeSlot), the one place it is written down.
// Constants from src/kernels/optim.ts: WG (workgroup size of the per-chunk and one-workgroup
//   passes), THREAD_WG (chunks per workgroup in the 'thread' style), and the halt codes:
//   HALT_LOSS (loss NaN or Inf), HALT_GRAD (gradient norm NaN or Inf), HALT_DIVERGED (loss above
//   the first step's loss + diverge_margin).

struct Params {
  n_chunks: u32, n_tensors: u32, loss_off: u32, loss_count: u32,
  slot_size: u32, ring_slots: u32, zero_grads: u32, _p0: u32,
  run_p: u32, run_x: u32, run_g: u32, run_w: u32,
}

// One per run, written by the host once per optimizer step (queue.writeBuffer before the step's submit).
// hold ≠ 0: the run sits this step out (paused, or ended while the runs packed with it train on):
// finalize and stats leave its State and ring alone and AdamW only zeroes the gradient the step
// accumulated, so P, M, V and State are exactly as before the step.
struct Step {
  step: u32, lr: f32, bc1: f32, bc2_sqrt: f32,
  slot: u32, beta1: f32, beta2: f32, eps: f32,
  weight_decay: f32, grad_clip: f32, diverge_margin: f32, hold: u32,
}

struct State {
  clip: f32, halt: u32, halt_step: u32, first_loss: f32,
  have_first: u32, halt_loss: f32, halt_norm: f32, last_step: u32,
}

// Workgroup sums: wg_sum, wg_sum2 from lib/wg_sum.wgsl (required by this file).

fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

fn chunk_id(wg: vec3u, nwg: vec3u) -> u32 {
  return wg.y * nwg.x + wg.x;
}

// Where run `run`'s per-chunk sums and ring start.
fn work_base(run: u32) -> u32 {
  return run * 3u * prm.n_chunks;
}

fn ring_base(run: u32, slot: u32) -> u32 {
  return (run * prm.ring_slots + slot) * prm.slot_size;
}
